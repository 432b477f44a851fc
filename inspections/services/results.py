"""The results of a visit, each agency its own: findings (secret ones disclosed on a legal
basis), counts of persons checked, and the submission that makes the inspection documented
once no accepted agency's results are awaited."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.employers.models import Employer
from cases.grants import LegalBasis
from inspections import policies
from inspections.choices import AssignmentStatus, InspectionStatus, RightToWork, categories_for
from inspections.models import AgencyAssignment, Finding, FindingDisclosure, Inspection, PersonCount
from inspections.services.common import require_coordinator, set_status
from network.identifiers import parse_orgnr
from network.models import Agency, User
from network.names import countries
from network.policies import require
from network.services import record_event
from network.validation import require_member

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
        set_status(inspection, InspectionStatus.DOCUMENTED, actor=actor)


@transaction.atomic
def mark_not_reporting(
    inspection: Inspection, *, agency: Agency, reason: str, actor: User
) -> AgencyAssignment:
    """The coordinator stops waiting for an accepted agency's results, with a reason; when it
    was the last one awaited, the inspection is documented."""
    require_coordinator(actor, inspection)
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
