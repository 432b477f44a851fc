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
