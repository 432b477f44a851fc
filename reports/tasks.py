"""Celery tasks of the Lägesbild. Thin: ids in, claim the row, call the service."""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from reports import services
from reports.models import NETWORK

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="reports.tasks.build_lagesbild",
    acks_late=True,
    max_retries=3,
    ignore_result=True,
)
def build_lagesbild(self, build_id: int) -> str:
    """Build one report. Safe to deliver twice: only the delivery that claims the row works;
    a transient database error gives the row back and retries; anything else fails the build
    with the error shown to the person who asked."""
    if not services.claim_build(build_id):
        return "already claimed"
    try:
        services.run_build(build_id)
    except (OperationalError, InterfaceError) as exc:
        services.release_build(build_id)
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
    except Exception as exc:  # the build must never stay "running" after a bug
        logger.exception("Lägesbild build %s failed", build_id)
        services.fail_build(build_id, f"{type(exc).__name__}: {exc}")
        return "failed"
    return "ready"


@shared_task(name="reports.tasks.fail_stale_builds", ignore_result=True)
def fail_stale_builds() -> int:
    return services.fail_stale_builds()


@shared_task(name="reports.tasks.nightly_draft", ignore_result=True)
def nightly_draft() -> int:
    """January to March: a fresh draft of last year's network report every night."""
    build, _created = services.request_build(
        year=timezone.localdate().year - 1, scope=NETWORK, actor=None
    )
    return build.pk
