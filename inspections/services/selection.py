"""Risk-based selection (docs/risk.md): the employer profile's read record, planning the
ranking's picks into an operation, and the joint risk assessment by industry."""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.employers.models import Employer
from inspections import policies
from inspections.choices import RANKING_BASES, OperationStatus
from inspections.models import (
    ControlOperation,
    IndustryRisk,
    Inspection,
    InspectionEmployer,
    Workplace,
)
from inspections.risk import SNI_PREFIX
from inspections.services.planning import plan_inspection
from network.exceptions import StaleVersion
from network.models import User
from network.policies import require
from network.services import record_event


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
