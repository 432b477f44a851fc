from rest_framework.routers import SimpleRouter

from cases.api import referrals, views

router = SimpleRouter()
router.register("employers", views.EmployerViewSet, basename="employer")
router.register("cases", views.CaseViewSet, basename="case")
router.register("access-reviews", views.AccessReviewViewSet, basename="accessreview")
router.register("referrals", referrals.ReferralViewSet, basename="referral")

urlpatterns = router.urls
