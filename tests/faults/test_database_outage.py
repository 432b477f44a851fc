"""PostgreSQL restarted or down under a running gunicorn (issue 9, item 5).

A gunicorn with two workers and persistent connections (CONN_MAX_AGE, CONN_HEALTH_CHECKS from
config/env.py) runs against a PostgreSQL of its own. Restarting that PostgreSQL must not need a
restart of akrim; while it is down, people get a clean 503 (HTML page in Swedish, JSON for the
API), never a stack trace.
"""

import json

import pytest

from tests.faults import services as s
from tests.faults.conftest import manage, production_env

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.timeout(900)]

# Make a staff user with a browser session and an API token in the throwaway database.
_LOGIN = """
from django.conf import settings
from django.apps import apps
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from network.tokens import issue_token
from network.services import create_staff
user = create_staff(username="skv.fault", agency_code="skv", roles=["staff"],
                    password="fault-test-password-1", actor=None)
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "network.backends.MembershipModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
if apps.is_installed("django_otp"):  # a session that passed the second factor
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
session.create()
print("LOGIN", session.session_key, issue_token(user, two_factor=True, actor=None))
"""


@pytest.fixture(scope="module")
def throwaway_postgres():
    server = s.ThrowawayPostgres()
    yield server
    server.destroy()


@pytest.fixture(scope="module")
def akrim_server(throwaway_postgres, collected_static):
    """One gunicorn for the module; each test leaves PostgreSQL running."""
    throwaway_postgres.psql("postgres", "CREATE DATABASE akrim")
    env = production_env(throwaway_postgres.url("akrim"), collected_static)
    manage(env, "migrate", "--noinput", "-v0")
    output = manage(env, "shell", "-c", _LOGIN)
    _marker, session, token = next(x for x in output.splitlines() if x.startswith("LOGIN")).split()
    port = s.free_port()
    server = s.start_gunicorn(env, port, workers=2)
    base = f"http://127.0.0.1:{port}"
    try:
        s.wait_until(lambda: _answers(base), 60, f"gunicorn to answer:\n{server.output()}")
        yield {
            "base": base,
            "server": server,
            "browser": {"Cookie": f"sessionid={session}"},
            "api": {"Authorization": f"Token {token}", "Accept": "application/json"},
        }
    finally:
        server.stop()


def _answers(base: str) -> bool:
    try:
        return s.get(f"{base}/health/", timeout=2)[0] == 200
    except OSError:
        return False


def _all_pages(akrim, rounds: int = 6) -> list[int]:
    """Statuses of the health check, a page and an API list, several times, so that both
    gunicorn workers (and their kept-alive database connections) are exercised."""
    base, statuses = akrim["base"], []
    for _ in range(rounds):
        statuses.append(s.get(f"{base}/health/")[0])
        statuses.append(s.get(f"{base}/arenden/", akrim["browser"])[0])
        statuses.append(s.get(f"{base}/api/v1/cases/", akrim["api"])[0])
    return statuses


def test_akrim_answers_again_after_postgres_restarts_without_restarting_itself(
    akrim_server, throwaway_postgres
):
    assert set(_all_pages(akrim_server)) == {200}
    master = akrim_server["server"].pid

    throwaway_postgres.restart()  # every kept-alive connection is now dead

    # The very first requests after the restart already succeed: a dead persistent connection
    # is noticed by the health check and replaced, instead of failing the request.
    assert set(_all_pages(akrim_server)) == {200}
    assert akrim_server["server"].alive()
    assert akrim_server["server"].pid == master


def test_requests_during_a_database_outage_get_a_clean_503(akrim_server, throwaway_postgres):
    base = akrim_server["base"]
    assert s.get(f"{base}/arenden/", akrim_server["browser"])[0] == 200

    throwaway_postgres.stop()
    try:
        status, headers, body = s.get(f"{base}/arenden/", akrim_server["browser"])
        assert status == 503
        assert headers["Content-Type"].startswith("text/html")
        assert headers["Retry-After"] == "30"
        assert '<html lang="sv">' in body
        assert "Tillfälligt avbrott" in body
        assert "Försök igen om en stund" in body
        for leak in ("Traceback", "OperationalError", "psycopg", "connection", "127.0.0.1"):
            assert leak not in body

        status, headers, body = s.get(f"{base}/api/v1/cases/", akrim_server["api"])
        assert status == 503
        assert headers["Content-Type"] == "application/json"
        assert json.loads(body) == {
            "detail": "Databasen går inte att nå just nu. Försök igen om en stund."
        }

        status, _headers, body = s.get(f"{base}/health/")
        assert (status, json.loads(body)) == (503, {"database": "unavailable"})
    finally:
        throwaway_postgres.start()

    # Back without restarting akrim.
    assert set(_all_pages(akrim_server, rounds=3)) == {200}
    # The stack trace goes to the operators' log only, with the reason for the 503.
    assert "database unavailable, answering 503 to GET /arenden/" in akrim_server["server"].output()
