"""The bugs the API fuzz found, pinned as plain tests (they run on SQLite too)."""

import pytest

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
    assert response.status_code == 400 and "agency" in response.json()
    referral = world.ids["referrals"][0]
    response = client.post(
        f"/api/v1/referrals/{referral}/share/",
        {"agency": "\x00", "legal_basis": "samtycke", "reason": "Samtycke finns"},
        format="json",
    )
    assert response.status_code == 400 and "agency" in response.json()
    assert client.get("/api/v1/agencies/s%00kv/").status_code == 404


def test_list_filters_do_not_decide_whether_one_referral_is_found(world, api):
    referral = world.ids["referrals"][0]
    url = f"/api/v1/referrals/{referral}/notes/"
    insider = api.as_user(world.insider)
    assert insider.get(url, {"status": "closed", "receiving_body": "???"}).status_code == 200
    outsider = api.as_user(world.outsider)
    assert outsider.get(url, {"receiving_body": "???"}).status_code == 404
