"""Sessions read from Redis and written through to the database (network/sessions.py):
the idle timeout, logout and a Redis outage behave as with the database alone."""

import socket

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from network import sessions
from tests.conftest import need, redis_reachable

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cached_sessions(settings):
    need(redis_reachable(), "the session cache needs Redis: set REDIS_URL")
    assert settings.SESSION_ENGINE == "network.sessions"
    sessions.resume()
    yield
    sessions.resume()


def _key(client, settings):
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _cached(key):
    return caches["default"].get(sessions.KEY_PREFIX + key)


def test_a_signed_in_request_reads_the_session_from_the_cache(client, skv_staff, settings):
    client.force_login(skv_staff)
    assert client.get("/api/v1/me/").status_code == 200
    assert _cached(_key(client, settings)) is not None
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/v1/me/").status_code == 200
    assert not [q for q in captured.captured_queries if "django_session" in q["sql"]]


def test_a_cache_miss_reads_the_row_and_fills_the_cache(client, skv_staff, settings):
    client.force_login(skv_staff)
    key = _key(client, settings)
    caches["default"].delete(sessions.KEY_PREFIX + key)
    assert client.get("/api/v1/me/").status_code == 200
    assert _cached(key) is not None


def test_the_cache_entry_never_outlives_the_row_nor_the_bound(client, skv_staff, settings):
    client.force_login(skv_staff)
    assert client.get("/api/v1/me/").status_code == 200  # written once (the login time)
    key = _key(client, settings)
    redis = caches["default"]._cache.get_client()  # Django's RedisCache client
    full_key = caches["default"].make_and_validate_key(sessions.KEY_PREFIX + key)
    assert 0 < redis.ttl(full_key) <= settings.AKRIM_SESSION_CACHE_SECONDS
    # A row about to expire: a miss caches it no longer than the row lives.
    soon = timezone.now() + timezone.timedelta(seconds=20)
    Session.objects.filter(session_key=key).update(expire_date=soon)
    caches["default"].delete(sessions.KEY_PREFIX + key)
    assert client.get("/api/v1/me/").status_code == 200
    assert 0 < redis.ttl(full_key) <= 20


def test_logout_removes_the_cached_session(client, skv_staff, settings):
    client.force_login(skv_staff)
    key = _key(client, settings)
    assert client.get("/api/v1/me/").status_code == 200
    client.post("/logout/")
    assert _cached(key) is None
    assert not Session.objects.filter(session_key=key).exists()
    client.cookies[settings.SESSION_COOKIE_NAME] = key  # the old cookie, replayed
    assert client.get("/api/v1/me/").status_code in {401, 403}


@pytest.fixture
def dead_redis(settings):
    """The cache pointed at a port nobody listens on (Redis stopped)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        },
    }
    sessions.resume()


def test_with_redis_down_nobody_is_logged_out_and_login_and_logout_work(
    client, persona, settings, dead_redis
):
    user = persona("av", "coordinator")
    client.force_login(user)  # second factor passed
    assert client.get("/api/v1/me/").status_code == 200  # from the row
    assert client.get("/arenden/").status_code == 200
    key = _key(client, settings)
    assert client.post("/logout/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    assert client.get("/api/v1/me/").status_code in {401, 403}
