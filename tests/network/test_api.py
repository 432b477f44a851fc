import pytest
from django.urls import reverse
from knox.crypto import hash_token

from network.models import ApiToken, AuditEvent
from network.services import record_event
from tests.conftest import PASSWORD, otp_code

pytestmark = pytest.mark.django_db


def test_token_login_and_me(api, skv_staff):
    response = api.post(
        reverse("api-token"),
        {"username": "skv.staff", "password": PASSWORD, "otp": otp_code(skv_staff)},
        format="json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    stored = ApiToken.objects.get(user=skv_staff)
    assert stored.digest == hash_token(token)
    assert token not in {stored.digest, stored.token_key}
    assert stored.two_factor
    assert stored.expiry is not None
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get(reverse("api-me"))
    assert me.status_code == 200
    assert me.json() == {
        "username": "skv.staff",
        "agency": "skv",
        "roles": ["staff"],
        "centre": None,
    }
    assert AuditEvent.objects.filter(action="auth.token", actor=skv_staff).exists()


def test_wrong_password_for_token_is_a_400_and_audited(api, skv_staff):
    response = api.post(
        reverse("api-token"), {"username": "skv.staff", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert AuditEvent.objects.filter(action="auth.login_failed", agency_code="skv").exists()


def test_token_request_without_password_names_the_field(api):
    response = api.post(reverse("api-token"), {"username": "x"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["password"]


def test_me_needs_authentication(api):
    assert api.get(reverse("api-me")).status_code == 401


def test_agencies_list_has_the_contract_shape(api, skv_staff):
    body = api.as_user(skv_staff).get(reverse("agency-list")).json()
    assert set(body) == {"next", "previous", "results"}
    av = next(item for item in body["results"] if item["code"] == "av")
    assert {"code", "name", "is_coordinator"} <= set(av)
    assert av["is_coordinator"] is True
    assert len(body["results"]) == 9


def test_audit_events_filter_by_action_actor_and_object(api, skv_auditor, skv_staff):
    record_event("case.viewed", actor=skv_staff, object_type="cases.case", object_id=7)
    record_event("case.viewed", actor=skv_staff, object_type="cases.case", object_id=8)
    client = api.as_user(skv_auditor)
    url = reverse("auditevent-list")
    body = client.get(url, {"action": "case.viewed", "object_id": "7"}).json()
    assert [(e["actor"], e["object_type"], e["object_id"]) for e in body["results"]] == [
        ("skv.staff", "cases.case", "7")
    ]
    assert client.get(url, {"actor": "nobody"}).json()["results"] == []
    bad = client.get(url, {"since": "not-a-date"})
    assert bad.status_code == 400
    assert "since" in bad.json()


def test_audit_event_pages_follow_next_to_the_end(api, skv_auditor, skv_staff):
    for n in range(7):
        record_event("case.viewed", actor=skv_staff, object_type="cases.case", object_id=n)
    client = api.as_user(skv_auditor)
    url = reverse("auditevent-list") + "?action=case.viewed&page_size=3"
    seen = []
    while url:
        body = client.get(url).json()
        seen += [e["object_id"] for e in body["results"]]
        url = body["next"]
    assert sorted(seen, key=int) == [str(n) for n in range(7)]


# membership, role capabilities (one query: network.backends), the page itself
AUDIT_LIST_QUERIES = 3


@pytest.mark.parametrize("rows", [1, 10])
def test_audit_event_list_query_count_is_constant(
    rows, api, skv_auditor, skv_staff, django_assert_num_queries
):
    for n in range(rows):
        record_event("case.viewed", actor=skv_staff, object_type="cases.case", object_id=n)
    client = api.as_user(type(skv_auditor).objects.get(pk=skv_auditor.pk))  # cold caches
    with django_assert_num_queries(AUDIT_LIST_QUERIES):
        response = client.get(reverse("auditevent-list"), {"action": "case.viewed"})
    assert len(response.json()["results"]) == rows
