"""Who may do what to a victim referral: the one rule (docs/access.md, "Victim referral").

Only roles that work with referrals see rows at all (analysts and auditors see k-anonymous
aggregates, never a referral). Among them a referral is seen by the national coordinator for
victims (`Agency.is_national_coordinator`, every referral), by the referring and the
receiving agency, by an agency it is shared with (active share) and by a named person with
an active personal grant. The basis recorded is the first of these that holds.

Working the referral (status, consent, notes, support, reflection periods, case owner),
seeing the person's identity and sharing it are for those who hold it (the national
coordinator, the referring and the receiving agency), never for a share or a personal
grant, which only read. Each action needs its role capabilities (`CAPABILITIES`): change
the capability to work referrals, reveal the identity capability, share both the change
and the share capability.

Shares and grants are django-guardian's direct foreign-key rows, and so are the holders'
relations (`owner` rows, cases/grants.py `write_referral_holder_rows`), so guardian's
`get_objects_for_user` gives this rule's answer; the policy reads only the shares and
grants (`owner=False`) and the referral's own columns.
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


# The role capabilities each action needs besides the relation to the referral (never rows;
# docs/access.md, "django-guardian"). Guardian is asked for the same conjunction:
# `get_objects_for_user(user, [object permission, *CAPABILITIES[action]])`.
CAPABILITIES: dict[str, tuple[str, ...]] = {
    "view": ("cases.work_on_referrals",),
    "change": ("cases.work_on_referrals", "cases.edit_referrals"),
    "reveal": ("cases.work_on_referrals", "cases.reveal_identity"),
    "share": ("cases.work_on_referrals", "cases.edit_referrals", "cases.share_referrals"),
}


@register
class ReferralPolicy(Policy[VictimReferral]):
    model = VictimReferral
    actions = ("view", "change", "reveal", "share")
    read_event = "referral.viewed"

    @staticmethod
    def _capable(user: "AnyUser", action: str) -> bool:
        return all(user.has_perm(perm) for perm in CAPABILITIES[action])

    def scope(
        self,
        user: "AnyUser",
        action: str = "view",
        queryset: QuerySet[VictimReferral] | None = None,
    ) -> QuerySet[VictimReferral]:
        self._check(action)
        queryset = VictimReferral.objects.all() if queryset is None else queryset
        membership = membership_of(user)
        if membership is None or not self._capable(user, action):
            return queryset.none()
        if membership.agency.is_national_coordinator:
            return queryset.all()
        agency_id = membership.agency_id
        holds = Q(referring_agency_id=agency_id) | Q(receiving_agency_id=agency_id)
        if action != "view":
            return queryset.filter(holds)
        now = timezone.now()
        shared = Exists(
            _active(ReferralGroupObjectPermission, now).filter(
                content_object=OuterRef("pk"), group_id=membership.agency.group_id, owner=False
            )
        )
        personal = Exists(
            _active(ReferralUserObjectPermission, now).filter(
                content_object=OuterRef("pk"), user=user
            )
        )
        return queryset.filter(holds | shared | personal)

    def decide(self, user: "AnyUser", action: str, obj: VictimReferral) -> Access:
        self._check(action)
        membership = membership_of(user)
        if membership is None or not self._capable(user, action):
            return DENIED
        if membership.agency.is_national_coordinator:
            return allow(Basis.NATIONAL_COORDINATOR)
        if _holds(membership, obj):
            return allow(Basis.REFERRAL)
        if action != "view":
            return DENIED  # a share or personal grant only reads
        now = timezone.now()
        share = (
            _active(ReferralGroupObjectPermission, now)
            .filter(content_object=obj, group_id=membership.agency.group_id, owner=False)
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


def may_be_case_owner(person: "AnyUser", referral: VictimReferral) -> bool:
    """A referral's case owner works at an agency that works it: the receiving or the
    referring agency, or the national coordinator."""
    membership = membership_of(person)
    return bool(
        membership is not None
        and (membership.agency.is_national_coordinator or _holds(membership, referral))
    )
