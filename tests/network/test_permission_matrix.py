"""Who may see the audit trail and manage memberships (DESIGN.md "Access")."""

import pytest
from django.urls import reverse

from network.models import AuditEvent, Membership
from network.services import record_event
from tests.matrix import Row, covers

covers(
    models=["network.auditevent", "network.membership"],
    routes=["auditevent-list", "auditevent-detail", "auditevent-sample", "auditevent-review"],
)

AUDIT_MATRIX = [
    Row("skv.auditor", "own_agency", "api_list", 200),
    Row("skv.auditor", "own_agency", "api_retrieve", 200),
    Row("skv.auditor", "own_agency", "html_list", 200),
    Row("skv.auditor", "own_agency", "admin_change", 302),  # no admin site access: to login
    Row("skv.admin-auditor", "own_agency", "admin_change", 200),
    Row("skv.admin-auditor", "other_agency", "admin_change", 404),
    Row("skv.auditor", "other_agency", "api_retrieve", 404),
    Row("skv.auditor", "own_agency", "api_sample", 200),
    Row("skv.auditor", "own_agency", "api_review", 200),
    Row("skv.auditor", "other_agency", "api_review", 404),
    Row("skv.auditor", "own_agency", "html_review", 302),
    Row("skv.auditor", "other_agency", "html_review", 404),
    Row("skv.staff", "own_agency", "api_sample", 403),
    Row("skv.staff", "own_agency", "api_review", 404),
    Row("skv.staff", "own_agency", "html_review", 403),
    Row("skv.staff", "own_agency", "api_list", 403),
    Row("skv.staff", "own_agency", "api_retrieve", 404),  # no audit scope without the role
    Row("skv.staff", "own_agency", "html_list", 403),
    Row("av.coordinator", "other_agency", "api_list", 403),
    Row("skv.admin", "own_agency", "api_list", 403),
    Row("anonymous", "other_agency", "api_list", 401),
    Row("anonymous", "other_agency", "html_list", 302),
]

MEMBERSHIP_MATRIX = [
    Row("skv.admin", "own_agency", "admin_change", 200),
    Row("skv.admin", "own_agency", "admin_changelist", 200),
    Row("skv.admin", "other_agency", "admin_change", 404),
    Row("skv.staff", "own_agency", "admin_change", 302),  # no admin site access: to login
    Row("skv.auditor", "own_agency", "admin_change", 302),
]


def _user(persona, name):
    if name == "anonymous":
        return None
    agency, roles = name.split(".")
    return persona(agency, *roles.split("-"))


def _request(client, api, user, action, url_names, obj):
    if user is not None:
        client.force_login(user)
        api.as_user(user)
    if action == "api_list":
        return api.get(reverse(url_names["list"]))
    if action == "api_retrieve":
        return api.get(reverse(url_names["detail"], args=[obj.pk]))
    if action == "html_list":
        return client.get(reverse(url_names["html_list"]))
    if action == "api_sample":
        return api.get(reverse("auditevent-sample"), {"n": 5})
    if action == "api_review":
        return api.post(reverse("auditevent-review", args=[obj.pk]), {"note": "ok"})
    if action == "html_review":
        return client.post(reverse("network:audit_review", args=[obj.pk]), {"note": "ok"})
    if action == "admin_change":
        return client.get(reverse(url_names["admin_change"], args=[obj.pk]))
    if action == "admin_changelist":
        return client.get(reverse(url_names["admin_changelist"]))
    raise AssertionError(action)


AUDIT_URLS = {
    "list": "auditevent-list",
    "detail": "auditevent-detail",
    "html_list": "network:audit_list",
    "admin_change": "admin:network_auditevent_change",
}


@pytest.mark.django_db
@pytest.mark.parametrize("row", AUDIT_MATRIX, ids=str)
def test_audit_event_matrix(row, persona, client, api):
    user = _user(persona, row.persona)
    actor = persona("skv", "staff") if row.relation == "own_agency" else persona("polis", "staff")
    event = record_event("test.read", actor=actor, obj=actor)
    response = _request(client, api, user, row.action, AUDIT_URLS, event)
    assert response.status_code == row.expected
    if row.action == "api_list" and row.expected == 200:
        ids = {item["id"] for item in response.json()["results"]}
        assert event.pk in ids
        assert not AuditEvent.objects.filter(pk__in=ids).exclude(agency_code="skv").exists()


MEMBERSHIP_URLS = {
    "admin_change": "admin:network_membership_change",
    "admin_changelist": "admin:network_membership_changelist",
}


@pytest.mark.django_db
@pytest.mark.parametrize("row", MEMBERSHIP_MATRIX, ids=str)
def test_membership_admin_matrix(row, persona, client, api):
    user = _user(persona, row.persona)
    member = (
        persona("skv", "analyst") if row.relation == "own_agency" else persona("polis", "analyst")
    )
    response = _request(client, api, user, row.action, MEMBERSHIP_URLS, member.membership)
    assert response.status_code == row.expected


@pytest.mark.django_db
def test_agency_admin_changelist_lists_only_own_agency(persona, client):
    persona("skv", "analyst")
    persona("polis", "analyst")
    client.force_login(persona("skv", "admin"))
    response = client.get(reverse("admin:network_membership_changelist"))
    shown = {m.agency.code for m in response.context["cl"].result_list}
    assert shown == {"skv"}
    assert Membership.objects.count() == 3
