"""Separation of duties: nobody changes their own roles, no auditor reviews events about
themselves, and agency administrators unlock their own agency's users (audited)."""

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from network.lockout import unlock_login
from network.models import AuditEvent, AuditEventReview, Membership
from network.services import record_event, set_membership
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_an_agency_admin_cannot_give_themselves_roles_in_a_service(skv_admin):
    membership = Membership.objects.get(user=skv_admin)
    with pytest.raises(PermissionDenied):
        set_membership(
            skv_admin,
            agency=membership.agency,
            roles=["admin", "auditor", "staff"],
            actor=skv_admin,
        )
    membership.refresh_from_db()
    assert membership.roles == ["admin"]


def test_an_agency_admin_cannot_give_themselves_roles_in_the_admin(client, skv_admin, persona):
    own = Membership.objects.get(user=skv_admin)
    client.force_login(skv_admin)
    url = reverse("admin:network_membership_change", args=[own.pk])
    form = {"user": skv_admin.pk, "agency": own.agency_id, "roles": ["admin", "auditor"]}
    response = client.post(url, {**form, "active": "on"})
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.roles == ["admin"]
    # Another admin of the agency may (one person cannot, two together can).
    colleague = persona("skv", "staff")
    other = Membership.objects.get(user=colleague)
    url = reverse("admin:network_membership_change", args=[other.pk])
    form = {"user": colleague.pk, "agency": other.agency_id, "roles": ["staff", "coordinator"]}
    assert client.post(url, {**form, "active": "on"}).status_code == 302
    other.refresh_from_db()
    assert other.roles == ["coordinator", "staff"]


def test_an_auditor_cannot_review_events_about_their_own_actions(api, client, persona):
    auditor = persona("skv", "auditor")
    second = persona("skv", "auditor", username="skv.auditor2")
    own = record_event("case.read", actor=auditor, purpose="own")
    about_me = record_event(
        "auth.login_failed", actor=None, obj=auditor, agency=auditor.agency, purpose="x"
    )
    response = api.as_user(auditor).post(
        reverse("auditevent-review", args=[own.pk]), {"note": "ok"}, format="json"
    )
    assert response.status_code == 403
    client.force_login(auditor)
    assert client.post(reverse("network:audit_review", args=[about_me.pk])).status_code == 403
    assert not AuditEventReview.objects.exists()
    # They are never in this auditor's sample, and another auditor reviews them.
    sample = api.as_user(auditor).get(reverse("auditevent-sample"), {"n": 200}).json()
    assert {own.pk, about_me.pk}.isdisjoint({event["id"] for event in sample})
    response = api.as_user(second).post(
        reverse("auditevent-review", args=[own.pk]), {"note": "ok"}, format="json"
    )
    assert response.status_code == 200


def fail_login(client, username, ip="192.0.2.7"):
    client.post(reverse("login"), {"username": username, "password": "wrong"}, REMOTE_ADDR=ip)


def test_an_agency_admin_unlocks_their_own_agencys_users_audited(client, persona):
    admin = persona("skv", "admin")
    staff = persona("skv", "staff")
    persona("polis", "staff")
    for _ in range(5):
        fail_login(client, "skv.staff")
        fail_login(client, "polis.staff", ip="192.0.2.8")
    assert (
        client.post(reverse("login"), {"username": "skv.staff", "password": PASSWORD}).status_code
        == 429
    )
    client.force_login(admin)
    changelist = reverse("admin:axes_accessattempt_changelist")
    page = client.get(changelist)
    assert page.status_code == 200
    listed = list(page.context["cl"].queryset.values_list("username", flat=True))
    assert set(listed) == {"skv.staff"}
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))  # tries polis' rows too
    client.post(changelist, {"action": "unlock", "_selected_action": ids})
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"polis.staff"}
    event = AuditEvent.objects.get(action="auth.unlocked")
    assert event.actor_username == "skv.admin"
    assert event.object_id == str(staff.pk)
    client.logout()
    assert (
        client.post(reverse("login"), {"username": "skv.staff", "password": PASSWORD}).status_code
        == 302
    )


def test_an_agency_admin_cannot_unlock_another_agencys_user_or_an_address(persona):
    admin = persona("skv", "admin")
    persona("polis", "staff")
    with pytest.raises(PermissionDenied):
        unlock_login(username="polis.staff", actor=admin)
    with pytest.raises(PermissionDenied):
        unlock_login(ip_address="192.0.2.8", actor=admin)
    assert not AuditEvent.objects.filter(action="auth.unlocked").exists()


def test_staff_see_no_failed_logins(client, persona):
    client.force_login(persona("skv", "staff"))
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code in (302, 403)
