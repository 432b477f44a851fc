from django.urls import path

from cases.tips import views

app_name = "tips"

urlpatterns = [
    path("", views.PublicTipView.as_view(), name="tip_form"),
    path("triage/", views.TipTriageListView.as_view(), name="tip_list"),
    path("triage/<int:pk>/", views.TipDetailView.as_view(), name="tip_detail"),
]
