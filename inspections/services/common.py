"""What the topic modules of inspections/services/ share: the actor's agency, the
coordinator's check and the one way an inspection changes status (audited, versioned)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inspections import states
from inspections.models import Inspection
from network.models import Agency, User
from network.policies import require
from network.services import record_event


def agency_of(actor: User) -> Agency:
    """The actor's agency; an account without one acts for no agency and may write nothing."""
    agency = actor.agency
    if agency is None:
        raise PermissionDenied(_("Your account is not connected to an agency."))
    return agency


COORDINATORS_ONLY = gettext_lazy("Only the coordinating agency's coordinators may do this.")


def require_coordinator(actor: User, inspection: Inspection) -> None:
    """Changing an inspection itself is the coordinating agency's coordinators' right."""
    require(actor, "change", inspection, COORDINATORS_ONLY)


ON_SITE_ONLY = gettext_lazy("Only the coordinator or an agency on site may do this.")


def set_status(
    inspection: Inspection, target: str, *, actor: User, reason: str = "", **extra: Any
) -> None:
    """The one way an inspection changes status: checked against
    inspections/states.py, versioned (for the pages' stale-version check) and audited with
    the extra fields set along with it. The caller holds the row lock."""
    states.INSPECTION_STATES.check(inspection.status, target, reason)
    before = inspection.status
    inspection.status = target
    if reason:
        inspection.status_reason = reason.strip()
    for field, value in extra.items():
        setattr(inspection, field, value)
    inspection.version += 1
    inspection.save()
    record_event(
        "inspection.status_changed",
        actor=actor,
        obj=inspection,
        purpose=reason.strip(),
        changes={"status": [before, target], **{k: str(v) for k, v in extra.items()}},
    )
