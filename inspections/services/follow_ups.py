"""Follow-up tasks of an inspection, owned by an agency."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.choices import FollowUpStatus
from inspections.models import Finding, FollowUp, Inspection
from inspections.services.common import agency_of
from network.models import User
from network.policies import require
from network.services import record_event


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
    agency = agency_of(actor)
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
