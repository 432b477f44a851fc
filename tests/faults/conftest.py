"""Fixtures of the fault tests: throwaway servers, and akrim processes pointed at them."""

import re
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from tests.conftest import need
from tests.faults import services as s


@pytest.fixture(autouse=True)
def _fault_binaries():
    missing = s.missing_binaries()
    need(
        not missing, f"the fault tests need {', '.join(missing)} (PostgreSQL server, redis-server)"
    )


@pytest.fixture
def throwaway_postgres():
    server = s.ThrowawayPostgres()
    yield server
    server.destroy()


@pytest.fixture
def throwaway_redis():
    server = s.ThrowawayRedis()
    yield server
    server.destroy()


def manage(env: dict, *args: str, timeout: float = 180) -> str:
    result = subprocess.run(
        [str(s.BIN / "python"), "manage.py", *args],
        cwd=s.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """Static files collected once, as the Docker image does, for servers run with DEBUG=false
    (the pages the tests fetch need the manifest)."""
    root = tmp_path_factory.mktemp("static")
    env = s.akrim_env(
        DEBUG="false",
        SECRET_KEY="fault-tests-only-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        AKRIM_STATIC_ROOT=str(root),
    )
    # Only akrim's own files: compressing the admin and API-docs assets takes half a minute.
    ignore = ("-i", "admin", "-i", "drf_spectacular_sidecar", "-i", "rest_framework")
    manage(env, "collectstatic", "--noinput", "-v0", *ignore)
    return root


def production_env(database_url: str, static_root: Path, **extra: str) -> dict:
    """DEBUG off and the production settings, minus TLS (the test talks plain HTTP)."""
    return s.akrim_env(
        DEBUG="false",
        SECRET_KEY="fault-tests-only-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
        AKRIM_STATIC_ROOT=str(static_root),
        AKRIM_VAR_DIR=tempfile.mkdtemp(prefix="akrim-faults-var-"),
        **extra,
    )


def outbox_env(tmp_path: Path, static_root: Path, redis_url: str) -> tuple[dict, Path]:
    """`production_env` for a test of the e-mail outbox: its own Celery queue, mail written
    to files in a folder the test reads (`mail_sink.delivered`), the sender every second."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = production_env(
        test_database_url(),
        static_root,
        REDIS_URL=redis_url,
        CELERY_QUEUE=f"faults-{uuid.uuid4().hex[:10]}",
        EMAIL_BACKEND="tests.faults.mail_sink.FileSink",
        AKRIM_FAULTS_MAIL_DIR=str(mail_dir),
        AKRIM_OUTBOX_INTERVAL_SECONDS="1",
    )
    return env, mail_dir


def sender_rounds(worker: s.Process) -> int:
    """How many rounds of the outbox sender `worker` has finished (its INFO log)."""
    return len(re.findall(r"network\.tasks\.send_outbox\[[^\]]*\] succeeded", worker.output()))


def more_sender_rounds(worker: s.Process, rounds: int = 3) -> None:
    """Wait until the worker has run the outbox sender `rounds` more times: what a test
    checks afterwards (nothing sent twice) has then been given those rounds to go wrong,
    however fast or slow the machine is."""
    start = sender_rounds(worker)
    s.wait_until(
        lambda: sender_rounds(worker) >= start + rounds,
        60,
        f"{rounds} more rounds of the outbox sender:\n{worker.output()[-3000:]}",
        step=0.5,
    )


def test_database_url() -> str:
    """The URL of pytest-django's test database, for processes that must share its data."""
    from django.db import connection

    settings = connection.settings_dict
    user = settings.get("USER") or "postgres"
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


test_database_url.__test__ = False  # a helper, not a test
