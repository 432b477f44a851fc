"""The bugs the API fuzz found, pinned as plain tests (they run on SQLite too)."""

import base64

import pytest
from drf_spectacular.generators import SchemaGenerator

from network.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_body_that_is_not_json_is_a_400_naming_the_request(world, api):
    client = api.as_user(world.insider)
    response = client.post("/api/v1/cases/", "\x00", content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]


def test_a_nul_byte_in_an_agency_code_is_a_400_not_a_server_error(world, api):
    client = api.as_user(world.insider)
    client.raise_request_exception = False
    inspection = world.ids["inspections"][1]  # the planned one: agencies can be assigned
    response = client.post(
        f"/api/v1/inspections/{inspection}/assignments/",
        {"agency": "s\x00kv", "mode": "planning"},
        format="json",
    )
    assert response.status_code == 400
    assert "agency" in response.json()
    referral = world.ids["referrals"][0]
    response = client.post(
        f"/api/v1/referrals/{referral}/share/",
        {"agency": "\x00", "legal_basis": "samtycke", "reason": "Samtycke finns"},
        format="json",
    )
    assert response.status_code == 400
    assert "agency" in response.json()
    assert client.get("/api/v1/agencies/s%00kv/").status_code == 404


def test_list_filters_do_not_decide_whether_one_referral_is_found(world, api):
    referral = world.ids["referrals"][0]
    url = f"/api/v1/referrals/{referral}/notes/"
    insider = api.as_user(world.insider)
    assert insider.get(url, {"status": "closed", "receiving_body": "???"}).status_code == 200
    outsider = api.as_user(world.outsider)
    assert outsider.get(url, {"receiving_body": "???"}).status_code == 404


# --- the second probe: query strings, cursors, person counts, export audit ----------------

NUL_URLS = [
    "/api/v1/tips/?q=%00",
    "/api/v1/tips/?status=new%00",
    "/api/v1/risk/candidates/?centre=%00",
    "/api/v1/risk/candidates/?industries=F%00",
    "/api/v1/cases/export/?q=%00",
    "/api/v1/inspections/export/?status=%00",
    "/api/v1/referrals/?reference=%00",
    "/api/v1/audit-events/?actor=%00",
]


@pytest.mark.parametrize("url", NUL_URLS)
def test_a_nul_byte_in_a_query_parameter_is_a_400_naming_it(world, api, url):
    client = api.as_user(world.insider)
    client.raise_request_exception = False
    response = client.get(url)
    assert response.status_code == 400, (url, response.status_code)
    name = url.split("?")[1].split("=")[0]
    assert name in response.json()


@pytest.mark.parametrize("url", ["/kontroller/export/?status=%00", "/arenden/?q=%00"])
def test_a_nul_byte_in_a_page_query_is_a_400_page(world, client, url):
    client.force_login(world.insider)
    client.raise_request_exception = False
    response = client.get(url)
    assert response.status_code == 400


def tampered_cursors() -> list[str]:
    raw = [
        b"p=abc",
        b"p=\x00",
        b"p=" + b"9" * 40,
        b"p=-1.5e308",
        b"o=1&r=1&p=" + b"x" * 500,
        b"o=99999999999&p=1",
        b"r=1&p=%00",
        b"p=2024-13-45",
    ]
    return [base64.b64encode(value).decode() for value in raw] + ["!!!", "%00", "cD0="]


def cursor_lists() -> list[str]:
    """Every list in the published schema that takes a `cursor` (new lists join by
    themselves)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        path
        for path, operations in schema["paths"].items()
        if "{" not in path
        and any(p["name"] == "cursor" for p in operations.get("get", {}).get("parameters", []))
    )


def test_every_cursor_list_is_found_in_the_schema():
    lists = cursor_lists()
    assert {"/api/v1/cases/", "/api/v1/tips/", "/api/v1/audit-events/"} <= set(lists)


def test_a_tampered_cursor_is_never_a_server_error_on_any_cursor_list(world, api):
    """A cursor whose position is not a value of the list's ordering answers 404; one that
    decodes to a plausible position simply pages from there."""
    client = api.as_user(world.insider)
    client.raise_request_exception = False
    failures = []
    for path in cursor_lists():
        for cursor in tampered_cursors():
            response = client.get(path, {"cursor": cursor})
            if response.status_code >= 500:
                failures.append((path, cursor, response.status_code))
    assert not failures
    not_ids = [tampered_cursors()[i] for i in (0, 1, 3, 4)]  # "abc", NUL, a float, 500 x's
    for cursor in not_ids:  # ordered by id: a position that is no id
        response = client.get("/api/v1/cases/", {"cursor": cursor})
        assert response.status_code == 404, (cursor, response.status_code)
        assert response.json() == {"detail": "Ogiltig cursor."}


def test_a_real_cursor_still_pages(world, api):
    client = api.as_user(world.insider)
    first = client.get("/api/v1/agencies/", {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    assert first["results"]
    assert second["results"]
    assert {a["code"] for a in first["results"]}.isdisjoint(a["code"] for a in second["results"])


def test_two_person_counts_of_the_same_kind_are_a_400_not_a_server_error(world, api):
    client = api.as_user(world.insider)
    client.raise_request_exception = False
    inspection = world.ids["inspections"][0]  # performed, the insider's agency on site
    counts = [
        {"right_to_work": "no_right_to_work", "nationality": "RO", "count": 2},
        {"right_to_work": "no_right_to_work", "nationality": "ro", "count": 1},
    ]
    response = client.post(
        f"/api/v1/inspections/{inspection}/persons/", {"counts": counts}, format="json"
    )
    assert response.status_code == 400
    assert "right_to_work" in response.json()["counts[1]"]
    single = client.post(
        f"/api/v1/inspections/{inspection}/persons/", {"counts": counts[:1]}, format="json"
    )
    assert single.status_code == 200


def test_an_export_records_only_its_known_filters_bounded(world, api):
    client = api.as_user(world.insider)
    response = client.get(
        "/api/v1/inspections/export/",
        {"status": "performed", "q": "x" * 5000, "note": "anything the caller writes"},
    )
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="inspection.exported").latest("id")
    assert event.changes["filters"] == {"status": "performed", "q": "x" * 200}


def test_the_case_export_records_only_its_known_filters_bounded(world, api):
    client = api.as_user(world.insider)
    response = client.get("/api/v1/cases/export/", {"q": "y" * 5000, "note": "caller's text"})
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="case.exported").latest("id")
    assert event.changes["filters"] == {"q": "y" * 200}
