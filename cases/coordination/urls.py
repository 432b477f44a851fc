"""The case pages, mounted under /arenden/ (Swedish paths, English names)."""

from django.urls import path

from cases.coordination import views

app_name = "cases"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="case_list"),
    path("export/", views.CaseExportView.as_view(), name="case_export"),
    path("ny/", views.CaseCreateView.as_view(), name="case_create"),
    path("brytglas/", views.BreakTheGlassView.as_view(), name="break_the_glass"),
    path("granskning/", views.ReviewListView.as_view(), name="review_list"),
    path("granskning/<int:pk>/", views.ReviewDecideView.as_view(), name="review_decide"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("<int:pk>/andra/", views.CaseUpdateView.as_view(), name="case_update"),
    path("<int:pk>/anteckning/", views.CaseNoteView.as_view(), name="case_note"),
    path(
        "<int:pk>/bilagor/", views.CaseAttachmentUploadView.as_view(), name="case_attachment_upload"
    ),
    path(
        "<int:pk>/bilagor/<int:attachment_id>/",
        views.AttachmentDownloadView.as_view(),
        name="case_attachment_download",
    ),
    path("<int:pk>/dela/", views.CaseShareView.as_view(), name="case_share"),
    path("<int:pk>/behorighet/", views.CaseGrantView.as_view(), name="case_grant"),
    path(
        "<int:pk>/behorighet/<int:grant_id>/avsluta/",
        views.CaseRevokeGrantView.as_view(),
        name="case_revoke_grant",
    ),
    path(
        "<int:pk>/dela/<int:share_id>/avsluta/",
        views.CaseUnshareView.as_view(),
        name="case_unshare",
    ),
]
