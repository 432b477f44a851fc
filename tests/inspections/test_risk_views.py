"""Risk-based selection in the browser: the employer profile (with tip links), the risk
candidates and planning from them, the risk table, and the hit-rate dashboard.

The ranking's own rules are tested with the backend (inspections.risk); here: who may open
what, what the pages show, that their writes go through the audited services, and that the
candidates page costs the same number of queries for 5 and for 50 candidates.
"""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.tips import services as tip_services
from cases.tips.models import EmployerLink
from inspections import facts
from inspections.models import IndustryRisk, Inspection
from inspections.services import decisions, lifecycle, operations, planning, results
from network.models import Agency, AuditEvent
from tests.inspections.conftest import WORKPLACE

pytestmark = pytest.mark.django_db

CANDIDATES = reverse("inspections:risk_candidates")
QUERY = {"centre": "stockholm", "industries": "construction", "period": ""}


def profile_url(orgnr):
    return reverse("inspections:employer_profile", args=[orgnr])


def sites(n, *, actor, employer, start=0):
    """n building sites in Stockholm, each with an inspection planned two years ago (never
    performed): candidates with industry and "never controlled" points only."""
    made = []
    for i in range(start, start + n):
        made.append(
            planning.plan_inspection(
                workplace={**WORKPLACE, "name": f"Bygget {i}", "address": f"Gatan {i}"},
                planned_date=timezone.localdate() - timedelta(days=730 + i),
                employers=[employer.orgnr],
                actor=actor,
            )
        )
    return made


@pytest.fixture
def history(av_coordinator, employer, skv_staff, plan):
    """A building site controlled last month by AV and SKV: three findings, one fee."""
    inspection = plan(planned_date=timezone.localdate() - timedelta(days=30), name="Bygget Risk")
    assignment = planning.assign_agency(
        inspection, agency=Agency.objects.get(code="skv"), mode="on_site", actor=av_coordinator
    )
    planning.respond_to_assignment(assignment, accept=True, actor=skv_staff)
    lifecycle.perform_inspection(
        inspection,
        performed_on=timezone.localdate() - timedelta(days=30),
        persons_checked=4,
        actor=skv_staff,
    )
    finding = results.record_finding(
        inspection, category="personalliggare_saknas", severity="high", actor=skv_staff
    )
    decisions.record_decision(finding, type="kontrollavgift", amount_sek=12500, actor=skv_staff)
    for severity in ("high", "medium"):
        results.record_finding(
            inspection, category="person_ej_antecknad", severity=severity, actor=skv_staff
        )
    return inspection


@pytest.fixture
def operation(av_coordinator):
    today = timezone.localdate()
    return operations.create_operation(
        title="Byggvecka Stockholm",
        period_start=today,
        period_end=today + timedelta(days=14),
        selection_basis="risk_ranking",
        actor=av_coordinator,
    )


# --- employer profile -----------------------------------------------------------------------


def test_profile_with_or_without_dash_shows_every_section(client, av_coordinator, history):
    client.force_login(av_coordinator)
    for orgnr in ("556036-0793", "5560360793"):
        response = client.get(profile_url(orgnr))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Bygg &amp; Montage AB" in page
        assert history.reference in page  # inspections
        assert 'id="findings"' in page
        assert "finding severity-high" in page
        assert 'id="cases"' in page
        assert 'id="tips"' in page
        assert 'id="workplaces"' in page
        assert 'id="co-employers"' in page
        assert 'id="tip-links"' in page  # a tip coordinator links tips here
    assert AuditEvent.objects.filter(action="employer.profile_read").count() == 2


@pytest.mark.parametrize("orgnr", ["556036-0794", "123", "5569999990x", "9999999999"])
def test_profile_of_an_invalid_or_unknown_number_is_404(client, av_coordinator, employer, orgnr):
    client.force_login(av_coordinator)
    assert client.get(profile_url(orgnr)).status_code == 404


def test_profile_hides_inspections_outside_scope(client, persona, history):
    fk = persona("fk", "staff")
    client.force_login(fk)
    response = client.get(profile_url("5560360793"))
    assert response.status_code == 200
    page = response.content.decode()
    assert history.reference not in page
    assert "finding severity-high" not in page
    assert 'id="tip-links"' not in page  # only tip coordinators link


def test_inspection_detail_links_its_employers_to_their_profile(client, av_coordinator, history):
    client.force_login(av_coordinator)
    page = client.get(reverse("inspections:inspection_detail", args=[history.pk])).content
    assert profile_url("5560360793").encode() in page


# --- linking tips to the employer -----------------------------------------------------------


@pytest.fixture
def tip(db):
    return tip_services.submit_tip(
        data={
            "address": "Hagagatan 1",
            "municipality": "Stockholm",
            "industry": "construction",
            "employer_name": "Bygg och Montage",
            "description": "Arbetar utan hjälm sent på kvällarna.",
        }
    )


def link(client, tip, decision, version):
    return client.post(
        reverse("inspections:employer_link", args=["5560360793"]),
        {"tip": tip.pk, "decision": decision, "version": version},
    )


def test_link_confirm_undo_and_reject_through_the_page_are_audited(
    client, av_coordinator, employer, tip
):
    client.force_login(av_coordinator)
    page = client.get(profile_url(employer.orgnr)).content.decode()
    assert tip.code in page
    assert "link-candidate" in page

    response = link(client, tip, "confirmed", 0)
    assert response.status_code == 302
    assert EmployerLink.objects.get(tip=tip).status == "confirmed"
    page = client.get(profile_url(employer.orgnr)).content.decode()
    assert re.search(rf'id="link-{tip.pk}"', page)  # shown as confirmed, with undo

    assert link(client, tip, "undone", 1).status_code == 302
    assert EmployerLink.objects.get(tip=tip).status == "undone"
    assert link(client, tip, "rejected", 2).status_code == 302
    assert EmployerLink.objects.get(tip=tip).status == "rejected"

    actions = list(
        AuditEvent.objects.filter(action__startswith="employer_link.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "employer_link.confirmed",
        "employer_link.undone",
        "employer_link.rejected",
    ]


def test_a_stale_link_decision_changes_nothing(client, av_coordinator, employer, tip):
    client.force_login(av_coordinator)
    link(client, tip, "confirmed", 0)
    response = link(client, tip, "undone", 7)  # read before someone else decided
    assert response.status_code == 302
    assert EmployerLink.objects.get(tip=tip).status == "confirmed"


def test_only_tip_coordinators_link(client, skv_staff, employer, tip):
    client.force_login(skv_staff)
    assert link(client, tip, "confirmed", 0).status_code == 403
    assert not EmployerLink.objects.exists()


# --- risk candidates ------------------------------------------------------------------------


def test_candidates_are_for_coordinators_only(client, skv_staff, av_coordinator):
    client.force_login(skv_staff)
    assert client.get(CANDIDATES).status_code == 403
    client.force_login(av_coordinator)
    response = client.get(CANDIDATES)
    assert response.status_code == 200
    assert response.context["form"]["centre"].value() == "stockholm"  # the coordinator's centre


def test_candidates_show_score_basis_and_a_breakdown_that_sums_to_it(
    client, av_coordinator, employer, history
):
    sites(3, actor=av_coordinator, employer=employer)
    client.force_login(av_coordinator)
    response = client.get(CANDIDATES, QUERY)
    assert response.status_code == 200
    candidates = response.context["candidates"]
    assert candidates[0].workplace == history.workplace  # findings and a fee put it first
    page = response.content.decode()
    first = page.split('class="card candidate ')[1]
    points = [
        float(p.replace(",", ".")) for p in re.findall(r'class="number points">([^<]+)<', first)
    ]
    total = float(re.search(r'class="number total">([^<]+)<', first)[1].replace(",", "."))
    assert len(points) == 7
    assert sum(points) == total == candidates[0].score
    assert "<details" in first
    assert profile_url(employer.orgnr) in first


def test_bad_input_gives_field_errors_not_a_server_error(client, av_coordinator):
    client.force_login(av_coordinator)
    response = client.get(
        CANDIDATES,
        {"centre": "atlantis", "industries": "bogus", "period": "nästa vecka", "limit": "0"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"centre", "industries"}
    response = client.get(
        CANDIDATES, {"centre": "stockholm", "period": "nästa vecka", "limit": "0"}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"period", "limit"}
    assert b'class="field-error"' in response.content


def test_planning_three_candidates_records_their_basis(
    client, av_coordinator, employer, history, operation
):
    sites(8, actor=av_coordinator, employer=employer)
    client.force_login(av_coordinator)
    candidates = client.get(CANDIDATES, {**QUERY, "limit": "10"}).context["candidates"]
    drawn = [c for c in candidates if c.basis == "random_in_risk_industry"]
    assert drawn, "a share of the list is drawn at random"
    picks = [candidates[0], candidates[1], drawn[0]]
    data = {**QUERY, "limit": "10", "operation": operation.pk}
    data["planned_date"] = (timezone.localdate() + timedelta(days=3)).isoformat()
    data["picks"] = [c.workplace.pk for c in picks]
    for c in candidates:
        data[f"basis-{c.workplace.pk}"] = c.basis
    response = client.post(CANDIDATES, data)
    assert response.status_code == 302
    assert response.url.endswith(f"#operation-{operation.pk}")
    planned = Inspection.objects.filter(operation=operation).order_by("id")
    assert [(i.workplace_id, i.selection_basis) for i in planned] == [
        (c.workplace.pk, c.basis) for c in picks
    ]
    assert planned[0].employers.filter(pk=employer.pk).exists()
    message = str(list(response.wsgi_request._messages)[0])
    assert all(i.reference in message for i in planned)
    assert AuditEvent.objects.filter(action="operation.planned_from_ranking").count() == 1


def test_a_pick_keeps_the_basis_the_ranking_gave_it(
    client, av_coordinator, employer, history, operation
):
    client.force_login(av_coordinator)
    data = {**QUERY, "operation": operation.pk, "picks": [history.workplace_id]}
    data["planned_date"] = (timezone.localdate() + timedelta(days=2)).isoformat()
    data[f"basis-{history.workplace_id}"] = "random_in_risk_industry"  # it was ranked first
    response = client.post(CANDIDATES, data)
    assert response.status_code == 400
    assert "picks" in response.context["plan_form"].errors
    assert not Inspection.objects.filter(operation=operation).exists()


def test_planning_nothing_or_outside_the_operation_is_a_form_error(
    client, av_coordinator, employer, history, operation
):
    client.force_login(av_coordinator)
    data = {**QUERY, "operation": operation.pk, "planned_date": timezone.localdate().isoformat()}
    response = client.post(CANDIDATES, data)
    assert response.status_code == 400
    assert "picks" in response.context["plan_form"].errors
    data["picks"] = [history.workplace_id]
    data[f"basis-{history.workplace_id}"] = "risk_ranking"
    data["planned_date"] = (timezone.localdate() + timedelta(days=60)).isoformat()
    response = client.post(CANDIDATES, data)
    assert response.status_code == 400
    assert "planned_date" in response.context["plan_form"].errors
    assert not Inspection.objects.filter(operation=operation).exists()


def test_candidates_page_costs_the_same_queries_for_5_and_50(
    client, av_coordinator, employer, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(av_coordinator)
    sites(5, actor=av_coordinator, employer=employer)
    query = {**QUERY, "limit": "50", "period": f"{timezone.localdate().year + 1}"}
    client.get(CANDIDATES, query)  # warm the session and caches
    with CaptureQueriesContext(connection) as five:
        response = client.get(CANDIDATES, query)
    assert len(response.context["candidates"]) == 5
    sites(45, actor=av_coordinator, employer=employer, start=5)
    # The page's own cost: the facts of the new sites are rebuilt first, as the minute task
    # would (the rebuild is a constant number of statements per 2,000 inspections).
    facts.refresh()
    with django_assert_num_queries(len(five)):
        response = client.get(CANDIDATES, query)
    assert len(response.context["candidates"]) == 50


# --- the risk table -------------------------------------------------------------------------

TABLE = reverse("inspections:industry_risk")


def test_risk_table_is_read_only_for_analysts_and_closed_to_staff(client, persona):
    client.force_login(persona("skv", "analyst"))
    response = client.get(TABLE)
    assert response.status_code == 200
    assert b"construction" in response.content
    assert b"industry-form" not in response.content
    client.force_login(persona("skv", "staff"))
    assert client.get(TABLE).status_code == 403


def test_a_network_coordinator_changes_a_weight_with_its_version(client, av_coordinator):
    row = IndustryRisk.objects.get(key="construction")
    client.force_login(av_coordinator)
    assert b"industry-form" in client.get(TABLE).content
    prefix = f"row-{row.pk}"
    data = {
        f"{prefix}-name_sv": row.name_sv,
        f"{prefix}-name_en": row.name_en,
        f"{prefix}-sni_prefixes": ["41", "42", "43"],  # chosen from SCB's titles
        f"{prefix}-weight": "9",
        f"{prefix}-source": "Riskvärdering 2026",
        f"{prefix}-version": str(row.version),
    }
    url = reverse("inspections:industry_risk_change", args=[row.pk])
    assert client.post(url, data).status_code == 302
    row.refresh_from_db()
    assert (row.weight, row.version) == (9, 2)
    assert AuditEvent.objects.filter(action="industry_risk.saved").exists()
    response = client.post(url, {**data, f"{prefix}-weight": "3"})  # the old version again
    assert response.status_code == 409
    row.refresh_from_db()
    assert row.weight == 9
    response = client.post(url, {**data, f"{prefix}-weight": "11", f"{prefix}-version": "2"})
    assert response.status_code == 400


def test_a_coordinator_without_a_centre_elsewhere_may_not_change_it(client, persona):
    row = IndustryRisk.objects.get(key="construction")
    client.force_login(persona("skv", "coordinator"))
    response = client.get(TABLE)
    assert response.status_code == 200
    assert b"industry-form" not in response.content
    url = reverse("inspections:industry_risk_change", args=[row.pk])
    assert client.post(url, {f"row-{row.pk}-weight": "1"}).status_code == 403


# --- hit rate -------------------------------------------------------------------------------

HIT_RATE = reverse("reports:hit_rate")


@pytest.fixture(autouse=True)
def _no_cached_figures(monkeypatch):
    """The dashboard caches published figures (in Redis where set, shared by test runs)."""
    monkeypatch.setattr("reports.views.HIT_RATE_CACHE_SECONDS", 0)
    monkeypatch.setattr("reports.views.HIT_RATE_CACHE_PREFIX", f"test:{id(monkeypatch)}:")


def test_hit_rate_is_for_analysts_and_coordinators(client, persona):
    client.force_login(persona("skv", "staff"))
    assert client.get(HIT_RATE).status_code == 403
    for user in (
        persona("av", "analyst"),
        persona("skv", "analyst"),
        persona("ebm", "coordinator"),
    ):
        client.force_login(user)
        assert client.get(HIT_RATE).status_code == 200, user


def test_hit_rate_hides_small_cells(client, persona, history):
    history.refresh_from_db()
    client.force_login(persona("av", "analyst"))
    response = client.get(HIT_RATE, {"year": str(history.performed_on.year)})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="table-hit_rate_by_selection_basis"' in page
    assert 'id="table-hit_rate_by_centre"' in page
    # One performed inspection: every count is a small cell, shown as "..".
    assert '<td class="number">..</td>' in page
    assert response.context["inspections_total"] is None


def test_hit_rate_year_out_of_range_falls_back_to_this_year(client, persona):
    client.force_login(persona("av", "analyst"))
    response = client.get(HIT_RATE, {"year": "1066"})
    assert response.context["year"] == date.today().year


def test_a_cut_profile_list_leads_to_the_whole_list_on_the_list_page(
    client, av_coordinator, employer, monkeypatch
):
    """The profile shows the latest few inspections; the rest are on the inspection list,
    filtered by the employer's number (its FilterSet)."""
    monkeypatch.setattr("inspections.profile.LIST_CAP", 2)
    made = sites(3, actor=av_coordinator, employer=employer)
    client.force_login(av_coordinator)
    page = client.get(profile_url(employer.orgnr)).content.decode()
    link = f"{reverse('inspections:inspection_list')}?employer={employer.orgnr}"
    assert f'href="{link}"' in page
    listed = client.get(link).context["inspections"]
    assert {i.pk for i in listed} == {i.pk for i in made}
