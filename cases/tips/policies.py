"""Who may do what to a tip from the public: the one rule (docs/access.md, "Tip").

Tips are triaged by the network's coordinators: coordinators of the coordinating agency
(`Agency.is_coordinator`) and of the regional centres (a centre on the membership), with
the capability to triage. They see every tip. A tip forwarded to an agency is seen by that
agency's staff with the capability to read tips; only the coordinators triage.
"""

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from cases.tips.models import Tip
from network.policies import (
    DENIED,
    Access,
    Basis,
    Policy,
    agency_id_of,
    allow,
    membership_of,
    register,
)

if TYPE_CHECKING:
    from network.http import AnyUser


def is_tip_coordinator(user: "AnyUser") -> bool:
    """Coordinators of the coordinating agency and of the regional centres triage the
    public's tips (both are data: the agency's flag, the membership's centre)."""
    membership = membership_of(user)
    return bool(
        membership is not None
        and user.has_perm("cases.triage_tips")
        and (membership.agency.is_coordinator or membership.centre_id is not None)
    )


@register
class TipPolicy(Policy[Tip]):
    model = Tip
    actions = ("view", "triage")
    codename_actions = {"triage_tip": "triage"}

    def scope(
        self, user: "AnyUser", action: str = "view", queryset: QuerySet[Tip] | None = None
    ) -> QuerySet[Tip]:
        self._check(action)
        queryset = Tip.objects.all() if queryset is None else queryset
        if is_tip_coordinator(user):
            return queryset.all()
        agency_id = agency_id_of(user)
        if action != "view" or agency_id is None or not user.has_perm("cases.work_on_tips"):
            return queryset.none()
        return queryset.filter(forwarded_to_id=agency_id)

    def decide(self, user: "AnyUser", action: str, obj: Tip) -> Access:
        self._check(action)
        if is_tip_coordinator(user):
            return allow(Basis.COORDINATION)
        agency_id = agency_id_of(user)
        if (
            action == "view"
            and agency_id is not None
            and obj.forwarded_to_id == agency_id
            and user.has_perm("cases.work_on_tips")
        ):
            return allow(Basis.FORWARDED)
        return DENIED
