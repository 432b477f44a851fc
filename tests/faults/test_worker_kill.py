"""A Celery worker killed with SIGKILL in the middle of a Lägesbild build (issue 9, item 5).

Real processes: the build is requested by a `manage.py shell` process as the web would (the
task is sent after commit), a worker process takes it and is killed with SIGKILL while it draws
the PDF, the beat's watchdog finds the silent build, and a fresh worker builds the re-requested
report. The killed delivery, still unacknowledged in Redis, is handed out again once the
visibility timeout has passed; it must not build a second time. In the end: one ready build,
one PDF file, an audit trail with one request per build.
"""

import uuid
from pathlib import Path

import pytest

from network.models import AuditEvent
from reports import services as report_services
from reports.models import BuildStatus, ReportBuild
from tests.faults import services as s
from tests.faults.conftest import manage, test_database_url

pytestmark = [
    pytest.mark.faults,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(600),
]

_REQUEST = """
from network.models import User
from reports.services import request_build
build, created = request_build(year=2025, actor=User.objects.get(username="av.analyst"))
print("BUILD", build.pk, created)
"""


def _request(env) -> tuple[int, bool]:
    line = next(x for x in manage(env, "shell", "-c", _REQUEST).splitlines() if x[:5] == "BUILD")
    _marker, pk, created = line.split()
    return int(pk), created == "True"


def test_a_build_whose_worker_is_killed_is_built_again_exactly_once(
    year_2025, persona, throwaway_redis, tmp_path, settings
):
    persona("av", "analyst", username="av.analyst")
    queue = f"faults-{uuid.uuid4().hex[:10]}"
    var_dir = tmp_path / "var"
    mark = tmp_path / "held"
    env = s.akrim_env(
        DATABASE_URL=test_database_url(),
        REDIS_URL=throwaway_redis.url,
        CELERY_QUEUE=queue,
        AKRIM_VAR_DIR=str(var_dir),
        AKRIM_FAULT_MARK=str(mark),
        # A delivery left unacknowledged by the killed worker comes back after 3 s, not 4 h.
        CELERY_VISIBILITY_TIMEOUT="3",
    )

    doomed = s.start_worker(env, queue, app="tests.faults.slow_worker")
    try:
        first, created = _request(env)
        assert created
        s.wait_until(mark.exists, 90, f"the build to reach the PDF step:\n{doomed.output()}")
        building = ReportBuild.objects.get(pk=first)
        assert (building.status, building.stage) == (BuildStatus.RUNNING, "drawing charts and PDF")

        doomed.kill()  # SIGKILL to the worker's process group: no cleanup, no ack
    finally:
        doomed.stop()
    # The delivery was taken but never acknowledged: Redis still holds it.
    assert throwaway_redis.command("HLEN", "unacked") == "1"
    assert ReportBuild.objects.get(pk=first).status == BuildStatus.RUNNING

    # Beat's watchdog: a running build whose worker has been silent is marked lost.
    settings.AKRIM_BUILD_STALE_SECONDS = 1
    s.wait_until(lambda: report_services.fail_stale_builds() == 1, 30, "the watchdog")
    lost = ReportBuild.objects.get(pk=first)
    assert lost.status == BuildStatus.FAILED
    assert lost.error

    survivor = s.start_worker(env, queue)
    try:
        # The killed delivery comes back to the new worker, which must not build it.
        s.wait_until(
            lambda: (
                throwaway_redis.command("HLEN", "unacked") == "0"
                and throwaway_redis.command("LLEN", queue) == "0"
            ),
            60,
            f"the unacknowledged delivery to be redelivered and consumed:\n{survivor.output()}",
        )
        assert ReportBuild.objects.get(pk=first).status == BuildStatus.FAILED

        # The analyst asks again; the new build is taken by the surviving worker.
        second, created = _request(env)
        assert created
        assert second != first
        s.wait_until(
            lambda: ReportBuild.objects.get(pk=second).status in {"ready", "failed"},
            120,
            f"the second build:\n{survivor.output()}",
        )
        log = survivor.output()
    finally:
        survivor.stop()

    builds = ReportBuild.objects.filter(year=2025, scope="network")
    assert sorted(builds.values_list("pk", "status")) == [
        (first, BuildStatus.FAILED),
        (second, BuildStatus.READY),
    ]
    done = builds.get(pk=second)
    assert (done.progress, done.error) == (100, "")
    assert done.raw_figures["inspections_total"] == 3  # the year_2025 fixture
    # One set of files: the PDF of the second build, nothing left behind by the killed one.
    pdfs = sorted(p.name for p in (var_dir / "private").rglob("*") if p.is_file())
    assert pdfs == [Path(done.pdf.name).name]
    assert f"-{second}" in pdfs[0]
    # The audit trail: one request per build, by the analyst, and nothing else about them.
    events = AuditEvent.objects.filter(object_type="reports.reportbuild").order_by("pk")
    assert [(e.action, e.object_id, e.actor.username) for e in events] == [
        ("report.requested", str(first), "av.analyst"),
        ("report.requested", str(second), "av.analyst"),
    ]
    # The worker's log: the redelivered task returned without building, the new one built.
    assert log.count("succeeded in") == 2
    assert log.count("'already claimed'") == 1
    assert log.count("'ready'") == 1
