"""Every write of joint controls: atomic, audited, with the acting user as `actor`.

Every service checks the actor's right itself through the model's policy
(inspections/policies.py: `require(actor, action, obj)`, 404 when the object is not visible,
403 when the action is not allowed) and never trusts its caller. A child created under a
parent (an inspection in an operation, a finding, a follow-up, a file) needs the parent's
*write* right, not only its visibility.
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.employers.models import Employer
from cases.grants import LegalBasis
from inspections import policies, states
from inspections.choices import (
    DECISION_TRANSITIONS,
    MONETARY_DECISIONS,
    RANKING_BASES,
    REPORTS_OF_CRIME,
    AssignmentStatus,
    DecisionStatus,
    EmployerRole,
    FollowUpStatus,
    InspectionStatus,
    OperationStatus,
    ParticipationMode,
    ReportedLaw,
    RightToWork,
    SelectionBasis,
    categories_for,
)
from inspections.filters import InspectionFilterSet
from inspections.models import (
    AgencyAssignment,
    ControlOperation,
    Decision,
    Finding,
    FindingDisclosure,
    FollowUp,
    IndustryRisk,
    Inspection,
    InspectionAttachment,
    InspectionEmployer,
    InspectionSequence,
    OperationSequence,
    PersonCount,
    Workplace,
)
from inspections.risk import SNI_PREFIX
from network import exports
from network.exceptions import StaleVersion
from network.files import attach
from network.identifiers import parse_orgnr
from network.models import Agency, Centre, County, Membership, Role, User
from network.names import countries
from network.outbox import enqueue_mail
from network.policies import record_read, require
from network.querystring import audited_filters
from network.services import next_reference, record_event
from network.states import StateMachine
from network.validation import require_member


def _agency_of(actor: User) -> Agency:
    agency = actor.agency
    if agency is None:
        raise PermissionDenied(_("Your account is not connected to an agency."))
    return agency


COORDINATORS_ONLY = gettext_lazy("Only the coordinating agency's coordinators may do this.")


def _require_coordinator(actor: User, inspection: Inspection) -> None:
    require(actor, "change", inspection, COORDINATORS_ONLY)


# Workplace model fields -> the names the caller used (API and forms say "address").
WORKPLACE_INPUT = {"street_address": "address"}


def _set_status(
    inspection: Inspection, target: str, *, actor: User, reason: str = "", **extra: Any
) -> None:
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


# --- operations -------------------------------------------------------------------------


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
    agency = _agency_of(actor)
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


# --- inspections ------------------------------------------------------------------------


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
    agency = _agency_of(actor)
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
    _require_coordinator(actor, inspection)
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
    agency = _agency_of(actor)
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
        _set_status(inspection, InspectionStatus.STAFFED, actor=actor)
    elif not staffed and inspection.status == InspectionStatus.STAFFED:
        _set_status(inspection, InspectionStatus.PLANNED, actor=actor)
    return assignment


ON_SITE_ONLY = gettext_lazy("Only the coordinator or an agency on site may do this.")


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
    _set_status(
        inspection,
        InspectionStatus.PERFORMED,
        actor=actor,
        performed_on=performed_on,
        persons_checked=persons_checked,
    )
    return inspection


@transaction.atomic
def cancel_inspection(inspection: Inspection, *, reason: str, actor: User) -> Inspection:
    _require_coordinator(actor, inspection)
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _set_status(inspection, InspectionStatus.CANCELLED, actor=actor, reason=reason)
    return inspection


@transaction.atomic
def mark_not_performed(inspection: Inspection, *, reason: str, actor: User) -> Inspection:
    require(actor, "perform", inspection, ON_SITE_ONLY)
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _set_status(inspection, InspectionStatus.NOT_PERFORMED, actor=actor, reason=reason)
    return inspection


@transaction.atomic
def submit_results(inspection: Inspection, *, actor: User) -> Inspection:
    """The actor's agency says its findings are complete (or that it found nothing). When
    every accepted agency has done so (or the coordinator
    stopped waiting for it, `mark_not_reporting`), the inspection is documented."""
    require(
        actor,
        "add_result",
        inspection,
        _("Only an agency that accepted to take part may submit results."),
    )
    assignment = policies.assignment_of(actor, inspection)
    if assignment is None:  # `add_result` above already asks for an accepted assignment
        raise PermissionDenied(_("Only an agency that accepted to take part may submit results."))
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.status != InspectionStatus.PERFORMED:
        raise ValidationError({"status": [_("Results are submitted after the visit.")]})
    if assignment.results_submitted_at is None:
        assignment.results_submitted_at = timezone.now()
        assignment.save(update_fields=["results_submitted_at"])
        record_event(
            "inspection.results_submitted",
            actor=actor,
            obj=inspection,
            changes={"agency": assignment.agency.code},
        )
    _document_when_complete(inspection, actor=actor)
    return inspection


def awaited_results(inspection: Inspection) -> QuerySet[AgencyAssignment]:
    """The accepted assignments whose results the inspection still waits for: neither
    submitted nor marked by the coordinator as not reporting. Every accepted agency counts,
    whatever its mode: a desk or planning agency may record findings too."""
    return inspection.assignments.filter(
        status=AssignmentStatus.ACCEPTED,
        results_submitted_at__isnull=True,
        results_waived_at__isnull=True,
    )


def _document_when_complete(inspection: Inspection, *, actor: User) -> None:
    """Performed -> documented once no accepted agency's results are awaited (the caller
    holds the inspection's row lock)."""
    if inspection.status == InspectionStatus.PERFORMED and not awaited_results(inspection).exists():
        _set_status(inspection, InspectionStatus.DOCUMENTED, actor=actor)


@transaction.atomic
def mark_not_reporting(
    inspection: Inspection, *, agency: Agency, reason: str, actor: User
) -> AgencyAssignment:
    """The coordinator stops waiting for an accepted agency's results, with a reason; when it
    was the last one awaited, the inspection is documented."""
    _require_coordinator(actor, inspection)
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.status != InspectionStatus.PERFORMED:
        raise ValidationError({"agency": [_("Only a performed inspection awaits results.")]})
    assignment = awaited_results(inspection).filter(agency=agency).first()
    if assignment is None:
        raise ValidationError({"agency": [_("The inspection is not waiting for this agency.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the agency does not report.")]})
    assignment.results_waived_at = timezone.now()
    assignment.results_waived_reason = reason.strip()
    assignment.save(update_fields=["results_waived_at", "results_waived_reason"])
    record_event(
        "inspection.results_waived",
        actor=actor,
        obj=inspection,
        purpose=assignment.results_waived_reason,
        changes={"agency": agency.code},
    )
    _document_when_complete(inspection, actor=actor)
    return assignment


@transaction.atomic
def close_inspection(inspection: Inspection, *, actor: User) -> Inspection:
    _require_coordinator(actor, inspection)
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.follow_ups.filter(status=FollowUpStatus.OPEN).exists():
        raise ValidationError({"status": [_("Close the open follow-ups first.")]})
    _set_status(inspection, InspectionStatus.CLOSED, actor=actor)
    return inspection


# --- results ----------------------------------------------------------------------------

# ISO 3166-1 alpha-2, as the API and the figures (persons_by_nationality) carry them.
COUNTRY_CODES = frozenset(str(code) for code in countries.countries)

RESULT_STATES = {InspectionStatus.PERFORMED, InspectionStatus.DOCUMENTED}


def _require_participant(actor: User, inspection: Inspection, capability: str) -> Agency:
    message = _("Only an agency that accepted to take part may record results.")
    require(actor, "add_result", inspection, message)
    if not actor.has_perm(capability):
        raise PermissionDenied(message)
    # The caller's object may be stale; the state that counts is the stored one.
    if (
        Inspection.objects.values_list("status", flat=True).get(pk=inspection.pk)
        not in RESULT_STATES
    ):
        raise ValidationError(
            {"status": [_("Record the visit as performed before recording results.")]}
        )
    return require_member(actor)


@transaction.atomic
def record_finding(
    inspection: Inspection,
    *,
    category: str,
    description: str = "",
    severity: str = "medium",
    legal_reference: str = "",
    secret: bool = False,
    employer: Employer | str | None = None,
    actor: User,
) -> Finding:
    """A finding of the actor's agency, from that agency's own category list, about one of
    the employers met (given as the employer or its organisation number; when the inspection
    has exactly one employer and none is given, that one; empty: the site as such)."""
    agency = _require_participant(actor, inspection, "inspections.add_finding")
    if category not in categories_for(agency.code):
        raise ValidationError(
            {"category": [_("This category is not one of your agency's finding categories.")]}
        )
    concerned = _employer_met(inspection, employer)
    finding = Finding(
        inspection=inspection,
        agency=agency,
        employer=concerned,
        category=category,
        description=description.strip(),
        severity=severity,
        legal_reference=legal_reference.strip(),
        secret=secret,
        created_by=actor,
    )
    finding.full_clean()
    finding.save()
    record_event(
        "finding.recorded",
        actor=actor,
        obj=finding,
        purpose=LegalBasis.AKRIM if not secret else "secret",
        changes={
            "inspection": inspection.pk,
            "category": category,
            "secret": secret,
            "employer": concerned.orgnr if concerned else None,
        },
    )
    return finding


def _employer_met(inspection: Inspection, employer: Employer | str | None) -> Employer | None:
    """The employer a finding concerns: one of those met at the inspection."""
    met = list(Employer.objects.filter(inspectionemployer__inspection=inspection))
    if employer is None or employer == "":
        return met[0] if len(met) == 1 else None
    if isinstance(employer, str):
        try:
            orgnr = parse_orgnr(employer).digits
        except ValidationError as error:
            raise ValidationError({"employer": error.messages}) from None
    else:
        orgnr = employer.orgnr
    for candidate in met:
        if candidate.orgnr == orgnr:
            return candidate
    raise ValidationError({"employer": [_("Choose one of the employers met at the inspection.")]})


@transaction.atomic
def disclose_finding(
    finding: Finding, *, agency: Agency, legal_basis: str, reason: str, actor: User
) -> FindingDisclosure:
    """Let another agency see a secret finding, recording why (owner agency only)."""
    require(actor, "disclose", finding, _("Only the agency that owns the finding may disclose it."))
    if legal_basis not in LegalBasis.values or legal_basis == LegalBasis.BREAK_THE_GLASS:
        raise ValidationError({"legal_basis": [_("Choose the legal basis for disclosure.")]})
    if len(reason.strip()) < 10:
        raise ValidationError({"reason": [_("Describe the reason (at least 10 characters).")]})
    disclosure, _created = FindingDisclosure.objects.update_or_create(
        finding=finding,
        agency=agency,
        defaults={"legal_basis": legal_basis, "reason": reason.strip(), "disclosed_by": actor},
    )
    record_event(
        "finding.disclosed",
        actor=actor,
        obj=finding,
        purpose=f"{legal_basis}: {reason.strip()}",
        changes={"agency": agency.code},
    )
    return disclosure


@transaction.atomic
def record_decision(
    finding: Finding,
    *,
    type: str,
    amount_sek: Decimal | None = None,
    decided_on: date | None = None,
    status: str = DecisionStatus.DECIDED,
    law: str = "",
    external_reference: str = "",
    actor: User,
) -> Decision:
    """A decision on a finding, by the agency that owns the finding. A police report or a
    report for prosecution names the law concerned."""
    require(
        actor, "add_decision", finding, _("Only the agency that owns the finding may decide on it.")
    )
    if type in MONETARY_DECISIONS and amount_sek is None:
        raise ValidationError({"amount_sek": [_("Enter the amount in SEK.")]})
    if type not in MONETARY_DECISIONS and amount_sek is not None:
        raise ValidationError({"amount_sek": [_("This type of decision has no amount.")]})
    if type in REPORTS_OF_CRIME and not law:
        law = ReportedLaw.OTHER  # clients of the first API version do not send one
    if type in REPORTS_OF_CRIME and law not in ReportedLaw.values:
        raise ValidationError({"law": [_("Choose the law the report concerns.")]})
    if type not in REPORTS_OF_CRIME and law:
        raise ValidationError({"law": [_("Only a report of a crime names a law.")]})
    if status not in (DecisionStatus.PROPOSED, DecisionStatus.DECIDED):
        raise ValidationError({"status": [_("A new decision is proposed or decided.")]})
    decision = Decision(
        finding=finding,
        agency=finding.agency,
        type=type,
        amount_sek=amount_sek,
        decided_on=decided_on or timezone.localdate(),
        status=status,
        law=law,
        external_reference=external_reference,
        created_by=actor,
    )
    decision.full_clean()
    decision.save()
    record_event(
        "decision.recorded",
        actor=actor,
        obj=decision,
        changes={
            "finding": finding.pk,
            "type": type,
            "amount_sek": str(amount_sek or ""),
            "status": status,
            "law": law,
        },
    )
    return decision


@transaction.atomic
def change_decision_status(
    decision: Decision,
    *,
    status: str,
    reason: str,
    decided_on: date | None = None,
    version: int | None = None,
    actor: User,
) -> Decision:
    """Move a decision along its way (inspections.choices.DECISION_TRANSITIONS), by staff of
    the decision's agency, with a reason. The row is locked, so two changes take turns and
    the second is judged against the first's result."""
    require(actor, "change", decision, _("Only the agency that made the decision may change it."))
    locked = Decision.objects.select_for_update().get(pk=decision.pk)
    if version is not None and locked.version != version:
        raise StaleVersion(locked.version)
    if status not in DecisionStatus.values:
        raise ValidationError({"status": [_("Choose a status.")]})
    DECISION_STATES.check(locked.status, status)
    if status == DecisionStatus.PAID and locked.type not in MONETARY_DECISIONS:
        raise ValidationError({"status": [_("Only a decision with an amount can be paid.")]})
    if len(reason.strip()) < 3:
        raise ValidationError({"reason": [_("Give the reason for the change.")]})
    previous = locked.status
    locked.status = status
    if previous == DecisionStatus.PROPOSED and status == DecisionStatus.DECIDED:
        locked.decided_on = decided_on or timezone.localdate()
    locked.version += 1
    locked.save(update_fields=["status", "decided_on", "version"])
    record_event(
        "decision.status_changed",
        actor=actor,
        obj=locked,
        purpose=reason.strip(),
        changes={"status": [previous, status]},
    )
    return locked


@transaction.atomic
def record_person_counts(
    inspection: Inspection, *, counts: list[dict[str, Any]], actor: User
) -> int:
    """Replace the actor's agency's counts of persons checked (no names, counts only)."""
    agency = _require_participant(actor, inspection, "inspections.add_personcount")
    rows, errors, seen = [], {}, set()
    for index, item in enumerate(counts):
        status, nationality = item.get("right_to_work"), (item.get("nationality") or "").upper()
        count = item.get("count")
        if status not in RightToWork.values:
            errors[f"counts[{index}].right_to_work"] = [_("Choose a right-to-work status.")]
        elif (status, nationality) in seen:  # one row per kind: the table's unique constraint
            errors[f"counts[{index}].right_to_work"] = [
                _("This status and nationality are already counted above; add them together.")
            ]
        seen.add((status, nationality))
        if nationality and nationality not in COUNTRY_CODES:
            errors[f"counts[{index}].nationality"] = [_("Choose a country from the list.")]
        if not isinstance(count, int) or count < 1:
            errors[f"counts[{index}].count"] = [_("Enter a whole number of at least 1.")]
        if isinstance(status, str) and isinstance(count, int):  # else an error above
            rows.append(
                PersonCount(
                    inspection=inspection,
                    agency=agency,
                    right_to_work=status,
                    nationality=nationality,
                    count=count,
                )
            )
    if errors:
        raise ValidationError(errors)
    # Two saves at once would both delete nothing and both insert: take turns on the inspection.
    Inspection.objects.select_for_update().only("pk").get(pk=inspection.pk)
    PersonCount.objects.filter(inspection=inspection, agency=agency).delete()
    PersonCount.objects.bulk_create(rows)
    record_event(
        "inspection.persons_recorded",
        actor=actor,
        obj=inspection,
        changes={"agency": agency.code, "total": sum(r.count for r in rows)},
    )
    return sum(r.count for r in rows)


@transaction.atomic
def add_follow_up(
    inspection: Inspection,
    *,
    title: str,
    due_date: date,
    finding: Finding | None = None,
    assignee: User | None = None,
    actor: User,
) -> FollowUp:
    agency = _agency_of(actor)
    require(actor, "add_followup", inspection)
    if not title.strip():
        raise ValidationError({"title": [_("Describe the task.")]})
    if finding is not None and (
        finding.inspection_id != inspection.pk
        or not Finding.objects.visible_to(actor).filter(pk=finding.pk).exists()
    ):
        raise ValidationError({"finding": [_("Choose a finding of this inspection.")]})
    if assignee is not None and (assignee.agency is None or assignee.agency.pk != agency.pk):
        raise ValidationError({"assignee": [_("The owner must belong to your agency.")]})
    follow_up = FollowUp.objects.create(
        inspection=inspection,
        finding=finding,
        agency=agency,
        assignee=assignee,
        title=title.strip(),
        due_date=due_date,
        created_by=actor,
    )
    record_event("followup.created", actor=actor, obj=follow_up, changes={"due": str(due_date)})
    return follow_up


@transaction.atomic
def complete_follow_up(follow_up: FollowUp, *, actor: User) -> FollowUp:
    require(actor, "change", follow_up, _("Only the owning agency may close its follow-up."))
    follow_up.refresh_from_db(from_queryset=FollowUp.objects.select_for_update())
    if follow_up.status != FollowUpStatus.DONE:
        follow_up.status = FollowUpStatus.DONE
        follow_up.done_at = timezone.now()
        follow_up.save(update_fields=["status", "done_at"])
        record_event("followup.done", actor=actor, obj=follow_up)
    return follow_up


# --- attachments and export -------------------------------------------------------------


@transaction.atomic
def add_attachment(
    inspection: Inspection, *, upload: UploadedFile[bytes], actor: User
) -> InspectionAttachment:
    """A file from the control, by the coordinator or an agency that accepted to take part."""
    require(
        actor,
        "add_attachment",
        inspection,
        _("Only the coordinator or an agency taking part may add files."),
    )
    attachment = attach(
        InspectionAttachment(inspection=inspection, agency=actor.agency, uploaded_by=actor),
        upload,
    )
    record_event(
        "inspection.attachment_added",
        actor=actor,
        obj=inspection,
        changes={"attachment": attachment.pk, "filename": attachment.filename},
    )
    return attachment


def record_attachment_download(attachment: InspectionAttachment, *, actor: User) -> None:
    """A file of the inspection leaves akrim: recorded with the basis the actor sees it on."""
    record_read(
        actor,
        attachment.inspection,
        action="inspection.attachment_downloaded",
        route="download",
        changes={"attachment": attachment.pk, "filename": attachment.filename},
    )


def record_findings_read(findings: Iterable[Finding], *, actor: User) -> None:
    """Reading other agencies' findings is a disclosure under the duty to share for joint
    controls; it is recorded with that legal basis."""
    agency_id = actor.agency.pk if actor.agency else None
    others = [f.pk for f in findings if f.agency_id != agency_id]
    if others:
        record_event(
            "finding.viewed",
            actor=actor,
            object_type="inspections.finding",
            purpose=LegalBasis.AKRIM,
            changes={"findings": others},
        )


def export_inspections_csv(
    inspections: QuerySet[Inspection], *, actor: User, filters: dict[str, Any]
) -> str:
    """The visible inspections as CSV (network/exports.py); audited."""
    rows = [
        [
            inspection.reference,
            inspection.status,
            inspection.planned_date.isoformat(),
            inspection.performed_on.isoformat() if inspection.performed_on else "",
            inspection.workplace.name,
            inspection.workplace.city,
            inspection.workplace.county.code,
            inspection.workplace.sni,
            "" if inspection.persons_checked is None else inspection.persons_checked,
        ]
        for inspection in inspections.select_related("workplace__county")
        .order_by("-id")
        .iterator(chunk_size=500)
    ]
    record_event(
        "inspection.exported",
        actor=actor,
        object_type="inspections.inspection",
        # Only the list's own filters, bounded: the query string is the caller's text.
        changes={"filters": audited_filters(filters, InspectionFilterSet), "rows": len(rows)},
    )
    header = ["reference", "status", "planned_date", "performed_on", "workplace", "city"]
    return exports.csv_text([*header, "county", "sni", "persons_checked"], rows)


OPERATION_TRANSITIONS = {
    OperationStatus.DRAFT: {OperationStatus.PLANNED, OperationStatus.CANCELLED},
    OperationStatus.PLANNED: {OperationStatus.IN_PROGRESS, OperationStatus.CANCELLED},
    OperationStatus.IN_PROGRESS: {OperationStatus.FOLLOW_UP},
    OperationStatus.FOLLOW_UP: {OperationStatus.CLOSED},
    OperationStatus.CLOSED: set(),
    OperationStatus.CANCELLED: set(),
}
DECISION_STATES = StateMachine(DECISION_TRANSITIONS, choices=DecisionStatus)
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
    _agency_of(actor)
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


# --- risk-based selection ------------------------------------------------------------------


def record_profile_read(employer: Employer, *, actor: User) -> None:
    """Reading an employer profile gathers what several agencies know: each read is logged."""
    record_event("employer.profile_read", actor=actor, obj=employer)


PLANNABLE_OPERATION_STATES = (OperationStatus.DRAFT, OperationStatus.PLANNED)


@transaction.atomic
def plan_from_ranking(
    *, operation: ControlOperation, picks: list[tuple[int, str]], planned_date: date, actor: User
) -> list[Inspection]:
    """Plan the picked candidates of a risk ranking into an operation the actor's agency
    coordinates: one planned inspection per workplace, at the same workplace row (so its
    history stays together), with the employers met there and the selection basis each was
    picked on (risk ranking, or drawn at random within a risk industry).

    Only workplaces the actor can see an inspection at may be picked (the ranking's own
    universe); all or nothing."""
    require(
        actor, "add_inspection", operation, _("Only the operation's coordinators plan into it.")
    )
    if operation.status not in PLANNABLE_OPERATION_STATES:
        raise ValidationError({"operation": [_("The operation is no longer being planned.")]})
    if not operation.period_start <= planned_date <= operation.period_end:
        raise ValidationError({"planned_date": [_("Choose a date within the operation.")]})
    if not picks:
        raise ValidationError({"workplaces": [_("Pick at least one candidate.")]})
    if any(basis not in dict(RANKING_BASES) for _id, basis in picks):
        raise ValidationError({"selection_basis": [_("Choose a selection basis from the list.")]})
    visible = Inspection.objects.visible_to(actor)
    ids = [workplace_id for workplace_id, _basis in picks]
    places = Workplace.objects.filter(pk__in=ids, inspections__in=visible.values("id")).in_bulk()
    missing = [i for i in ids if i not in places]
    if missing or len(set(ids)) != len(ids):
        raise ValidationError({"workplaces": [_("Pick each candidate once, from the list.")]})
    planned = []
    for workplace_id, basis in picks:
        met = (
            InspectionEmployer.objects.filter(
                inspection__in=visible.filter(workplace_id=workplace_id).values("id")
            )
            .select_related("employer")
            .order_by("employer_id", "-inspection_id")
        )
        roles: dict[str, str] = {}
        for row in met:
            roles.setdefault(row.employer.orgnr, row.role)
        planned.append(
            plan_inspection(
                workplace=places[workplace_id],
                planned_date=planned_date,
                employers=[{"orgnr": o, "role": r} for o, r in roles.items()],
                operation=operation,
                selection_basis=basis,
                actor=actor,
            )
        )
    record_event(
        "operation.planned_from_ranking",
        actor=actor,
        obj=operation,
        changes={"inspections": [i.reference for i in planned], "bases": dict(picks)},
    )
    return planned


INDUSTRY_RISK_FIELDS = ("name_sv", "name_en", "sni_prefixes", "weight", "source")


def _clean_industry_risk(row: IndustryRisk) -> None:
    prefixes = row.sni_prefixes
    if (
        not isinstance(prefixes, list)
        or not prefixes
        or not all(isinstance(p, str) and SNI_PREFIX.match(p) for p in prefixes)
    ):
        raise ValidationError({"sni_prefixes": [_("Give SNI codes such as 41 or 81.2.")]})
    row.sni_prefixes = sorted(set(prefixes))
    try:
        row.full_clean(exclude=["updated_by"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None


@transaction.atomic
def save_industry_risk(
    row: IndustryRisk | None, *, changes: dict[str, Any], version: int | None = None, actor: User
) -> IndustryRisk:
    """Add a row to the joint risk assessment or change one (weight, SNI codes, names).

    Coordinators of the coordinating agency and of the regional centres maintain it; each
    change is one audit event with old and new values, and two coordinators changing the
    same row at once cannot overwrite each other (version, 409)."""
    if not policies.maintains_risk_assessment(actor):
        raise PermissionDenied(_("Only network coordinators maintain the risk assessment."))
    unknown = set(changes) - {*INDUSTRY_RISK_FIELDS, "key"}
    if unknown or (row is not None and "key" in changes):
        raise ValidationError({f: [_("This field cannot be changed.")] for f in unknown or {"key"}})
    if row is None:
        row = IndustryRisk(**changes)
        diff = {f: [None, changes[f]] for f in changes}
    else:
        row = IndustryRisk.objects.select_for_update().get(pk=row.pk)
        if version is None or row.version != version:
            raise StaleVersion(row.version)
        diff = {}
        for name, value in changes.items():
            if getattr(row, name) != value:
                diff[name] = [getattr(row, name), value]
                setattr(row, name, value)
        row.version += 1
    _clean_industry_risk(row)
    row.updated_by = actor
    row.updated_at = timezone.now()
    row.save()
    record_event("industry_risk.saved", actor=actor, obj=row, purpose=row.key, changes=diff)
    return row
