"""Redis restarted while tasks are queued, and Redis away when a task is sent (issue 9, item 5).

Redis runs as in docker-compose.yml (`appendonly yes`), on a port of its own. Tasks are sent by
real `manage.py shell` processes through akrim's own code, and consumed by a real worker.
"""

import time
import uuid

import pytest

from network.models import WorkerHeartbeat
from reports.models import BuildStatus, ReportBuild
from tests.faults import services as s
from tests.faults.conftest import manage, test_database_url

pytestmark = [
    pytest.mark.faults,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(600),
]

_SEND = """
from network.tasks import record_worker_heartbeat
for n in range({count}):
    record_worker_heartbeat.delay("{prefix}-%d" % n)
print("SENT")
"""

_REQUEST_AFTER_COMMIT = """
import time
from network.models import User
from reports.services import request_build
started = time.monotonic()
build, created = request_build(year=2025, actor=User.objects.get(username="av.analyst"))
print("BUILD", build.pk, created, round(time.monotonic() - started, 1))
"""


def _env(redis, queue, tmp_path):
    return s.akrim_env(
        DATABASE_URL=test_database_url(),
        REDIS_URL=redis.url,
        CELERY_QUEUE=queue,
        AKRIM_VAR_DIR=str(tmp_path / "var"),
    )


def test_tasks_queued_before_a_redis_restart_all_run_after_it(throwaway_redis, tmp_path, db):
    queue, prefix, count = f"faults-{uuid.uuid4().hex[:10]}", uuid.uuid4().hex[:8], 25
    env = _env(throwaway_redis, queue, tmp_path)
    assert "SENT" in manage(env, "shell", "-c", _SEND.format(count=count, prefix=prefix))
    assert throwaway_redis.command("LLEN", queue) == str(count)

    throwaway_redis.restart()
    assert throwaway_redis.command("LLEN", queue) == str(count)  # kept across the restart

    worker = s.start_worker(env, queue)
    try:
        beats = WorkerHeartbeat.objects.filter(name__startswith=prefix)
        s.wait_until(lambda: beats.count() == count, 90, f"{count} tasks:\n{worker.output()}")
    finally:
        worker.stop()
    assert sorted(beats.values_list("name", flat=True)) == sorted(
        f"{prefix}-{n}" for n in range(count)
    )
    assert throwaway_redis.command("LLEN", queue) == "0"


def test_a_task_sent_after_commit_while_redis_is_down_is_retried_and_runs(
    year_2025, persona, throwaway_redis, tmp_path
):
    persona("av", "analyst", username="av.analyst")
    queue = f"faults-{uuid.uuid4().hex[:10]}"
    env = _env(throwaway_redis, queue, tmp_path)
    worker = s.start_worker(env, queue)  # runs across the outage, as in production
    try:
        beat_name = f"before-{uuid.uuid4().hex[:6]}"
        manage(env, "shell", "-c", _SEND.format(count=1, prefix=beat_name))
        s.wait_until(
            lambda: WorkerHeartbeat.objects.filter(name__startswith=beat_name).exists(),
            60,
            f"the worker to start:\n{worker.output()}",
        )

        throwaway_redis.stop()
        requester = s.Process(
            [str(s.BIN / "python"), "manage.py", "shell", "-c", _REQUEST_AFTER_COMMIT],
            env,
            "request",
        )
        try:
            # The build row is committed while Redis is still away; the send is being retried.
            s.wait_until(
                lambda: ReportBuild.objects.filter(year=2025).exists(), 60, "the build row"
            )
            time.sleep(2)
            assert requester.alive(), requester.output()
            throwaway_redis.start()
            s.wait_until(lambda: not requester.alive(), 60, "the request to finish")
            output = requester.output()
            assert requester.popen.returncode == 0, output
        finally:
            requester.stop()
        line = next(x for x in output.splitlines() if x.startswith("BUILD"))
        _marker, pk, created, _seconds = line.split()
        assert created == "True"

        # The worker, which lived through the outage, reconnects and builds it.
        s.wait_until(
            lambda: ReportBuild.objects.get(pk=pk).status in {"ready", "failed"},
            120,
            f"the build:\n{worker.output()}",
        )
    finally:
        worker.stop()
    build = ReportBuild.objects.get(pk=pk)
    assert (build.status, build.progress, build.error) == (BuildStatus.READY, 100, "")
    assert ReportBuild.objects.filter(year=2025).count() == 1
