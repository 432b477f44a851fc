import pytest
from django.urls import reverse

from cases.employers.models import Employer
from network.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("orgnr", ["556036-0793", "5560360793", "16556036-0793", " 556036 0793 "])
def test_employer_is_stored_as_ten_digits_whatever_the_spelling(api, skv_staff, orgnr):
    response = api.as_user(skv_staff).post(
        reverse("employer-list"), {"orgnr": orgnr, "name": "Bygg AB"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["orgnr"] == "5560360793"
    assert body["legal_form"] == "aktiebolag"
    assert body["is_sole_trader"] is False
    assert AuditEvent.objects.filter(action="employer.created", object_id=str(body["id"])).exists()


def test_sole_trader_personnummer_is_accepted_and_flagged(api, av_coordinator):
    response = api.as_user(av_coordinator).post(
        reverse("employer-list"), {"orgnr": "19811218-9876", "name": "Kalles Bygg"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["is_sole_trader"] is True
    assert response.json()["orgnr"] == "8112189876"


@pytest.mark.parametrize("orgnr", ["556036-0794", "123", "0012345678", "abc", ""])
def test_invalid_orgnr_is_a_400_naming_orgnr(api, skv_staff, orgnr):
    response = api.as_user(skv_staff).post(
        reverse("employer-list"), {"orgnr": orgnr, "name": "X"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["orgnr"]
    assert not Employer.objects.exists()


def test_duplicate_orgnr_is_a_400(api, skv_staff, employer):
    response = api.as_user(skv_staff).post(
        reverse("employer-list"), {"orgnr": "5560360793", "name": "Another"}, format="json"
    )
    assert response.status_code == 400
    assert "orgnr" in response.json()
    assert Employer.objects.count() == 1


def test_search_by_orgnr_accepts_any_spelling(api, polis_staff, employer):
    client = api.as_user(polis_staff)
    found = client.get(reverse("employer-list"), {"orgnr": "556036-0793"}).json()["results"]
    assert [e["name"] for e in found] == ["Bygg & Montage AB"]
    assert client.get(reverse("employer-list"), {"orgnr": "nonsense"}).json()["results"] == []


def test_analyst_may_read_but_not_register_employers(api, persona, employer):
    client = api.as_user(persona("av", "analyst"))
    assert client.get(reverse("employer-list")).status_code == 200
    response = client.post(reverse("employer-list"), {"orgnr": "2021005489", "name": "Kommun"})
    assert response.status_code == 403
