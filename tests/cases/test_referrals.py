"""Victim referrals: validation, masking, consent, audit, retention, exports."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from cases.referrals import exports
from cases.referrals import services as referral_services
from cases.referrals.models import VictimReferral
from network.models import AuditEvent

pytestmark = pytest.mark.django_db

PNR = "19640823-3234"  # a valid personnummer (reference §4.5)
SAMNR = "701063-2391"  # a valid samordningsnummer (day + 60)


def payload(**changes):
    body = {
        "person": {
            "identifier_type": "personnummer",
            "identifier": PNR,
            "name": "Anna Exempel",
            "sex": "female",
            "nationality": "ua",
            "language": "ukrainska",
        },
        "receiving_body": "nspm_stodtelefon",
        "consent": {"support": True, "sharing": False, "statistics": True},
        "is_child": False,
        "indicators": ["retention_of_id_documents", "debt_bondage"],
        "exploitation_types": ["ForcedLabour"],
        "methods_of_control": ["WithholdsDocuments"],
        "industry_sni": "41.200",
    }
    for key, value in changes.items():
        if key.startswith("person_"):
            body["person"][key.removeprefix("person_")] = value
        else:
            body[key] = value
    return body


@pytest.fixture
def refer(api, skv_staff):
    def make(**changes):
        response = api.as_user(skv_staff).post(
            reverse("referral-list"), payload(**changes), format="json"
        )
        assert response.status_code == 201, response.json()
        return VictimReferral.objects.get(pk=response.json()["id"])

    return make


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_referral_is_created_with_identity_masked_and_stored_as_12_digits(api, skv_staff):
    response = api.as_user(skv_staff).post(reverse("referral-list"), payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["person"]["identifier"] == "***"
    assert body["person"]["name"] == "***"
    assert body["person"]["birth_date"] == "***"
    assert body["person"]["birth_year"] == 1964
    assert body["receiving_agency"] == "jamy"
    assert body["status"] == "identified"
    referral = VictimReferral.objects.get()
    assert referral.identifier == "196408233234"
    assert "196408233234" not in response.content.decode()
    assert "640823" not in response.content.decode()


def test_samordningsnummer_is_recognised_as_one(refer):
    referral = refer(person_identifier=SAMNR)
    assert (referral.identifier_type, referral.identifier) == ("samordningsnummer", "197010632391")


@pytest.mark.parametrize("identifier", ["19640823-3235", "12345", "19641323-3234"])
def test_invalid_swedish_number_is_a_400_naming_the_field(api, skv_staff, identifier):
    response = api.as_user(skv_staff).post(
        reverse("referral-list"), payload(person_identifier=identifier), format="json"
    )
    assert response.status_code == 400
    assert "identifier" in response.json()["person"]
    assert not VictimReferral.objects.exists()


def test_no_identifier_and_no_police_report_are_fine(refer):
    referral = refer(person_identifier_type="none", person_identifier="", person_name="")
    assert referral.identifier == ""
    assert not referral.police_report_made


def test_adult_needs_consent_to_support_but_a_child_does_not(api, skv_staff, refer):
    adult = api.as_user(skv_staff).post(
        reverse("referral-list"),
        payload(consent={"support": False, "sharing": False, "statistics": False}),
        format="json",
    )
    assert adult.status_code == 400
    assert "support" in adult.json()["consent"]
    child = refer(
        is_child=True,
        consent={"support": False, "sharing": False, "statistics": False},
        receiving_body="socialtjanst",
    )
    assert child.status == "safeguarding"


def test_who_sees_a_referral(refer, skv_staff, persona):
    referral = refer()
    url = reverse("referral-detail", args=[referral.pk])
    assert client_for(skv_staff).get(url).status_code == 200  # referring agency
    assert client_for(persona("jamy", "staff")).get(url).status_code == 200  # coordinator
    assert client_for(persona("fk", "staff")).get(url).status_code == 404
    analyst = client_for(persona("skv", "analyst"))
    assert analyst.get(url).status_code == 404  # analysts never see rows
    assert analyst.get(reverse("referral-list")).status_code == 403


def test_each_read_is_one_audit_event_and_each_reveal_one_more(refer, skv_staff):
    referral = refer()
    client = client_for(skv_staff)
    url = reverse("referral-detail", args=[referral.pk])
    before = AuditEvent.objects.count()
    client.get(url)
    assert AuditEvent.objects.count() == before + 1
    response = client.post(
        reverse("referral-reveal", args=[referral.pk]), {"purpose": "Kontakt med stödtelefonen"}
    )
    assert response.status_code == 200
    assert response.json()["identifier"] == "196408233234"
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.count() == before + 2
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.purpose) == (
        "referral.identity_revealed",
        "Kontakt med stödtelefonen",
    )


def test_reveal_needs_a_purpose_and_the_capability_for_that_referral(refer, persona):
    referral = refer()
    url = reverse("referral-reveal", args=[referral.pk])
    jamy = client_for(persona("jamy", "staff"))
    assert jamy.post(url, {"purpose": "kort"}).status_code == 400
    referral_services.share_referral(
        referral,
        agency=persona("migr", "staff").agency,
        legal_basis="uppgiftsskyldighet_brottsbekampning",
        reason="Uppgiftsskyldighet till brottsbekämpande myndighet",
        actor=persona("jamy", "coordinator"),
    )
    migr = client_for(persona("migr", "staff"))
    assert migr.get(reverse("referral-detail", args=[referral.pk])).status_code == 200
    assert migr.post(url, {"purpose": "Behöver identiteten"}).status_code == 403


def test_sharing_an_adult_without_consent_needs_an_overriding_duty(refer, skv_staff):
    referral = refer()  # no consent to sharing
    client = client_for(skv_staff)
    url = reverse("referral-share", args=[referral.pk])
    refused = client.post(
        url, {"agency": "polis", "legal_basis": "samtycke", "reason": "Vill dela med polisen"}
    )
    assert refused.status_code == 400
    assert "legal_basis" in refused.json()
    allowed = client.post(
        url,
        {
            "agency": "polis",
            "legal_basis": "uppgiftsskyldighet_brottsbekampning",
            "reason": "Misstanke om människohandel; uppgiftsskyldighet",
        },
    )
    assert allowed.status_code == 201


def test_consent_withdrawal_keeps_its_date(refer, skv_staff):
    referral = refer(consent={"support": True, "sharing": True, "statistics": True})
    response = client_for(skv_staff).post(
        reverse("referral-withdraw-consent", args=[referral.pk]), {"purpose": "sharing"}
    )
    assert response.status_code == 200
    assert response.json()["consent"]["sharing"] is False
    assert response.json()["consent"]["withdrawn"] == {"sharing": timezone.localdate().isoformat()}


def test_status_machine_and_reflection_period(refer, skv_staff, persona):
    referral = refer()
    jamy = client_for(persona("jamy", "staff"))
    status_url = reverse("referral-change-status", args=[referral.pk])
    assert jamy.post(status_url, {"status": "trial_concluded"}).status_code == 400
    assert jamy.post(status_url, {"status": "assessment"}).status_code == 200
    periods = reverse("referral-reflection-periods", args=[referral.pk])
    created = jamy.post(periods, {"applicant": "socialnamnd", "submitted_on": "2026-11-01"})
    assert created.status_code == 201
    decision = jamy.post(
        reverse("referral-decide-reflection-period", args=[referral.pk, created.json()["id"]]),
        {"granted": True, "decided_on": "2026-11-03"},
    )
    assert decision.json()["valid_to"] == "2026-12-02"


def test_reminder_before_the_reflection_period_ends_is_sent_once(refer, persona, mailoutbox):
    referral = refer()
    jamy = persona("jamy", "staff")
    period = referral_services.apply_for_reflection_period(
        referral, applicant="socialnamnd", submitted_on=timezone.localdate(), actor=jamy
    )
    referral_services.decide_reflection_period(
        period, granted=True, decided_on=timezone.localdate() - timedelta(days=27), actor=jamy
    )
    assert referral_services.remind_reflection_periods_ending() == 1
    assert referral_services.remind_reflection_periods_ending() == 0


def test_retention_anonymises_what_is_due_and_respects_legal_hold(refer, persona):
    jamy = persona("jamy", "staff")
    due, held, recent = refer(), refer(), refer()
    for referral in (due, held, recent):
        for status in ("assessment", "support_ongoing", "closed"):
            referral_services.change_referral_status(referral, status=status, actor=jamy)
    long_ago = timezone.now() - timedelta(days=4 * 365)
    VictimReferral.objects.filter(pk__in=[due.pk, held.pk]).update(closed_at=long_ago)
    VictimReferral.objects.filter(pk=held.pk).update(legal_hold=True)
    statistics_before = list(
        VictimReferral.objects.order_by("pk").values_list(
            "birth_year", "sex", "nationality", "indicators", "exploitation_types"
        )
    )
    assert referral_services.anonymise_due_referrals() == 1
    due.refresh_from_db()
    held.refresh_from_db()
    recent.refresh_from_db()
    assert (due.identifier, due.name, due.birth_date, due.anonymised_at is not None) == (
        "",
        "",
        None,
        True,
    )
    assert held.identifier
    assert recent.identifier
    assert statistics_before == list(
        VictimReferral.objects.order_by("pk").values_list(
            "birth_year", "sex", "nationality", "indicators", "exploitation_types"
        )
    )
    assert AuditEvent.objects.get(action="referral.anonymised").changes["count"] == 1


def test_htcds_export_has_the_field_list_and_no_identifiers(refer, skv_staff):
    refer()
    client = client_for(skv_staff)
    rows = client.get(reverse("referral-htcds")).json()
    assert list(rows[0]) == exports.HTCDS_FIELDS
    assert rows[0]["vic_ForcedLabourIndustry"] == "F_Construction"
    assert rows[0]["prs_Gender"] == "Feminine"
    assert rows[0]["prs_Citizenship"] == "UA"  # ISO 3166-1 alpha-2, as HTCDS asks
    body = client.get(reverse("referral-htcds"), {"format": "csv"}).content.decode("utf-8-sig")
    assert body.splitlines()[0] == ",".join(exports.HTCDS_FIELDS)
    for text in (json.dumps(rows), body):
        assert "196408233234" not in text
        assert "640823" not in text
        assert "Anna" not in text
    assert AuditEvent.objects.filter(action="referral.exported").count() == 2


def test_no_response_ever_carries_the_digits_to_someone_without_the_capability(
    refer, persona, client
):
    referral = refer()
    referral_services.share_referral(
        referral,
        agency=persona("migr", "staff").agency,
        legal_basis="uppgiftsskyldighet_brottsbekampning",
        reason="Uppgiftsskyldighet till brottsbekämpande myndighet",
        actor=persona("jamy", "coordinator"),
    )
    migr = client_for(persona("migr", "staff"))
    urls = [
        reverse("referral-list"),
        reverse("referral-detail", args=[referral.pk]),
        reverse("referral-htcds"),
        reverse("referral-htcds") + "?format=csv",
        reverse("referral-list") + "?search=196408233234",
    ]
    for url in urls:
        text = migr.get(url).content.decode("utf-8-sig")
        for secret in ("196408233234", "6408233234", "640823-3234", "Anna Exempel", "1964-08-23"):
            assert secret not in text, (url, secret)


@pytest.mark.parametrize("rows", [1, 10])
def test_referral_list_query_count_is_constant(rows, refer, skv_staff, django_assert_num_queries):
    for _ in range(rows):
        refer()
    client = client_for(type(skv_staff).objects.get(pk=skv_staff.pk))
    with django_assert_num_queries(3):  # membership, role capabilities, the page
        response = client.get(reverse("referral-list"))
    assert len(response.json()["results"]) == rows


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people=st.lists(
        st.tuples(
            st.sampled_from(["female", "male"]),
            st.sampled_from(["UA", "PL", "RO"]),
            st.integers(1960, 2008),
            st.sampled_from([["ForcedLabour"], ["SexualExploitation"], []]),
            st.sampled_from(["skv", "polis"]),
            st.booleans(),
        ),
        min_size=1,
        max_size=40,
    ),
    k=st.integers(2, 11),
)
def test_statistics_export_never_shows_a_group_smaller_than_k(
    people, k, skv_staff, polis_staff, jamy_staff
):
    """Referrals from two agencies, some taken on by the receiving agency (only those count,
    tests/cases/test_referral_statistics.py): no published group is smaller than k, and every
    consented referral is either in a group or among the suppressed."""
    from django.db import transaction

    referrers = {"skv": skv_staff, "polis": polis_staff}
    with transaction.atomic():
        for sex, nationality, born, kinds, agency, taken_on in people:
            referral = referral_services.create_referral(
                person={"sex": sex, "nationality": nationality, "birth_year": born},
                receiving_body="nspm_stodtelefon",
                consent={"support": True, "statistics": True},
                exploitation_types=kinds,
                actor=referrers[agency],
            )
            if taken_on:
                referral_services.change_referral_status(
                    referral, status="support_contacted", actor=jamy_staff
                )
        result = exports.k_anonymous_statistics(actor=skv_staff, k=k)
        assert all(group["count"] >= k for group in result["groups"])
        assert sum(g["count"] for g in result["groups"]) + result["suppressed_rows"] == len(people)
        assert sum(g["count"] for g in result["groups"]) <= sum(p[5] for p in people)
        assert {g["nationality"] for g in result["groups"]} <= {"UA", "PL", "RO"}
        transaction.set_rollback(True)


def test_timeline_support_and_case_owner(refer, skv_staff, persona):
    referral = refer()
    jamy = client_for(persona("jamy", "staff"))
    notes = reverse("referral-notes", args=[referral.pk])
    assert jamy.post(notes, {"text": "Kontakt med stödtelefonen"}).status_code == 201
    assert jamy.post(notes, {"text": ""}).status_code == 400
    assert [n["text"] for n in jamy.get(notes).json()] == ["Kontakt med stödtelefonen"]
    support = reverse("referral-support", args=[referral.pk])
    created = jamy.post(
        support,
        {
            "programme": "nsp",
            "kind": "Skyddat boende",
            "starts_on": "2026-11-01",
            "ends_on": "2026-10-01",
        },
    )
    assert created.status_code == 400
    assert "ends_on" in created.json()
    ok = jamy.post(
        support, {"programme": "nsp", "kind": "Skyddat boende", "starts_on": "2026-11-01"}
    )
    assert ok.status_code == 201
    owner = jamy.post(reverse("referral-set-owner", args=[referral.pk]), {"owner": "fk.staff"})
    persona("fk", "staff")
    owner = jamy.post(reverse("referral-set-owner", args=[referral.pk]), {"owner": "fk.staff"})
    assert owner.status_code == 400
    assert "owner" in owner.json()
    jamy_owner = persona("jamy", "coordinator")
    done = jamy.post(
        reverse("referral-set-owner", args=[referral.pk]), {"owner": jamy_owner.username}
    )
    assert done.json()["case_owner"] == jamy_owner.username


def test_retention_anonymises_the_timeline_too(refer, persona):
    jamy = persona("jamy", "staff")
    referral = refer()
    referral_services.add_referral_note(referral, text="Anna bor på Storgatan 1", actor=jamy)
    for status in ("assessment", "support_ongoing", "closed"):
        referral_services.change_referral_status(referral, status=status, actor=jamy)
    VictimReferral.objects.filter(pk=referral.pk).update(
        closed_at=timezone.now() - timedelta(days=4 * 365)
    )
    assert referral_services.anonymise_due_referrals() == 1
    assert referral.notes.get().text == "[anonymiserad]"


def test_referrals_are_not_in_the_admin_at_all(client, refer, persona):
    """The admin would show identity fields unmasked: referrals are simply not there."""
    referral = refer()
    client.force_login(persona("jamy", "admin", "staff"))
    assert client.get(f"/admin/cases/victimreferral/{referral.pk}/change/").status_code == 404
    assert client.get("/admin/cases/victimreferral/").status_code == 404


@pytest.mark.parametrize(("sent", "status"), [("ua", 201), ("UA", 201), ("UK", 400), ("XX", 400)])
def test_the_api_takes_and_gives_an_iso_country_code(skv_staff, sent, status):
    client = client_for(skv_staff)
    body = payload()
    body["person"]["nationality"] = sent
    response = client.post(reverse("referral-list"), body, format="json")
    assert response.status_code == status, response.json()
    if status == 400:
        assert "nationality" in response.json()["person"]
        return
    referral = client.get(reverse("referral-detail", args=[response.json()["id"]])).json()
    assert referral["person"]["nationality"] == "UA"
