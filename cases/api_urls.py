"""The HTTP API of the `cases` app under /api/v1/: one router, each domain's viewsets."""

from rest_framework.routers import SimpleRouter

from cases.coordination.api import AccessReviewViewSet, CaseViewSet
from cases.employers.api import EmployerViewSet
from cases.referrals.api import ReferralViewSet
from cases.tips.api import TipViewSet

router = SimpleRouter()
router.register("employers", EmployerViewSet, basename="employer")
router.register("cases", CaseViewSet, basename="case")
router.register("access-reviews", AccessReviewViewSet, basename="accessreview")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("tips", TipViewSet, basename="tip")

urlpatterns = router.urls
