"""Decisions on findings (fines, injunctions, reports of crime) and their way along
inspections.choices.DECISION_TRANSITIONS, by the agency that owns the finding."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.choices import (
    DECISION_TRANSITIONS,
    MONETARY_DECISIONS,
    REPORTS_OF_CRIME,
    DecisionStatus,
    ReportedLaw,
)
from inspections.models import Decision, Finding
from network.exceptions import StaleVersion
from network.models import User
from network.policies import require
from network.services import record_event
from network.states import StateMachine

DECISION_STATES = StateMachine(DECISION_TRANSITIONS, choices=DecisionStatus)


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
