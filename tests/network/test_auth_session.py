"""Sessions and headers around the login: the idle timeout ends the second factor too, and
the pages carry a strict Content Security Policy."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.utils import timezone

from network import sessions

pytestmark = pytest.mark.django_db


def test_an_idle_session_ends_after_30_minutes_with_its_verification(client, skv_staff, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_TOUCH_SECONDS <= 60  # requests push the expiry forward
    client.force_login(skv_staff)
    assert client.get("/arenden/").status_code == 200
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    # With Redis the session is read from the cache, whose entry never outlives the row
    # (tests/network/test_sessions.py): 30 idle minutes later it is gone too.
    caches["default"].delete(sessions.KEY_PREFIX + key)
    response = client.get("/arenden/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_pages_carry_a_strict_csp_and_deny_framing(client):
    response = client.get("/login/")
    policy = response["Content-Security-Policy"]
    # Scripts from akrim itself only (a nonce is added on pages that use one); never inline.
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"


def test_two_factor_pages_keep_no_secret_in_caches(client, persona):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = persona("av", "coordinator")
    TOTPDevice.objects.filter(user=user).delete()
    client.force_login(user)
    response = client.get("/login/tvastegs/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
