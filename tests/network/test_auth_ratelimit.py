"""Rate limits on the public and authentication endpoints: one mechanism
(network.ratelimit), 429 with Retry-After, a page for people and JSON for programs."""

import pytest
from django.core import mail
from django.urls import reverse

from network import outbox, ratelimit
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def high_lockout(settings):
    # Keep django-axes out of the way: these tests are about request counts.
    settings.AXES_FAILURE_LIMIT = 1000
    settings.AKRIM_LOCKOUT_IP_FAILURES = 1000


def test_login_posts_for_one_username_are_limited_with_a_friendly_page(
    client, persona, high_lockout
):
    persona("skv", "analyst")
    for _ in range(10):
        response = client.post(reverse("login"), {"username": "skv.analyst", "password": "x"})
        assert response.status_code == 200
    limited = client.post(reverse("login"), {"username": "skv.analyst", "password": PASSWORD})
    assert limited.status_code == 429
    assert "429.html" in [t.name for t in limited.templates]
    assert 0 < int(limited["Retry-After"]) <= 300
    assert "_auth_user_id" not in client.session
    # Another username from the same address is not held back by that limit.
    other = client.post(reverse("login"), {"username": "skv.other", "password": "x"})
    assert other.status_code == 200


def test_login_posts_from_one_address_are_limited(client, settings, high_lockout):
    settings.AKRIM_RATE_LIMITS = {**settings.AKRIM_RATE_LIMITS, "login:ip": (5, 300)}
    for n in range(5):
        client.post(reverse("login"), {"username": f"u{n}", "password": "x"})
    limited = client.post(reverse("login"), {"username": "u9", "password": "x"})
    assert limited.status_code == 429
    # Reading the login page is never limited.
    assert client.get(reverse("login")).status_code == 200


def test_password_reset_is_limited_per_e_mail_address(client, persona):
    user = persona("skv", "analyst")
    user.email = "analyst@skv.invalid"
    user.save()
    for _ in range(3):
        response = client.post(reverse("password_reset"), {"email": "analyst@skv.invalid"})
        assert response.status_code == 302
    limited = client.post(reverse("password_reset"), {"email": "ANALYST@skv.invalid"})
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    outbox.send_due()  # the links go out through the outbox (network/outbox.py)
    assert len(mail.outbox) == 3


def test_token_endpoint_is_limited_with_json(api, persona, high_lockout):
    persona("skv", "analyst")
    url = reverse("api-token")
    for _ in range(10):
        api.post(url, {"username": "skv.analyst", "password": "x"}, format="json")
    limited = api.post(url, {"username": "skv.analyst", "password": PASSWORD}, format="json")
    assert limited.status_code == 429
    assert limited["Content-Type"] == "application/json"
    assert "detail" in limited.json()
    assert int(limited["Retry-After"]) > 0


def test_tips_over_the_limit_say_when_to_come_back(client, settings):
    settings.AKRIM_RATE_LIMITS = {**settings.AKRIM_RATE_LIMITS, "tips:ip": (1, 60)}
    client.post(reverse("tips:tip_form"), {})
    limited = client.post(reverse("tips:tip_form"), {})
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 60


def test_the_client_address_comes_from_the_trusted_proxy_only(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    assert ratelimit.client_ip(request) == "10.0.0.2"
    settings.AKRIM_TRUSTED_PROXY_IPS = ["10.0.0.2"]
    # The proxy appended the real client; whatever the client wrote before it is ignored.
    assert ratelimit.client_ip(request) == "203.0.113.9"


def test_counters_keep_no_address_in_clear(settings):
    key = ratelimit._key("login:ip", "203.0.113.9")
    assert "203.0.113.9" not in key


def test_a_forwarded_value_that_is_no_address_is_not_used(rf, settings):
    settings.AKRIM_TRUSTED_PROXY_IPS = ["10.0.0.0/8"]
    request = rf.get("/", HTTP_X_FORWARDED_FOR="unknown", REMOTE_ADDR="10.0.0.2")
    assert ratelimit.client_ip(request) == "10.0.0.2"
    request = rf.get("/", HTTP_X_FORWARDED_FOR="x' OR 1=1", REMOTE_ADDR="")
    assert ratelimit.client_ip(request) == ratelimit.UNKNOWN_ADDRESS


@pytest.mark.django_db
def test_a_token_request_with_a_junk_address_is_refused_cleanly(api, settings):
    """The lockout stores the address in an IP column: junk must not reach it (was a 500)."""
    settings.AKRIM_TRUSTED_PROXY_IPS = ["127.0.0.1"]
    response = api.post(
        reverse("api-token"),
        {"username": "nobody", "password": "wrong"},
        HTTP_X_FORWARDED_FOR="not-an-address",
    )
    assert response.status_code == 400
