"""One FilterSet per list, shared by the HTML pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from cases.referrals.models import ReceivingBody, ReferralStatus, VictimReferral
from network.filters import StrictBooleanFilter


class ReferralFilterSet(django_filters.FilterSet):
    """Filters on a referral list. Deliberately no search by identifier or name: it would tell
    anyone who can list referrals whether a given person has been referred."""

    reference = django_filters.CharFilter(lookup_expr="iexact", label=_("reference"))
    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices, label=_("status"))
    receiving_body = django_filters.ChoiceFilter(
        choices=ReceivingBody.choices, label=_("receiving body")
    )
    is_child = StrictBooleanFilter(label=_("child"))

    class Meta:
        model = VictimReferral
        fields = ["reference", "status", "receiving_body", "is_child"]
