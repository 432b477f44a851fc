"""Start-up refuses bad configuration with a message that names the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _start(**env):
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DATABASE_URL": "mysql://root@localhost/akrim"}, "DATABASE_URL"),
        ({"DATABASE_URL": "not a url at all"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://"}, "DATABASE_URL"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DEBUG": "false", "ALLOWED_HOSTS": "x.se"}, "SECRET_KEY"),
        ({"DEBUG": "false", "SECRET_KEY": "s" * 60}, "ALLOWED_HOSTS"),
        ({"SESSION_IDLE_SECONDS": "soon"}, "SESSION_IDLE_SECONDS"),
        ({"SECRET_KEY_FILE": "/nonexistent/secret"}, "SECRET_KEY_FILE"),
        (
            {
                "DATABASE_URL": "postgres://akrim@127.0.0.1/akrim",
                "DATABASE_PREPARE_THRESHOLD": "often",
            },
            "DATABASE_PREPARE_THRESHOLD",
        ),
    ],
)
def test_bad_configuration_stops_start_up_naming_the_variable(env, named):
    result = _start(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr.splitlines()[-1]


def test_secret_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("f" * 60 + "\n")
    result = _start(DEBUG="false", SECRET_KEY_FILE=str(secret), ALLOWED_HOSTS="akrim.example.se")
    assert result.returncode == 0, result.stderr


def test_postgresql_prepares_what_is_used_often_unless_turned_off(monkeypatch):
    """A statement used five times on a connection is prepared on the server; "off" (for a
    pooler in transaction mode) keeps Django's default of none (config/env.py)."""
    from config.env import env_database

    url = "postgres://akrim@127.0.0.1/akrim"
    monkeypatch.delenv("DATABASE_PREPARE_THRESHOLD", raising=False)
    assert env_database("X_URL", url)["OPTIONS"] == {
        "server_side_binding": True,
        "prepare_threshold": 5,
    }
    monkeypatch.setenv("DATABASE_PREPARE_THRESHOLD", "2")
    assert env_database("X_URL", url)["OPTIONS"]["prepare_threshold"] == 2
    monkeypatch.setenv("DATABASE_PREPARE_THRESHOLD", "off")
    assert not env_database("X_URL", url).get("OPTIONS")
    sqlite = env_database("X_URL", "sqlite:///x.sqlite3")["OPTIONS"]
    assert "prepare_threshold" not in sqlite


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_statement_used_often_is_prepared_on_the_server():
    from django.db import connection

    from network.models import Agency

    def prepared():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                ['%"network_agency"."active" AND "network_agency"."code" = $1%'],
            )
            return cursor.fetchone()[0]

    assert prepared() == 0
    for _ in range(6):
        list(Agency.objects.filter(active=True, code="skv").values_list("pk", flat=True))
    assert prepared() == 1
