from django.urls import path
from rest_framework.routers import SimpleRouter

from inspections.api import risk, views

router = SimpleRouter()
router.register("inspections", views.InspectionViewSet, basename="inspection")
router.register("findings", views.FindingViewSet, basename="finding")
router.register("follow-ups", views.FollowUpViewSet, basename="followup")
router.register("operations", views.OperationViewSet, basename="operation")
router.register("inspection-imports", views.ImportJobViewSet, basename="inspection-import")

urlpatterns = [
    path(
        "employers/<str:orgnr>/profile/",
        risk.EmployerProfileView.as_view(),
        name="employer-profile",
    ),
    path("risk/candidates/", risk.RiskCandidatesView.as_view(), name="risk-candidates"),
    path("risk/plan/", risk.RiskPlanView.as_view(), name="risk-plan"),
    *router.urls,
]
