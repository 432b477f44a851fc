"""Lockout after repeated failed logins (django-axes): per username, per address, audited,
with a clear page and an audited unlock path."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse

from network.models import AuditEvent
from tests.conftest import PASSWORD, enrol_authenticator

pytestmark = pytest.mark.django_db

ATTACKER = "192.0.2.66"  # TEST-NET-1: a documentation address, never a real host


def log_in(client, username, password, ip="127.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_five_wrong_passwords_lock_the_username_with_a_page_not_a_trace(client, skv_staff):
    for _ in range(4):
        assert log_in(client, "skv.staff", "wrong-password").status_code == 200
    locked = log_in(client, "skv.staff", "wrong-password")
    assert locked.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in locked.templates]
    assert int(locked["Retry-After"]) == 15 * 60
    assert b"Traceback" not in locked.content

    # Even the right password is refused while locked, and no session is made.
    again = log_in(client, "skv.staff", PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.filter(action="auth.locked_out").first()
    assert event is not None
    assert event.agency_code == "skv"
    assert event.purpose == "username=skv.staff"


def test_the_lock_on_a_username_holds_from_another_address_too(client, skv_staff):
    for _ in range(5):
        log_in(client, "skv.staff", "wrong-password", ip=ATTACKER)
    assert log_in(client, "skv.staff", PASSWORD, ip="198.51.100.7").status_code == 429


def test_an_address_is_locked_after_twenty_failures_on_any_usernames(client, persona):
    persona("skv", "analyst")
    for n in range(19):
        assert log_in(client, f"guess{n}", "x", ip=ATTACKER).status_code == 200
    assert log_in(client, "guess19", "x", ip=ATTACKER).status_code == 429
    # The address is locked for everyone ...
    assert log_in(client, "skv.analyst", PASSWORD, ip=ATTACKER).status_code == 429
    # ... but the account itself is not: from elsewhere it logs in.
    response = log_in(client, "skv.analyst", PASSWORD, ip="198.51.100.7")
    assert response.status_code == 302


def test_a_right_password_clears_that_usernames_failures_only(client, persona, settings):
    persona("skv", "analyst")
    settings.AKRIM_LOCKOUT_IP_FAILURES = 8
    for _ in range(4):
        log_in(client, "skv.analyst", "wrong", ip=ATTACKER)
    for n in range(3):
        log_in(client, f"guess{n}", "wrong", ip=ATTACKER)
    assert log_in(client, "skv.analyst", PASSWORD, ip=ATTACKER).status_code == 302
    client.logout()
    assert not AccessAttempt.objects.filter(username="skv.analyst").exists()
    # A guesser with one valid account cannot wipe the count of the other names tried.
    assert AccessAttempt.objects.filter(ip_address=ATTACKER).count() == 3
    for n in range(3, 7):
        log_in(client, f"guess{n}", "wrong", ip=ATTACKER)
    assert log_in(client, "guess7", "wrong", ip=ATTACKER).status_code == 429


def test_the_token_endpoint_is_locked_too_and_answers_json(api, skv_staff):
    url = reverse("api-token")
    for _ in range(4):
        response = api.post(url, {"username": "skv.staff", "password": "nope"}, format="json")
        assert response.status_code == 400
    response = api.post(url, {"username": "skv.staff", "password": "nope"}, format="json")
    assert response.status_code == 429
    assert "detail" in response.json()
    assert response["Retry-After"] == str(15 * 60)
    right = api.post(url, {"username": "skv.staff", "password": PASSWORD}, format="json")
    assert right.status_code == 429


def test_unlock_login_command_lets_the_user_in_again_and_is_audited(client, persona):
    user = persona("skv", "analyst")
    for _ in range(5):
        log_in(client, "skv.analyst", "wrong")
    assert log_in(client, "skv.analyst", PASSWORD).status_code == 429

    out = call_command("unlock_login", "skv.analyst")
    assert "6 failed login(s) cleared" in out  # the try while locked counts too
    assert log_in(client, "skv.analyst", PASSWORD).status_code == 302
    event = AuditEvent.objects.get(action="auth.unlocked")
    assert event.object_id == str(user.pk)
    assert event.agency_code == "skv"


def test_an_admin_unlocks_from_the_admin_with_an_audited_action(client, persona, django_user_model):
    for _ in range(5):
        log_in(client, "skv.staff-x", "wrong", ip=ATTACKER)
    root = django_user_model.objects.create_superuser("root", "root@example.invalid", PASSWORD)
    enrol_authenticator(root)
    client.force_login(root)
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert client.get(changelist).status_code == 200
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = client.post(changelist, {"action": "unlock", "_selected_action": ids}, follow=True)
    assert response.status_code == 200
    assert not AccessAttempt.objects.exists()
    event = AuditEvent.objects.get(action="auth.unlocked")
    assert event.actor_username == "root"
    assert ATTACKER in event.purpose
    assert "skv.staff-x" in event.purpose


def test_attempt_rows_cannot_be_deleted_silently_in_the_admin(client, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.invalid", PASSWORD)
    enrol_authenticator(root)
    client.force_login(root)
    log_in_attempt = AccessAttempt.objects.create(
        username="x", ip_address=ATTACKER, user_agent="", failures_since_start=1
    )
    url = reverse("admin:axes_accessattempt_delete", args=[log_in_attempt.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert AccessAttempt.objects.filter(pk=log_in_attempt.pk).exists()
