"""Control operations: planned by a coordinating agency, moved along draft -> planned ->
in progress -> follow-up -> closed (or cancelled before they start)."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from inspections.choices import InspectionStatus, OperationStatus
from inspections.models import ControlOperation, OperationSequence
from inspections.services.common import COORDINATORS_ONLY, agency_of
from network.models import Centre, User
from network.policies import require
from network.services import next_reference, record_event
from network.states import StateMachine


@transaction.atomic
def create_operation(
    *,
    title: str,
    period_start: date,
    period_end: date,
    selection_basis: str,
    scope: str = "regional",
    centre: Centre | None = None,
    focus_sni: Iterable[str] = (),
    actor: User,
) -> ControlOperation:
    """Plan a control operation coordinated by the actor's agency."""
    agency = agency_of(actor)
    if not actor.has_perm("inspections.add_controloperation"):
        raise PermissionDenied
    if period_end < period_start:
        raise ValidationError({"period_end": [_("The period must end after it starts.")]})
    operation = ControlOperation.objects.create(
        reference=next_reference(OperationSequence, "KI", period_start.year),
        title=title.strip(),
        scope=scope,
        centre=centre,
        period_start=period_start,
        period_end=period_end,
        focus_sni=list(focus_sni),
        selection_basis=selection_basis,
        coordinating_agency=agency,
        status=OperationStatus.PLANNED,
        created_by=actor,
    )
    record_event("operation.created", actor=actor, obj=operation)
    return operation


# Operations that still take new inspections: not yet in follow-up, closed or cancelled.
OPEN_OPERATION_STATES = (
    OperationStatus.DRAFT,
    OperationStatus.PLANNED,
    OperationStatus.IN_PROGRESS,
)


OPERATION_TRANSITIONS = {
    OperationStatus.DRAFT: {OperationStatus.PLANNED, OperationStatus.CANCELLED},
    OperationStatus.PLANNED: {OperationStatus.IN_PROGRESS, OperationStatus.CANCELLED},
    OperationStatus.IN_PROGRESS: {OperationStatus.FOLLOW_UP},
    OperationStatus.FOLLOW_UP: {OperationStatus.CLOSED},
    OperationStatus.CLOSED: set(),
    OperationStatus.CANCELLED: set(),
}


OPERATION_STATES = StateMachine(
    OPERATION_TRANSITIONS, choices=OperationStatus, needs_reason={OperationStatus.CANCELLED}
)
FINAL_INSPECTION_STATES = {
    InspectionStatus.CLOSED,
    InspectionStatus.CANCELLED,
    InspectionStatus.NOT_PERFORMED,
}


@transaction.atomic
def move_operation(
    operation: ControlOperation, *, status: str, reason: str = "", actor: User
) -> ControlOperation:
    """Move a control operation along draft → planned → in progress → follow-up → closed
    (or cancelled before it starts, with a reason). Only the coordinating agency's
    coordinators; closing needs every inspection in it finished."""
    agency_of(actor)
    require(actor, "change", operation, COORDINATORS_ONLY)
    locked = ControlOperation.objects.select_for_update().get(pk=operation.pk)
    OPERATION_STATES.check(locked.status, status, reason)
    if (
        status == OperationStatus.CLOSED
        and locked.inspections.exclude(status__in=FINAL_INSPECTION_STATES).exists()
    ):
        raise ValidationError({"status": [_("Close or cancel every inspection in it first.")]})
    before = locked.status
    locked.status = status
    locked.save(update_fields=["status"])
    record_event(
        "operation.status_changed",
        actor=actor,
        obj=locked,
        purpose=reason.strip(),
        changes={"status": [before, status]},
    )
    return locked
