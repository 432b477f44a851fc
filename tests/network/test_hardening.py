"""Hardening: the API schema behind a login in production, TRUNCATE refused on the audit
trail, the published demo key useless with DEBUG off, JSON 406s, TOTP secrets encrypted at
rest, and an absolute session lifetime."""

import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from network import totp_keys, twofactor
from network.models import AuditEvent
from network.services import record_event
from tests.conftest import PASSWORD, otp_code

_PRODUCTION_REQUESTS = """
import django, json
django.setup()
from django.test import Client
client = Client()
print(json.dumps({path: client.get(path).status_code for path in PATHS}))
"""


def production(paths):
    """GET `paths` anonymously in a process with production settings (DEBUG off)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AKRIM_", "DATABASE_URL", "REDIS_URL", "DEBUG"))
    }
    env.update(
        DEBUG="false",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", f"PATHS = {paths!r}\n" + _PRODUCTION_REQUESTS],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_schema_and_its_docs_need_a_login_in_production():
    answers = production(["/api/v1/schema/", "/api/v1/docs/"])
    assert set(answers.values()) <= {401, 403}, answers


@pytest.mark.django_db
def test_a_signed_in_user_reads_the_schema_when_it_is_not_public(api, settings, persona):
    settings.AKRIM_PUBLIC_API_SCHEMA = False
    assert api.get(reverse("schema")).status_code in (401, 403)
    assert api.get(reverse("api-docs")).status_code in (401, 403)
    assert api.as_user(persona("skv", "analyst")).get(reverse("schema")).status_code == 200


def test_a_406_is_json_not_a_python_repr(client):
    for name in ("schema", "agency-list"):
        response = client.get(reverse(name), HTTP_ACCEPT="application/xml")
        assert response.status_code in (401, 403, 406)
        assert response["Content-Type"].startswith("application/json")
        assert set(json.loads(response.content)) == {"detail"}


@pytest.mark.postgres
@pytest.mark.django_db
def test_truncate_of_the_audit_trail_is_refused():
    record_event("test.kept", actor=None)
    with (
        pytest.raises(DatabaseError, match="TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE network_auditevent CASCADE")
    assert AuditEvent.objects.filter(action="test.kept").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_test_flush_still_empties_the_audit_trail():
    """Transactional tests end with a flush (TRUNCATE) that only the test suite may run."""
    record_event("test.flushed", actor=None)
    assert AuditEvent.objects.filter(action="test.flushed").exists()


@pytest.mark.django_db
def test_the_published_demo_key_is_refused_with_debug_off(api, client, persona, settings):
    settings.AKRIM_DEMO_OTP = True
    user = persona("skv", "analyst", username="av.coordinator-demo")
    twofactor.give_demo_authenticator(user)
    from network.services import set_membership

    set_membership(user, agency=user.agency, roles=["coordinator"], actor=None)
    code = twofactor.current_code(twofactor.totp_device(user))
    # A demo-seeded database served in production:
    settings.DEBUG = False
    settings.AKRIM_DEMO_OTP = False
    token = api.post(
        reverse("api-token"),
        {"username": user.username, "password": PASSWORD, "otp": code},
        format="json",
    )
    assert token.status_code == 400
    assert "otp" in token.json()
    assert client.login(username=user.username, password=PASSWORD)
    # The demo authenticator does not count: the person must set up their own.
    assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor_enrol"))
    response = client.post(reverse("two_factor_verify"), {"code": code})
    assert response.status_code == 302
    assert reverse("two_factor_enrol") in response["Location"]
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_totp_secrets_are_encrypted_at_rest_and_keys_rotate(persona, settings, api):
    user = persona("skv", "staff")
    device = twofactor.totp_device(user)
    stored = TOTPDevice.objects.filter(pk=device.pk).values_list("key", flat=True).get()
    secret = device.bin_key.hex()
    assert stored.startswith("enc1:")
    assert secret not in stored
    first = api.post(
        reverse("api-token"),
        {"username": "skv.staff", "password": PASSWORD, "otp": otp_code(user)},
        format="json",
    )
    assert first.status_code == 200
    # Rotation: the new key first, the old one (here derived from SECRET_KEY) after it.
    settings.AKRIM_TOTP_KEYS = ["n" * 40, settings.SECRET_KEY]
    call_command("rotate_totp_key")
    settings.AKRIM_TOTP_KEYS = ["n" * 40]
    rotated = TOTPDevice.objects.get(pk=device.pk)
    assert rotated.key != stored
    assert rotated.bin_key.hex() == secret
    assert AuditEvent.objects.filter(action="auth.totp_key_rotated").exists()


@pytest.mark.django_db
def test_the_migration_encrypts_secrets_stored_in_clear(persona):
    user = persona("skv", "staff")
    device = twofactor.totp_device(user)
    secret = device.bin_key.hex()
    TOTPDevice.objects.filter(pk=device.pk).update(key=secret)  # as before the migration
    migration = importlib.import_module("network.migrations.0007_encrypt_totp_secrets")
    migration.encrypt_existing(django_apps, None)
    stored = TOTPDevice.objects.filter(pk=device.pk).values_list("key", flat=True).get()
    assert totp_keys.is_encrypted(stored)
    assert totp_keys.decrypt(stored) == secret


@pytest.mark.django_db
def test_a_session_ends_ten_hours_after_login_however_active(client, persona, settings):
    user = persona("skv", "analyst")
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[twofactor.LOGIN_AT_SESSION_KEY] = int(time.time()) - 10 * 3600 - 1
    session.save()
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="sv")
    assert "högst 10 timmar" in page.content.decode()
    assert AuditEvent.objects.filter(action="auth.logout", actor=user).exists()
