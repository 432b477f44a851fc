from rest_framework.routers import SimpleRouter

from cases.api import referrals, tips, views

router = SimpleRouter()
router.register("employers", views.EmployerViewSet, basename="employer")
router.register("cases", views.CaseViewSet, basename="case")
router.register("access-reviews", views.AccessReviewViewSet, basename="accessreview")
router.register("referrals", referrals.ReferralViewSet, basename="referral")
router.register("tips", tips.TipViewSet, basename="tip")

urlpatterns = router.urls
