"""The audit trail: what is recorded, and that the database refuses to rewrite it."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from network.models import AuditEvent
from network.services import record_event
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(skv_staff):
    return record_event("test.action", actor=skv_staff, obj=skv_staff, purpose="because")


def test_an_event_records_actor_agency_object_and_purpose(event, skv_staff):
    assert event.actor == skv_staff
    assert (event.actor_username, event.agency_code) == ("skv.staff", "skv")
    assert (event.object_type, event.object_id) == ("network.user", str(skv_staff.pk))
    assert event.purpose == "because"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE network_auditevent SET action = 'rewritten'",
        "DELETE FROM network_auditevent",
    ],
)
def test_database_refuses_update_and_delete_of_audit_events(event, statement):
    """Runs on whichever database the suite uses; CI runs it on PostgreSQL and on SQLite."""
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    event.refresh_from_db()
    assert event.action == "test.action"


def test_orm_update_and_delete_are_refused_too(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(purpose="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk, purpose="because").exists()


def test_login_and_logout_are_audited_with_the_request_id(client, skv_staff, settings):
    # The test client connects from 127.0.0.1: here that is the trusted TLS proxy.
    settings.AKRIM_TRUSTED_PROXY_IPS = ["127.0.0.1"]
    response = client.post(
        reverse("login"),
        {"username": "skv.staff", "password": PASSWORD},
        HTTP_X_REQUEST_ID="req-login-0001",
    )
    assert response.status_code == 302
    assert response["X-Request-ID"] == "req-login-0001"
    login = AuditEvent.objects.get(action="auth.login")
    assert (login.actor_username, login.agency_code, login.request_id) == (
        "skv.staff",
        "skv",
        "req-login-0001",
    )
    assert login.ip == "127.0.0.1"
    client.post(reverse("logout"))
    assert AuditEvent.objects.filter(action="auth.logout", actor=skv_staff).count() == 1


def test_wrong_password_shows_a_swedish_message_and_is_audited(client, skv_staff):
    response = client.post(
        reverse("login"), {"username": "skv.staff", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="sv"
    )
    assert response.status_code == 200
    assert "Fel användarnamn eller lösenord" in response.content.decode()
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.actor is None
    assert failed.agency_code == "skv"  # the tried account's agency sees the attempt
    assert failed.purpose == "username=skv.staff"
    assert "wrong" not in str(failed.changes) + failed.purpose


def test_request_id_is_generated_when_missing_or_malformed(client):
    generated = client.get(reverse("login"))["X-Request-ID"]
    assert len(generated) == 32
    spoofed = client.get(reverse("login"), HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert spoofed != "<script>"
