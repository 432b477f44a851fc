"""Celery tasks of joint controls. Thin: ids in, claim the row, do the work."""

import logging

from celery import shared_task
from django.apps import apps
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(name="inspections.tasks.notify_assignment", ignore_result=True, acks_late=True)
def notify_assignment(assignment_id: int) -> int:
    """Queue the assignment mails (they go through the outbox, network/outbox.py). Today
    `assign_agency` queues them itself; this task stays for messages sent by an older
    akrim and still waiting in Redis. Safe to run twice: the assignment is claimed."""
    from inspections.services import planning

    return planning.mail_assignment(assignment_id)


@shared_task(name="inspections.tasks.refresh_ranking_facts", ignore_result=True)
def refresh_ranking_facts() -> int:
    """Rebuild the stale ranking facts every minute, so that a ranking seldom has to."""
    from inspections import facts

    return facts.refresh()


@shared_task(name="inspections.tasks.notify_assignments", ignore_result=True, acks_late=True)
def notify_assignments(assignment_ids: list[int]) -> int:
    """Queue the mails of an import's assignments not yet notified. Imports queue them
    themselves now (`imports.mail_assignments`, in their transaction); this task stays for
    messages sent by an older akrim and still waiting in Redis. Claimed like
    `notify_assignment`, so a redelivery queues nothing twice."""
    from inspections import imports

    assignment_model = apps.get_model("inspections", "AgencyAssignment")
    with transaction.atomic():
        claimed = list(
            assignment_model.objects.filter(pk__in=assignment_ids, notified_at__isnull=True)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("inspection", "agency")
        )
        assignment_model.objects.filter(pk__in=[a.pk for a in claimed]).update(
            notified_at=timezone.now()
        )
        return imports.mail_assignments(claimed)


@shared_task(
    bind=True,
    name="inspections.tasks.run_import",
    acks_late=True,
    max_retries=3,
    ignore_result=True,
)
def run_import(self, job_id: int) -> str:
    """Check (and import) a spreadsheet of planned inspections. Safe to deliver twice: only
    the delivery that claims the job works; a transient database error gives the job back
    and retries; anything else fails the job with nothing written."""
    from inspections import imports

    if not imports.claim_job(job_id):
        return "already claimed"
    try:
        imports.run_job(job_id)
    except (OperationalError, InterfaceError) as exc:
        imports.release_job(job_id)
        raise self.retry(exc=exc, countdown=10 * 2**self.request.retries) from exc
    except Exception:  # the job must never stay "running" after a bug
        logger.exception("inspection import %s failed", job_id)
        imports.fail_job(job_id, imports.crash_message())
        return "failed"
    return "ready"
