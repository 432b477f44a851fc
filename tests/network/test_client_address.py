"""The client address and the request id: believed from the configured proxies only
(`AKRIM_TRUSTED_PROXY_IPS`), never from whoever reaches the port."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from network.models import AuditEvent
from tests.conftest import PASSWORD

REAL = "203.0.113.5"  # TEST-NET-3 addresses: never real hosts
PROXY = "10.0.0.2"

_PRODUCTION_CLIENT_IP = """
import django, json
django.setup()
from django.conf import settings
from django.test import RequestFactory
from network.ratelimit import client_ip
request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="203.0.113.5")
print(json.dumps({"trusted": settings.AKRIM_TRUSTED_PROXY_IPS, "ip": client_ip(request)}))
"""


def test_with_debug_off_and_no_setting_no_header_is_trusted():
    """Production settings as shipped (DEBUG off, nothing said about proxies)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AKRIM_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(
        DEBUG="false",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="akrim.example.se",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", _PRODUCTION_CLIENT_IP],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer == {"trusted": [], "ip": "203.0.113.5"}


@pytest.mark.django_db
def test_spoofed_forwarded_for_does_not_escape_the_address_lockout(client, persona, settings):
    settings.DEBUG = False
    settings.AKRIM_LOCKOUT_IP_FAILURES = 3
    for n in range(3):
        response = client.post(
            reverse("login"),
            {"username": f"nobody{n}", "password": "wrong"},
            REMOTE_ADDR=REAL,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    assert response.status_code == 429
    persona("skv", "analyst")
    # The address is locked whatever the next request claims to come from.
    locked = client.post(
        reverse("login"),
        {"username": "skv.analyst", "password": PASSWORD},
        REMOTE_ADDR=REAL,
        HTTP_X_FORWARDED_FOR="198.51.100.200",
    )
    assert locked.status_code == 429
    event = AuditEvent.objects.filter(action="auth.login_failed").first()
    assert event.ip == REAL


@pytest.mark.django_db
def test_spoofed_forwarded_for_does_not_escape_the_tip_limit(client, settings):
    settings.DEBUG = False
    settings.AKRIM_RATE_LIMITS = {**settings.AKRIM_RATE_LIMITS, "tips:ip": (1, 60)}
    client.post(reverse("tips:tip_form"), {}, REMOTE_ADDR=REAL, HTTP_X_FORWARDED_FOR="1.2.3.4")
    limited = client.post(
        reverse("tips:tip_form"), {}, REMOTE_ADDR=REAL, HTTP_X_FORWARDED_FOR="5.6.7.8"
    )
    assert limited.status_code == 429


def test_behind_a_named_proxy_the_real_client_is_found(rf, settings):
    settings.AKRIM_TRUSTED_PROXY_IPS = ["10.0.0.0/24", "192.0.2.1"]
    from network.ratelimit import client_ip

    # client wrote 6.6.6.6; the outer proxy appended the client, the inner one the outer.
    request = rf.get("/", HTTP_X_FORWARDED_FOR=f"6.6.6.6, {REAL}, 192.0.2.1", REMOTE_ADDR=PROXY)
    assert client_ip(request) == REAL
    # Not from a proxy: the header is ignored.
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR=REAL)
    assert client_ip(request) == REAL


@pytest.mark.django_db
def test_a_client_chosen_request_id_never_reaches_the_audit_trail(client, persona, settings):
    persona("skv", "analyst")
    response = client.post(
        reverse("login"),
        {"username": "skv.analyst", "password": PASSWORD},
        HTTP_X_REQUEST_ID="attacker-chosen-id",
    )
    assert response.status_code == 302
    assert response["X-Request-ID"] != "attacker-chosen-id"
    login = AuditEvent.objects.get(action="auth.login")
    assert login.request_id == response["X-Request-ID"]
    # From the configured proxy the id is taken, so proxy logs and audit events match.
    settings.AKRIM_TRUSTED_PROXY_IPS = ["127.0.0.1"]
    client.post(reverse("logout"))
    response = client.post(
        reverse("login"),
        {"username": "skv.analyst", "password": PASSWORD},
        HTTP_X_REQUEST_ID="proxy-request-0042",
    )
    assert response["X-Request-ID"] == "proxy-request-0042"
    assert AuditEvent.objects.filter(action="auth.login", request_id="proxy-request-0042").exists()
