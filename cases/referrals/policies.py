"""Who may do what to a victim referral: the one rule (docs/access.md, "Victim referral").

Only roles that work with referrals see rows at all (analysts and auditors see k-anonymous
aggregates, never a referral). Among them a referral is seen by the national coordinator for
victims (`Agency.is_national_coordinator`, every referral), by the referring and the
receiving agency, by an agency it is shared with (active share) and by a named person with
an active personal grant. The basis recorded is the first of these that holds.

Working the referral (status, consent, notes, support, reflection periods, case owner) is
for those who hold it, never for a share, which only reads:

- change: the referring or receiving agency with the change or identity capability, or the
  national coordinator with the identity capability;
- reveal (see the person's identity): the identity capability and the national coordinator,
  the referring or the receiving agency;
- share: the capability to share and the change right.

Shares and grants are django-guardian's direct foreign-key rows; only `_active` reads them.
"""

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from cases.referrals.models import (
    ReferralGroupObjectPermission,
    ReferralUserObjectPermission,
    VictimReferral,
)
from network.policies import (
    DENIED,
    Access,
    Basis,
    Policy,
    allow,
    membership_of,
    register,
)

if TYPE_CHECKING:
    from network.http import AnyUser


def _active(model: Any, now: Any = None) -> QuerySet[Any]:
    """Share or grant rows of `model` that have not expired."""
    now = now or timezone.now()
    rows: QuerySet[Any] = model.objects.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    return rows


def _holds(membership: Any, referral: VictimReferral) -> bool:
    return membership is not None and membership.agency_id in {
        referral.referring_agency_id,
        referral.receiving_agency_id,
    }


@register
class ReferralPolicy(Policy[VictimReferral]):
    model = VictimReferral
    actions = ("view", "change", "reveal", "share")
    codename_actions = {"reveal_identity": "reveal"}
    read_event = "referral.viewed"

    def scope(
        self,
        user: "AnyUser",
        action: str = "view",
        queryset: QuerySet[VictimReferral] | None = None,
    ) -> QuerySet[VictimReferral]:
        self._check(action)
        queryset = VictimReferral.objects.all() if queryset is None else queryset
        membership = membership_of(user)
        if membership is None or not user.has_perm("cases.view_victimreferral"):
            return queryset.none()
        agency_id = membership.agency_id
        holds = Q(referring_agency_id=agency_id) | Q(receiving_agency_id=agency_id)
        national = membership.agency.is_national_coordinator
        if action == "view":
            if national:
                return queryset.all()
            now = timezone.now()
            shared = Exists(
                _active(ReferralGroupObjectPermission, now).filter(
                    content_object=OuterRef("pk"), group_id=membership.agency.group_id
                )
            )
            personal = Exists(
                _active(ReferralUserObjectPermission, now).filter(
                    content_object=OuterRef("pk"), user=user
                )
            )
            return queryset.filter(holds | shared | personal)
        reveal = user.has_perm("cases.reveal_identity")
        if action == "reveal":
            if not reveal:
                return queryset.none()
            return queryset.all() if national else queryset.filter(holds)
        if action == "share" and not user.has_perm("cases.share_victimreferral"):
            return queryset.none()
        if national and reveal:
            return queryset.all()
        if reveal or user.has_perm("cases.change_victimreferral"):
            return queryset.filter(holds)
        return queryset.none()

    def decide(self, user: "AnyUser", action: str, obj: VictimReferral) -> Access:
        self._check(action)
        membership = membership_of(user)
        if membership is None or not user.has_perm("cases.view_victimreferral"):
            return DENIED
        national = membership.agency.is_national_coordinator
        holds = _holds(membership, obj)
        if action == "view":
            if national:
                return allow(Basis.NATIONAL_COORDINATOR)
            if holds:
                return allow(Basis.REFERRAL)
            now = timezone.now()
            share = (
                _active(ReferralGroupObjectPermission, now)
                .filter(content_object=obj, group_id=membership.agency.group_id)
                .order_by("-granted_at", "-pk")
                .first()
            )
            if share is not None:
                return allow(Basis.SHARE, legal_basis=share.legal_basis, via=f"share:{share.pk}")
            grant = (
                _active(ReferralUserObjectPermission, now)
                .filter(content_object=obj, user_id=user.pk)
                .order_by("-granted_at", "-pk")
                .first()
            )
            if grant is not None:
                return allow(
                    Basis.PERSONAL_GRANT, legal_basis=grant.legal_basis, via=f"grant:{grant.pk}"
                )
            return DENIED
        reveal = user.has_perm("cases.reveal_identity")
        if action == "reveal":
            if reveal and national:
                return allow(Basis.NATIONAL_COORDINATOR)
            return allow(Basis.REFERRAL) if reveal and holds else DENIED
        if action == "share" and not user.has_perm("cases.share_victimreferral"):
            return DENIED
        if national and reveal:
            return allow(Basis.NATIONAL_COORDINATOR)
        if holds and (reveal or user.has_perm("cases.change_victimreferral")):
            return allow(Basis.REFERRAL)
        return DENIED


def may_be_case_owner(person: "AnyUser", referral: VictimReferral) -> bool:
    """A referral's case owner works at an agency that works it: the receiving or the
    referring agency, or the national coordinator."""
    membership = membership_of(person)
    return bool(
        membership is not None
        and (membership.agency.is_national_coordinator or _holds(membership, referral))
    )
