"""Findings name the employer they concern; decisions move along their way (status)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.employers import services as employer_services
from inspections.choices import DECISION_TRANSITIONS, MONETARY_DECISIONS, DecisionStatus
from inspections.models import Decision, Finding, InspectionEmployer
from inspections.services import decisions, results
from network.models import AuditEvent

pytestmark = pytest.mark.django_db

MAIN = "5560360793"  # the `employer` fixture (the inspection's only employer)
SUB = "5560160680"


@pytest.fixture
def second(joint, av_coordinator):
    """A subcontractor met at the same inspection."""
    other = employer_services.register_employer(
        orgnr=SUB, name="Montage Öst AB", actor=av_coordinator
    )
    InspectionEmployer.objects.create(inspection=joint, employer=other, role="subcontractor")
    return other


def test_a_finding_at_a_site_with_one_employer_concerns_that_employer(joint, skv_staff, api):
    url = reverse("inspection-findings", args=[joint.pk])
    answer = api.as_user(skv_staff).post(url, {"category": "personalliggare_saknas"}, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["employer"] == MAIN


def test_with_two_employers_the_finding_names_one_or_none(joint, second, skv_staff, api):
    client = api.as_user(skv_staff)
    url = reverse("inspection-findings", args=[joint.pk])
    named = client.post(
        url, {"category": "personalliggare_saknas", "employer": "556016-0680"}, format="json"
    )
    assert named.status_code == 201
    assert named.json()["employer"] == SUB
    site = client.post(url, {"category": "personalliggare_brist"}, format="json")
    assert site.status_code == 201
    assert site.json()["employer"] is None
    listed = {f["id"]: f["employer"] for f in client.get(url).json()}
    assert listed == {named.json()["id"]: SUB, site.json()["id"]: None}


def test_an_employer_not_met_is_refused_naming_the_field(joint, skv_staff, api, av_coordinator):
    employer_services.register_employer(orgnr="556016-0680", name="Annan AB", actor=av_coordinator)
    url = reverse("inspection-findings", args=[joint.pk])
    for orgnr in ("556016-0680", "123"):
        answer = api.as_user(skv_staff).post(
            url, {"category": "personalliggare_saknas", "employer": orgnr}, format="json"
        )
        assert answer.status_code == 400
        assert list(answer.json()) == ["employer"]
    assert not Finding.objects.exists()


def test_a_decision_concerns_its_findings_employer_and_a_crime_report_names_its_law(
    joint, second, polis_staff, api
):
    client = api.as_user(polis_staff)
    finding = results.record_finding(
        joint, category="utan_arbetstillstand", employer=second, actor=polis_staff
    )
    url = reverse("inspection-decisions", args=[joint.pk])
    unnamed = client.post(url, {"finding": finding.pk, "type": "polisanmalan"}, format="json")
    assert unnamed.status_code == 201
    assert unnamed.json()["law"] == "other"
    wrong = client.post(
        url,
        {"finding": finding.pk, "type": "forelaggande", "law": "bokforingsbrott"},
        format="json",
    )
    assert wrong.status_code == 400
    assert list(wrong.json()) == ["law"]
    made = client.post(
        url,
        {"finding": finding.pk, "type": "polisanmalan", "law": "utlanningslagen"},
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["employer"] == SUB
    assert made.json()["law"] == "utlanningslagen"
    assert made.json()["status"] == "decided"


def test_the_profile_of_the_main_contractor_leaves_out_a_finding_about_the_subcontractor(
    joint, second, skv_staff, employer
):
    from inspections import profile

    about_sub = results.record_finding(
        joint, category="personalliggare_saknas", employer=second, actor=skv_staff
    )
    about_site = results.record_finding(joint, category="personalliggare_brist", actor=skv_staff)
    main = profile.build(employer, user=skv_staff)
    assert [f.pk for f in main.findings] == [about_site.pk]
    sub = profile.build(second, user=skv_staff)
    assert {f.pk for f in sub.findings} == {about_sub.pk, about_site.pk}


# --- the decision's way: every pair of statuses, through the API ---------------------------


def _decision_in(status, finding, actor, type="kontrollavgift"):
    decision = decisions.record_decision(
        finding,
        type=type,
        amount_sek=Decimal("12500") if type in MONETARY_DECISIONS else None,
        actor=actor,
    )
    Decision.objects.filter(pk=decision.pk).update(status=status)  # the starting point
    return decision


@pytest.mark.parametrize("source", DecisionStatus.values)
def test_every_transition_is_allowed_or_refused_as_the_table_says(source, joint, skv_staff, api):
    finding = results.record_finding(joint, category="personalliggare_saknas", actor=skv_staff)
    client = api.as_user(skv_staff)
    for target in DecisionStatus.values:
        decision = _decision_in(source, finding, skv_staff)
        before = AuditEvent.objects.filter(action="decision.status_changed").count()
        answer = client.post(
            reverse("inspection-decision-status", args=[joint.pk, decision.pk]),
            {"status": target, "reason": "Beslut i ärendet"},
            format="json",
        )
        decision.refresh_from_db()
        after = AuditEvent.objects.filter(action="decision.status_changed").count()
        if target in DECISION_TRANSITIONS[source]:
            assert answer.status_code == 200, (source, target, answer.json())
            assert decision.status == target
            assert answer.json()["status"] == target
            assert after == before + 1
        else:
            assert answer.status_code == 400, (source, target)
            assert list(answer.json()) == ["status"]
            assert decision.status == source
            assert after == before


def test_a_decision_without_an_amount_is_never_paid_and_a_reason_is_needed(joint, skv_staff):
    finding = results.record_finding(joint, category="personalliggare_saknas", actor=skv_staff)
    injunction = _decision_in("decided", finding, skv_staff, type="forelaggande")
    with pytest.raises(ValidationError) as refused:
        decisions.change_decision_status(
            injunction, status="paid", reason="Betald", actor=skv_staff
        )
    assert "status" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        decisions.change_decision_status(injunction, status="final", reason=" ", actor=skv_staff)
    assert "reason" in refused.value.message_dict


def test_a_stale_version_is_409_and_a_proposal_decided_gets_its_date(joint, skv_staff, api):
    finding = results.record_finding(joint, category="personalliggare_saknas", actor=skv_staff)
    decision = _decision_in("proposed", finding, skv_staff)
    url = reverse("inspection-decision-status", args=[joint.pk, decision.pk])
    client = api.as_user(skv_staff)
    ok = client.post(
        url,
        {"status": "decided", "reason": "Beslutat", "decided_on": "2026-01-15", "version": 1},
        format="json",
    )
    assert ok.status_code == 200
    assert ok.json()["decided_on"] == "2026-01-15"
    stale = client.post(
        url, {"status": "appealed", "reason": "Överklagat", "version": 1}, format="json"
    )
    assert stale.status_code == 409
    decision.refresh_from_db()
    assert decision.status == "decided"


def test_the_results_form_offers_the_employers_met_in_swedish(joint, second, skv_staff, client):
    client.force_login(skv_staff)
    page = client.get(reverse("inspections:inspection_results", args=[joint.pk])).content.decode()
    assert 'name="employer"' in page
    assert "Montage Öst AB (556016-0680)" in page
    assert "Bygg &amp; Montage AB" in page
    assert "Arbetsplatsen som sådan (ingen arbetsgivare)" in page
    answer = client.post(
        reverse("inspections:results_finding", args=[joint.pk]),
        {"category": "personalliggare_saknas", "severity": "medium", "employer": second.pk},
    )
    assert answer.status_code == 302
    assert Finding.objects.get().employer == second
