"""An inspection after its planning: the visit performed or not, cancelled, closed. The
documented state is reached through the results (inspections/services/results.py)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.choices import FollowUpStatus, InspectionStatus
from inspections.models import Inspection
from inspections.services.common import ON_SITE_ONLY, require_coordinator, set_status
from network.models import User
from network.policies import require


@transaction.atomic
def perform_inspection(
    inspection: Inspection, *, performed_on: date, persons_checked: int, actor: User
) -> Inspection:
    """Record that the visit took place (coordinator, or staff of an on-site agency)."""
    require(actor, "perform", inspection, ON_SITE_ONLY)
    if performed_on > timezone.localdate():
        raise ValidationError({"performed_on": [_("The date cannot be in the future.")]})
    if persons_checked is None or persons_checked < 0:
        raise ValidationError({"persons_checked": [_("Enter the number of persons checked.")]})
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    set_status(
        inspection,
        InspectionStatus.PERFORMED,
        actor=actor,
        performed_on=performed_on,
        persons_checked=persons_checked,
    )
    return inspection


@transaction.atomic
def cancel_inspection(inspection: Inspection, *, reason: str, actor: User) -> Inspection:
    require_coordinator(actor, inspection)
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    set_status(inspection, InspectionStatus.CANCELLED, actor=actor, reason=reason)
    return inspection


@transaction.atomic
def mark_not_performed(inspection: Inspection, *, reason: str, actor: User) -> Inspection:
    require(actor, "perform", inspection, ON_SITE_ONLY)
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    set_status(inspection, InspectionStatus.NOT_PERFORMED, actor=actor, reason=reason)
    return inspection


@transaction.atomic
def close_inspection(inspection: Inspection, *, actor: User) -> Inspection:
    require_coordinator(actor, inspection)
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.follow_ups.filter(status=FollowUpStatus.OPEN).exists():
        raise ValidationError({"status": [_("Close the open follow-ups first.")]})
    set_status(inspection, InspectionStatus.CLOSED, actor=actor)
    return inspection
