"""Who may do what with employers and cases.

Capabilities (role level) are registered with the network's registry. What a user may do
to one case, referral or tip is decided by that model's policy (`cases/<domain>/policies.py`).
"""

from network.models import Role
from network.permissions import grant

CASE_WORK = (
    "cases.work_on_employers",
    "cases.add_employer",
    "cases.work_on_cases",
    "cases.add_case",
    "cases.edit_cases",
    "cases.share_cases",
    "cases.export_case",
    "cases.break_glass_case",
    "cases.add_casenote",
    "cases.add_caseattachment",
)
REFERRAL_WORK = (
    "cases.work_on_referrals",
    "cases.add_victimreferral",
    "cases.edit_referrals",
    "cases.reveal_identity",
    "cases.share_referrals",
    "cases.export_victimreferral",
    "cases.view_referral_statistics",
)
grant(Role.STAFF, *CASE_WORK, *REFERRAL_WORK, "cases.work_on_tips")
# Triage of the public's tips: coordinators (of AV and the regional centres; see
# cases.tips.policies.is_tip_coordinator).
grant(Role.COORDINATOR, *CASE_WORK, *REFERRAL_WORK, "cases.work_on_tips", "cases.triage_tips")
# Analysts see referrals only as k-anonymous aggregates, never rows.
grant(Role.ANALYST, "cases.work_on_employers", "cases.view_referral_statistics")
grant(
    Role.AUDITOR,
    "cases.work_on_employers",
    "cases.work_on_access_reviews",
    "cases.edit_access_reviews",
)
grant(Role.ADMIN, "cases.work_on_employers")


def can_share(user, case) -> bool:
    """The case policy's "share" answer (cases/coordination/policies.py), asked by the share
    and grant services: Http404 for a case the user cannot see (as `require`), else whether
    they may share it."""
    from network.policies import decide, require

    require(user, "view", case)
    return bool(decide(user, "share", case))
