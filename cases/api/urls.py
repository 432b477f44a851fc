from rest_framework.routers import SimpleRouter

from cases.api import views

router = SimpleRouter()
router.register("employers", views.EmployerViewSet, basename="employer")
router.register("cases", views.CaseViewSet, basename="case")
router.register("access-reviews", views.AccessReviewViewSet, basename="accessreview")

urlpatterns = router.urls
