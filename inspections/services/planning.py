"""Planning an inspection: the workplace, the employers met, the agencies asked to take part
and their answers (the first accepted on-site agency makes the inspection staffed)."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.employers.models import Employer
from inspections.choices import (
    AssignmentStatus,
    EmployerRole,
    InspectionStatus,
    ParticipationMode,
    SelectionBasis,
)
from inspections.models import (
    AgencyAssignment,
    ControlOperation,
    Inspection,
    InspectionEmployer,
    InspectionSequence,
    Workplace,
)
from inspections.services.common import agency_of, require_coordinator, set_status
from inspections.services.operations import OPEN_OPERATION_STATES
from network.identifiers import parse_orgnr
from network.models import Agency, County, Membership, Role, User
from network.outbox import enqueue_mail
from network.policies import require
from network.services import next_reference, record_event

# Workplace model fields -> the names the caller used (API and forms say "address").
WORKPLACE_INPUT = {"street_address": "address"}


def _employers(entries: Iterable[str | dict[str, str]]) -> list[tuple[Employer, str]]:
    """[orgnr or {"orgnr", "role"}] -> registered employers with their roles."""
    result: list[tuple[Employer, str]] = []
    errors: list[str] = []
    for entry in entries:
        orgnr, role = (
            (entry, EmployerRole.EMPLOYER)
            if isinstance(entry, str)
            else (
                entry.get("orgnr", ""),
                entry.get("role", EmployerRole.EMPLOYER),
            )
        )
        try:
            digits = parse_orgnr(orgnr).digits
        except ValidationError as exc:
            errors.extend(f"{orgnr}: {message}" for message in exc.messages)
            continue
        employer = Employer.objects.filter(orgnr=digits).first()
        if employer is None:
            errors.append(
                _("%(orgnr)s: no employer with this number is registered.") % {"orgnr": orgnr}
            )
            continue
        if role not in EmployerRole.values:
            errors.append(_("%(orgnr)s: unknown role %(role)s.") % {"orgnr": orgnr, "role": role})
            continue
        result.append((employer, role))
    if errors:
        raise ValidationError({"employers": errors})
    return result


@transaction.atomic
def plan_inspection(
    *,
    workplace: dict[str, Any] | Workplace,
    planned_date: date,
    employers: Iterable[str | dict[str, str]] = (),
    operation: ControlOperation | None = None,
    unannounced: bool = True,
    selection_basis: str = "",
    actor: User,
) -> Inspection:
    """Plan an inspection of a workplace, coordinated by the actor's agency. Dates in the
    past are allowed: controls are often recorded after the fact. `workplace` is either the
    details of a new workplace or one already known (a control again at the same place)."""
    agency = agency_of(actor)
    if not actor.has_perm("inspections.add_inspection"):
        raise PermissionDenied(_("Only coordinators plan inspections."))
    if operation is not None:
        # Seeing an operation (through an inspection of one's own in it) is not a right to
        # plan into it; the refusal says nothing about what else is in it.
        require(
            actor, "add_inspection", operation, _("Only the operation's coordinators plan into it.")
        )
    if selection_basis and selection_basis not in SelectionBasis.values:
        raise ValidationError({"selection_basis": [_("Choose a selection basis from the list.")]})
    if operation is not None and operation.status not in OPEN_OPERATION_STATES:
        raise ValidationError({"operation": [_("The operation is finished: choose an open one.")]})
    employer_roles = _employers(employers)
    place = workplace if isinstance(workplace, Workplace) else _new_workplace(workplace)
    year = planned_date.year
    inspection = Inspection.objects.create(
        reference=next_reference(InspectionSequence, "KO", year),
        operation=operation,
        workplace=place,
        coordinating_agency=agency,
        planned_date=planned_date,
        unannounced=unannounced,
        selection_basis=selection_basis,
        created_by=actor,
    )
    # bulk_create sends no signals: the inspection's own save above marked its ranking facts
    # stale in this transaction (inspections/facts.py), and the employers commit with it.
    InspectionEmployer.objects.bulk_create(
        [InspectionEmployer(inspection=inspection, employer=e, role=r) for e, r in employer_roles]
    )
    record_event(
        "inspection.planned",
        actor=actor,
        obj=inspection,
        purpose=inspection.reference,
        changes={"selection_basis": selection_basis} if selection_basis else None,
    )
    return inspection


def _new_workplace(workplace: dict[str, Any]) -> Workplace:
    county = County.objects.filter(code=workplace.get("county")).first()
    if county is None:
        raise ValidationError({"workplace.county": [_("Choose a county code, 01-25.")]})
    place = Workplace(
        name=workplace.get("name", "").strip(),
        street_address=workplace.get("address", "").strip(),
        postal_code=workplace.get("postal_code", "").strip(),
        city=workplace.get("city", "").strip(),
        municipality=workplace.get("municipality", ""),
        county=county,
        sni=workplace.get("sni", ""),
        workplace_type=workplace.get("workplace_type", "premises"),
    )
    try:
        place.full_clean()
    except ValidationError as exc:
        raise ValidationError(
            {f"workplace.{WORKPLACE_INPUT.get(f, f)}": ms for f, ms in exc.message_dict.items()}
        ) from None
    place.save()
    return place


@transaction.atomic
def assign_agency(
    inspection: Inspection, *, agency: Agency, mode: str, staff: Iterable[User] = (), actor: User
) -> AgencyAssignment:
    """Ask an agency to take part. Its members are told by e-mail once this commits (the
    mail says only that there is an assignment: an unannounced control must not leak)."""
    require_coordinator(actor, inspection)
    if inspection.status not in {InspectionStatus.PLANNED, InspectionStatus.STAFFED}:
        raise ValidationError({"agency": [_("Agencies can only be assigned before the visit.")]})
    if mode not in ParticipationMode.values:
        raise ValidationError({"mode": [_("Choose on site, desk support or planning.")]})
    if inspection.assignments.filter(agency=agency).exists():
        raise ValidationError({"agency": [_("This agency is already assigned.")]})
    wrong_staff = [u.username for u in staff if u.agency is None or u.agency.pk != agency.pk]
    if wrong_staff:
        raise ValidationError({"staff": [_("Named staff must belong to the assigned agency.")]})
    assignment = AgencyAssignment.objects.create(
        inspection=inspection, agency=agency, mode=mode, assigned_by=actor
    )
    assignment.staff.set(staff)
    record_event(
        "inspection.agency_assigned",
        actor=actor,
        obj=inspection,
        changes={"agency": agency.code, "mode": mode},
    )
    mail_assignment(assignment.pk)
    return assignment


def _notified_members(agency: Agency) -> set[str]:
    """The addresses of the agency's caseworkers and coordinators."""
    return {
        m.user.email
        for m in Membership.objects.filter(agency=agency, active=True)
        .select_related("user")
        .exclude(user__email="")
        if {Role.STAFF, Role.COORDINATOR} & set(m.roles)
    }


@transaction.atomic
def mail_assignment(assignment_id: int) -> int:
    """Tell the assigned agency's caseworkers and coordinators that there is an assignment:
    the mails go into the outbox in the caller's transaction (network/outbox.py), once per
    assignment (`notified_at` is claimed first). Returns how many mails were queued.

    The mail names no workplace, employer or date: an unannounced control must not leak
    through e-mail."""
    claimed = AgencyAssignment.objects.filter(pk=assignment_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return 0
    assignment = AgencyAssignment.objects.select_related("inspection", "agency").get(
        pk=assignment_id
    )
    recipients = _notified_members(assignment.agency)
    link = settings.AKRIM_BASE_URL.rstrip("/") + reverse(
        "inspections:inspection_detail", args=[assignment.inspection_id]
    )
    body = (
        f"{assignment.agency.name_sv} har fått en förfrågan om att delta i en gemensam "
        f"kontroll ({assignment.inspection.reference}).\n\n"
        f"Logga in för att se den och svara: {link}\n\n"
        "Kontrollen är oanmäld. Berätta inte om den för någon utanför uppdraget."
    )
    messages = enqueue_mail(
        kind="inspection.assignment",
        subject="akrim: ny förfrågan om gemensam kontroll",
        body=body,
        to=recipients,
    )
    return len(messages)


@transaction.atomic
def respond_to_assignment(
    assignment: AgencyAssignment, *, accept: bool, reason: str = "", actor: User
) -> AgencyAssignment:
    """The assigned agency accepts or declines. The first accepted on-site agency makes the
    inspection staffed."""
    agency = agency_of(actor)
    require(actor, "respond", assignment, _("Only the assigned agency may answer."))
    inspection = Inspection.objects.select_for_update().get(pk=assignment.inspection_id)
    if inspection.status not in {InspectionStatus.PLANNED, InspectionStatus.STAFFED}:
        raise ValidationError({"accept": [_("The inspection is no longer being planned.")]})
    if not accept and not reason.strip():
        raise ValidationError({"reason": [_("Say why your agency declines.")]})
    assignment.status = AssignmentStatus.ACCEPTED if accept else AssignmentStatus.DECLINED
    assignment.decline_reason = "" if accept else reason.strip()
    assignment.answered_by = actor
    assignment.answered_at = timezone.now()
    assignment.save()
    record_event(
        "inspection.assignment_accepted" if accept else "inspection.assignment_declined",
        actor=actor,
        obj=inspection,
        purpose=assignment.decline_reason,
        changes={"agency": agency.code, "mode": assignment.mode},
    )
    staffed = inspection.assignments.filter(
        mode=ParticipationMode.ON_SITE, status=AssignmentStatus.ACCEPTED
    ).exists()
    if staffed and inspection.status == InspectionStatus.PLANNED:
        set_status(inspection, InspectionStatus.STAFFED, actor=actor)
    elif not staffed and inspection.status == InspectionStatus.STAFFED:
        set_status(inspection, InspectionStatus.PLANNED, actor=actor)
    return assignment
