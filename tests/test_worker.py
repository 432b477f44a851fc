"""A separate Celery worker process consumes a task from Redis and writes to PostgreSQL.

Not eager mode and not a worker thread: `celery -A config worker` is started as its own
process against the test database, as in production.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from network.models import WorkerHeartbeat
from network.tasks import record_worker_heartbeat

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{s['NAME']}"


@pytest.fixture
def worker_process(settings):
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "DATABASE_URL": _database_url(), "CELERY_QUEUE": queue}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"{queue}@%h",
            "-Q",
            queue,
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield queue, process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def sends_to(worker_process):
    """While active, tasks sent by the code under test go to the worker's queue on Redis."""
    from config.celery import app

    queue, _process = worker_process
    previous = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    yield queue
    app.conf.task_always_eager, app.conf.task_default_queue = previous


def wait_for(condition, process, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        assert process.poll() is None, f"worker died:\n{process.stdout.read()}"
        time.sleep(0.25)
    raise AssertionError("the worker did not finish in time")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_separate_worker_process_consumes_from_redis_and_writes_to_postgres(
    worker_process, sends_to
):
    queue, process = worker_process
    name = f"ci-{uuid.uuid4().hex[:8]}"
    record_worker_heartbeat.apply_async(args=[name], queue=queue)
    wait_for(lambda: WorkerHeartbeat.objects.filter(name=name).exists(), process)
    beat = WorkerHeartbeat.objects.get(name=name)
    assert beat.hostname  # written by the worker process, which knows its host
    assert process.pid != os.getpid()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_lagesbild_is_built_by_a_separate_worker_process(worker_process, sends_to, persona):
    from reports import services
    from reports.models import ReportBuild

    _queue, process = worker_process
    build, created = services.request_build(year=2025, actor=persona("av", "analyst"))
    assert created
    wait_for(lambda: ReportBuild.objects.get(pk=build.pk).status in {"ready", "failed"}, process)
    build.refresh_from_db()
    assert (build.status, build.progress, build.error) == ("ready", 100, "")
    assert build.pdf.size > 1000
