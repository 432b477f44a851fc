"""The models of the `cases` app, gathered for Django: each domain keeps its own in its package
(`cases/employers`, `cases/coordination`, `cases/referrals`, `cases/tips`). Import a model from
its package; this module exists so the app registry finds them all under the app label
`cases` (see docs/architecture.md)."""

from cases.coordination.models import (
    AccessReview,
    Case,
    CaseAttachment,
    CaseGroupObjectPermission,
    CaseNote,
    CaseSequence,
    CaseUserObjectPermission,
)
from cases.employers.models import Employer
from cases.referrals.models import (
    ReferralGroupObjectPermission,
    ReferralNote,
    ReferralSequence,
    ReferralUserObjectPermission,
    ReflectionPeriod,
    SupportMeasure,
    VictimReferral,
)
from cases.tips.models import EmployerLink, Tip, TipDrop

__all__ = [
    "AccessReview",
    "Case",
    "CaseAttachment",
    "CaseGroupObjectPermission",
    "CaseNote",
    "CaseSequence",
    "CaseUserObjectPermission",
    "Employer",
    "EmployerLink",
    "ReferralGroupObjectPermission",
    "ReferralNote",
    "ReferralSequence",
    "ReferralUserObjectPermission",
    "ReflectionPeriod",
    "SupportMeasure",
    "Tip",
    "TipDrop",
    "VictimReferral",
]
