"""A Lägesbild build whose task never reached Redis is not stuck "queued" for ever: beat's
watchdog sends it again (the send after commit is retried for ~20 s; a longer Redis outage
loses it). In-process, Celery eager: the re-sent task runs inside the watchdog call."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reports import services
from reports.models import BuildStatus, ReportBuild

pytestmark = pytest.mark.django_db


def test_the_watchdog_sends_a_long_queued_build_again_and_it_is_built_once(
    year_2025, persona, settings
):
    analyst = persona("av", "analyst")
    lost, _ = services.request_build(year=2025, actor=analyst, enqueue=False)  # send was lost
    fresh, _ = services.request_build(year=2024, actor=analyst, enqueue=False)
    waited = timezone.now() - timedelta(seconds=settings.AKRIM_BUILD_STALE_SECONDS + 1)
    ReportBuild.objects.filter(pk=lost.pk).update(requested_at=waited)

    assert services.fail_stale_builds() == 0  # nothing was running, nothing is failed
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert (lost.status, lost.progress) == (BuildStatus.READY, 100)
    assert fresh.status == BuildStatus.QUEUED  # a build that has not waited long is left alone

    # A second watchdog round (or the original message arriving late) builds nothing again.
    finished = lost.finished_at
    services.fail_stale_builds()
    lost.refresh_from_db()
    assert lost.finished_at == finished
    assert ReportBuild.objects.filter(year=2025, status=BuildStatus.READY).count() == 1
