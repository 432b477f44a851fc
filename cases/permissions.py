"""Who may do what with employers and cases.

Capabilities (role level) are registered with the network's registry; the object-level
rules below decide what a user may do to one case they can already see.
"""

from django.db.models import Q
from django.utils import timezone

from network.models import Role
from network.permissions import grant

CASE_WORK = (
    "cases.view_employer",
    "cases.add_employer",
    "cases.view_case",
    "cases.add_case",
    "cases.change_case",
    "cases.share_case",
    "cases.export_case",
    "cases.break_glass_case",
    "cases.add_casenote",
    "cases.add_caseattachment",
)
REFERRAL_WORK = (
    "cases.view_victimreferral",
    "cases.add_victimreferral",
    "cases.change_victimreferral",
    "cases.reveal_identity",
    "cases.share_victimreferral",
    "cases.export_victimreferral",
    "cases.view_referral_statistics",
)
grant(Role.STAFF, *CASE_WORK, *REFERRAL_WORK, "cases.view_tip")
# Triage of the public's tips: coordinators (of AV and the regional centres; see
# cases.tips.querysets.is_tip_coordinator).
grant(Role.COORDINATOR, *CASE_WORK, *REFERRAL_WORK, "cases.view_tip", "cases.triage_tip")
# Analysts see referrals only as k-anonymous aggregates, never rows.
grant(Role.ANALYST, "cases.view_employer", "cases.view_referral_statistics")
grant(Role.AUDITOR, "cases.view_employer", "cases.view_accessreview", "cases.change_accessreview")
grant(Role.ADMIN, "cases.view_employer")


def _is_owner(user, case) -> bool:
    membership = user.active_membership
    return membership is not None and membership.agency_id == case.owner_agency_id


def can_edit(user, case) -> bool:
    """The owner agency, an agency with an active edit share, or a named user with an
    active edit grant may change a case."""
    if not user.has_perm("cases.change_case"):
        return False
    if _is_owner(user, case):
        return True
    active = Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    edit = Q(permission__codename="change_case") & active
    membership = user.active_membership
    if membership and case.shares.filter(edit, group_id=membership.agency.group_id).exists():
        return True
    return case.personal_grants.filter(edit, user=user).exists()


def can_share(user, case) -> bool:
    """Only the owner agency decides who else may see its case."""
    return user.has_perm("cases.share_case") and _is_owner(user, case)
