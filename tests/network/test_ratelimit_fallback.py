"""Rate limits with the shared cache unreachable: fail open per process, never a 500
(docs/security.md "Rate limits"; the real outage is tests/faults/test_password_reset_redis_down.py)."""

import socket

import pytest
from django.core import mail
from django.urls import reverse

from network import ratelimit
from network.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def dead_redis(settings):
    """The cache pointed at a port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        }
    }
    ratelimit._local.clear()
    ratelimit._shared_paused_until = 0.0
    yield
    ratelimit._local.clear()
    ratelimit._shared_paused_until = 0.0


def test_a_reset_request_answers_and_is_still_limited_with_the_cache_down(
    client, dead_redis, skv_staff, django_capture_on_commit_callbacks
):
    skv_staff.email = "skv.staff@example.se"
    skv_staff.save()
    url = reverse("password_reset")
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=False):
            response = client.post(url, {"email": skv_staff.email})
        assert response.status_code == 302
    assert OutboxMessage.objects.filter(kind="auth.password_reset").count() == 3
    with django_capture_on_commit_callbacks(execute=False):
        over = client.post(url, {"email": skv_staff.email})
    assert over.status_code == 429  # per e-mail address, counted in this process
    assert OutboxMessage.objects.filter(kind="auth.password_reset").count() == 3
    assert mail.outbox == []


def test_other_cache_errors_are_not_swallowed(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr(ratelimit, "_count", broken)
    ratelimit._shared_paused_until = 0.0
    with pytest.raises(ValueError, match="a bug, not an outage"):
        ratelimit.hit("login:ip", "192.0.2.1")
