"""The joint-control pages, mounted under /kontroller/ (Swedish paths, English names)."""

from django.urls import path

from inspections import import_views, risk_views, views

app_name = "inspections"

urlpatterns = [
    path("", views.InspectionListView.as_view(), name="inspection_list"),
    path("kalender/", views.InspectionCalendarView.as_view(), name="inspection_calendar"),
    path("ny/", views.InspectionCreateView.as_view(), name="inspection_create"),
    path("arbetsgivare-sok/", views.EmployerSearchView.as_view(), name="employer_search"),
    path("insatser/", views.OperationBoardView.as_view(), name="operation_board"),
    path("insatser/ny/", views.OperationCreateView.as_view(), name="operation_create"),
    path("insatser/<int:pk>/status/", views.OperationStatusView.as_view(), name="operation_status"),
    path(
        "insatser/<int:pk>/stall-in/", views.OperationCancelView.as_view(), name="operation_cancel"
    ),
    path("uppfoljningar/", views.FollowUpListView.as_view(), name="follow_up_list"),
    path(
        "uppfoljningar/<int:pk>/klar/",
        views.FollowUpCompleteView.as_view(),
        name="follow_up_complete",
    ),
    path("export/", views.InspectionExportView.as_view(), name="inspection_export"),
    path("urval/", risk_views.RiskCandidatesView.as_view(), name="risk_candidates"),
    path("urval/branscher/", risk_views.IndustryRiskView.as_view(), name="industry_risk"),
    path(
        "urval/branscher/<int:pk>/",
        risk_views.IndustryRiskView.as_view(),
        name="industry_risk_change",
    ),
    path(
        "arbetsgivare/<str:orgnr>/",
        risk_views.EmployerProfileView.as_view(),
        name="employer_profile",
    ),
    path(
        "arbetsgivare/<str:orgnr>/koppling/",
        risk_views.EmployerLinkView.as_view(),
        name="employer_link",
    ),
    path("import/", import_views.InspectionImportView.as_view(), name="inspection_import"),
    path("import/<int:pk>/", import_views.ImportJobView.as_view(), name="import_job"),
    path(
        "import/<int:pk>/importera/",
        import_views.ImportCheckedView.as_view(),
        name="import_checked",
    ),
    path("<int:pk>/", views.InspectionDetailView.as_view(), name="inspection_detail"),
    path("<int:pk>/bilagor/", views.AttachmentUploadView.as_view(), name="attachment_upload"),
    path(
        "<int:pk>/bilagor/<int:attachment_id>/",
        views.AttachmentDownloadView.as_view(),
        name="attachment_download",
    ),
    path("<int:pk>/svar/", views.RespondView.as_view(), name="inspection_respond"),
    path("<int:pk>/tilldela/", views.AssignView.as_view(), name="inspection_assign"),
    path("<int:pk>/genomford/", views.PerformView.as_view(), name="inspection_perform"),
    path(
        "<int:pk>/ej-genomford/", views.NotPerformedView.as_view(), name="inspection_not_performed"
    ),
    path("<int:pk>/stall-in/", views.CancelView.as_view(), name="inspection_cancel"),
    path("<int:pk>/avsluta/", views.CloseView.as_view(), name="inspection_close"),
    path(
        "<int:pk>/beslut/<int:decision_id>/status/",
        views.DecisionStatusView.as_view(),
        name="decision_status",
    ),
    path(
        "<int:pk>/skicka-resultat/",
        views.SubmitResultsView.as_view(),
        name="inspection_submit_results",
    ),
    path("<int:pk>/resultat/", views.InspectionResultsView.as_view(), name="inspection_results"),
    path("<int:pk>/resultat/besok/", views.ResultsVisitView.as_view(), name="results_visit"),
    path("<int:pk>/resultat/skicka/", views.ResultsSubmitView.as_view(), name="results_submit"),
    path(
        "<int:pk>/ej-rapporterande/",
        views.NotReportingView.as_view(),
        name="inspection_not_reporting",
    ),
    path("<int:pk>/resultat/avvikelse/", views.RecordFindingView.as_view(), name="results_finding"),
    path("<int:pk>/resultat/beslut/", views.RecordDecisionView.as_view(), name="results_decision"),
    path("<int:pk>/resultat/personer/", views.RecordPersonsView.as_view(), name="results_persons"),
    path(
        "<int:pk>/resultat/uppfoljning/", views.AddFollowUpView.as_view(), name="results_follow_up"
    ),
]
