"""Reads of cases. Every one starts at `Case.objects.visible_to(user)`."""

from typing import TYPE_CHECKING, Self

from django.apps import apps
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from network.querysets import ScopedQuerySet

if TYPE_CHECKING:
    from network.http import AnyUser


class VictimReferralQuerySet(ScopedQuerySet):
    def visible_to(self, user: "AnyUser") -> Self:
        """Referrals of the user's agency (referring or receiving), every referral for
        Jämställdhetsmyndigheten (the national coordinator), and explicit shares. Only for
        roles that work with referrals at all: analysts and auditors never see rows."""
        if not user.is_authenticated:
            return self.none()
        membership = user.active_membership
        if membership is None or not user.has_perm("cases.view_victimreferral"):
            return self.none()
        if membership.agency.is_national_coordinator:
            return self.all()
        group_grant = apps.get_model("cases", "ReferralGroupObjectPermission")
        user_grant = apps.get_model("cases", "ReferralUserObjectPermission")
        now = timezone.now()
        active = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        shared = Exists(
            group_grant.objects.filter(  # type: ignore[misc]  # group_id None: no rows
                active, content_object=OuterRef("pk"), group_id=membership.agency.group_id
            )
        )
        personal = Exists(
            user_grant.objects.filter(active, content_object=OuterRef("pk"), user=user)
        )
        agency_id = membership.agency_id
        return self.filter(
            Q(referring_agency_id=agency_id) | Q(receiving_agency_id=agency_id) | shared | personal
        )
