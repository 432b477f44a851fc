"""Celery tasks of joint controls. Thin: ids in, claim the row, do the work."""

from celery import shared_task


@shared_task(name="inspections.tasks.notify_assignment", ignore_result=True, acks_late=True)
def notify_assignment(assignment_id: int) -> int:
    """Queue the assignment mails (they go through the outbox, network/outbox.py). Today
    `assign_agency` queues them itself; this task stays for messages sent by an older
    akrim and still waiting in Redis. Safe to run twice: the assignment is claimed."""
    from inspections import services

    return services.mail_assignment(assignment_id)


@shared_task(name="inspections.tasks.refresh_ranking_facts", ignore_result=True)
def refresh_ranking_facts() -> int:
    """Rebuild the stale ranking facts every minute, so that a ranking seldom has to."""
    from inspections import facts

    return facts.refresh()
