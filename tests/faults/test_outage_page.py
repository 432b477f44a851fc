"""The 503 answer to a database outage, in-process (any database; the real outage with a
stopped PostgreSQL is in test_database_outage.py)."""

from unittest import mock

import pytest
from django.core.cache import caches
from django.db import OperationalError
from django.test import Client

from network import sessions
from network.outage import is_database_outage

pytestmark = pytest.mark.django_db


def _session_load_fails(*_args, **_kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')


def test_a_page_gets_the_swedish_503_page_when_the_database_is_down(settings):
    settings.DEBUG = False  # production; with DEBUG on, Django's debug page is wanted
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "x" * 32
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.load", _session_load_fails):
        response = client.get("/arenden/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "Tillfälligt avbrott" in body
    assert "5432" not in body
    assert "Traceback" not in body


def test_the_api_gets_json_503_when_the_database_is_down(skv_staff):
    client = Client(raise_request_exception=False)
    client.force_login(skv_staff)
    # Not in the session cache (network/sessions.py, with Redis): read from the database.
    caches["default"].delete(sessions.KEY_PREFIX + client.cookies["sessionid"].value)
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.load", _session_load_fails):
        response = client.get("/api/v1/cases/")
    assert response.status_code == 503
    assert response.json() == {
        "detail": "Databasen går inte att nå just nu. Försök igen om en stund."
    }


def test_other_errors_stay_500(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "x" * 32
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load", side_effect=RuntimeError("bug")
    ):
        response = client.get("/arenden/")
    assert response.status_code == 500
    assert "Tekniskt fel" in response.content.decode()


def test_an_outage_wrapped_in_another_error_is_still_an_outage():
    try:
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError as inner:
            raise RuntimeError("while rendering") from inner
    except RuntimeError as outer:
        assert is_database_outage(outer)  # noqa: PT017  (the chain as Django's handler sees it)
    assert not is_database_outage(ValueError("no"))
