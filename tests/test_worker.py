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


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_separate_worker_process_consumes_from_redis_and_writes_to_postgres(worker_process):
    from config.celery import app

    queue, process = worker_process
    name = f"ci-{uuid.uuid4().hex[:8]}"
    app.conf.task_always_eager = False
    try:
        record_worker_heartbeat.apply_async(args=[name], queue=queue)
    finally:
        app.conf.task_always_eager = True
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if WorkerHeartbeat.objects.filter(name=name).exists():
            break
        assert process.poll() is None, f"worker died:\n{process.stdout.read()}"
        time.sleep(0.25)
    beat = WorkerHeartbeat.objects.get(name=name)
    assert beat.hostname  # written by the worker process, which knows its host
    assert process.pid != os.getpid()
