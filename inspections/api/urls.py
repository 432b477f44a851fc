from rest_framework.routers import SimpleRouter

from inspections.api import views

router = SimpleRouter()
router.register("inspections", views.InspectionViewSet, basename="inspection")
router.register("findings", views.FindingViewSet, basename="finding")
router.register("follow-ups", views.FollowUpViewSet, basename="followup")
router.register("operations", views.OperationViewSet, basename="operation")

urlpatterns = router.urls
