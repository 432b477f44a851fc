"""k-anonymous referral statistics that padding cannot open (docs/security.md "Statistics
that padding cannot open"): only referrals their receiving agency took on count, and a group
needs k of them from at least two referring agencies."""

import pytest
from django.urls import reverse

from cases.referrals import exports
from cases.referrals import services as referral_services

pytestmark = pytest.mark.django_db

VICTIM = {"sex": "female", "nationality": "UA", "birth_year": 1990}


def refer(actor, person=VICTIM, receiving_body="nspm_stodtelefon"):
    return referral_services.create_referral(
        person=dict(person),
        receiving_body=receiving_body,
        consent={"support": True, "statistics": True},
        exploitation_types=["ForcedLabour"],
        actor=actor,
    )


def take_on(referral, actor):
    return referral_services.change_referral_status(
        referral, status="support_contacted", actor=actor
    )


def published(user, k=11):
    return exports.k_anonymous_statistics(actor=user, k=k)


def test_one_staff_member_padding_a_real_victims_group_never_opens_it(
    api, skv_staff, polis_staff, jamy_staff, persona
):
    """A real victim referred by the police and taken on by the support line; then one staff
    member of Skatteverket makes up ten referrals with the same attributes and even moves
    their status themselves. The group reaches k=11 in numbers, yet stays hidden."""
    real = refer(polis_staff)
    take_on(real, jamy_staff)
    for _ in range(10):
        take_on(refer(skv_staff), skv_staff)
    analyst = persona("skv", "analyst")
    response = api.as_user(analyst).get(reverse("referral-statistics"))
    assert response.status_code == 200
    body = response.json()
    assert body["k"] == 11
    assert body["groups"] == []
    assert body["suppressed_rows"] == 11


def test_a_group_opens_with_k_taken_on_referrals_from_two_agencies(
    skv_staff, polis_staff, jamy_staff
):
    for referrer in [polis_staff] * 6 + [skv_staff] * 5:
        take_on(refer(referrer), jamy_staff)
    result = published(skv_staff)
    assert [g["count"] for g in result["groups"]] == [11]
    group = result["groups"][0]
    assert (group["sex"], group["nationality"], group["exploitation_types"]) == (
        "female",
        "UA",
        "ForcedLabour",
    )
    assert set(group) == {"year", "sex", "age_band", "nationality", "exploitation_types", "count"}
    assert result["suppressed_rows"] == 0


def test_k_referrals_of_one_referring_agency_stay_hidden_even_when_taken_on(skv_staff, jamy_staff):
    for _ in range(11):
        take_on(refer(skv_staff), jamy_staff)
    assert published(skv_staff)["groups"] == []


def test_a_receiving_agency_cannot_take_on_its_own_referrals(
    polis_staff, skv_staff, jamy_staff, persona
):
    """The police refer six people to the police and move the status themselves: that is no
    acceptance by a second agency, so those six never count; the ten others do."""
    police_coordinator = persona("polis", "coordinator")
    for referrer in [polis_staff] * 6 + [skv_staff] * 5 + [jamy_staff] * 5:
        take_on(refer(referrer, receiving_body="polis"), police_coordinator)
    assert published(skv_staff, k=11)["groups"] == []
    result = published(skv_staff, k=10)
    assert [g["count"] for g in result["groups"]] == [10]
    assert result["suppressed_rows"] == 6


def test_referrals_without_a_receiving_agency_never_count(skv_staff, polis_staff):
    """Social services are outside akrim: no second agency can take those on."""
    for referrer in [polis_staff] * 6 + [skv_staff] * 6:
        take_on(refer(referrer, receiving_body="socialtjanst"), referrer)
    result = published(skv_staff, k=2)
    assert result["groups"] == []
    assert result["suppressed_rows"] == 12
