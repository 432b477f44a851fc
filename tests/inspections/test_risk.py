"""Risk-based selection: matching keys, the ranking (deterministic, explainable, scoped), the
employer links, planning from the ranking, the risk table, and the hit rate that proves it."""

import random
from datetime import date, datetime, time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.employers import matching
from cases.employers import services as employer_services
from cases.tips import services as tip_services
from cases.tips.models import EmployerLink, LinkStatus, Tip
from inspections import risk
from inspections.models import IndustryRisk, Inspection
from inspections.reference import ensure_industry_risks
from inspections.services import decisions, lifecycle, operations, planning, results, selection
from network.exceptions import StaleVersion
from network.models import Agency, AuditEvent, User
from reports.figures import compute, hit_rates
from reports.suppression import suppress

pytestmark = pytest.mark.django_db

PERIOD = "2024-05"
AS_OF = date(2024, 5, 1)


def noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def site(name, address, county="01", municipality="0180", sni="41.200"):
    return {
        "name": name,
        "address": address,
        "municipality": municipality,
        "county": county,
        "sni": sni,
        "workplace_type": "building_site",
    }


# --- matching keys --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Bygg-Janne i Solna AB", "BYGG JANNE SOLNA"),
        ("Strömbergs Städ HB", "Strombergs stad"),
        ("Kebab & Pizza", "kebab och pizza"),
        ("Polbud Sp. z o.o.", "POLBUD"),
    ],
)
def test_name_keys_ignore_legal_form_case_and_diacritics(a, b):
    assert matching.name_key(a) == matching.name_key(b) != ""


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Storg. 12 B", "Storgatan 12b"),
        ("Kungsvägen 3", "kungsv. 3"),
        ("Hagagatan 1", "HAGAGATAN 1"),
    ],
)
def test_address_keys_normalise_abbreviations_and_house_letters(a, b):
    assert matching.address_key(a) == matching.address_key(b) != ""


def test_address_without_number_gives_no_key():
    assert matching.address_key("Centrum") == ""


def test_phone_numbers_are_found_in_free_text():
    text = "Ring chefen på +46 70-123 45 67 eller 08-555 123 45 efter kl 18"
    assert matching.phone_keys(text) == " 0701234567 0855512345 "
    assert matching.phone_key("070 123 45 67") == "0701234567"


# --- a small world for the ranking ---------------------------------------------------------


@pytest.fixture
def world(persona):
    """Stockholm building sites as AV's coordinator sees them, as of May 2024:

    - hot: controlled in 2023 with a high and a medium finding (Skatteverket), a decision,
      and an open tip naming its employer;
    - other: AV controlled it in 2019 (no findings); in 2023 Ekobrottsmyndigheten ran a
      joint control there that AV is not part of: one open finding (a signal) and one
      secret finding (never counted);
    - quiet: controlled in March 2024, nothing found;
    - a restaurant and a site in Västra Götaland, outside the request.
    """
    ensure_industry_risks(IndustryRisk)
    av = persona("av", "coordinator")
    ebm = persona("ebm", "coordinator")
    skv = persona("skv", "staff")
    employer = employer_services.register_employer(
        orgnr="556036-0793", name="Bygg & Montage AB", actor=av
    )
    partner = employer_services.register_employer(
        orgnr="556016-0680", name="Montage Öst AB", actor=av
    )

    def control(coordinator, workplace, when, employers=(), operation=None, findings=()):
        inspection = planning.plan_inspection(
            workplace=workplace,
            planned_date=when,
            employers=employers,
            operation=operation,
            actor=coordinator,
        )
        assignment = planning.assign_agency(
            inspection, agency=Agency.objects.get(code="skv"), mode="on_site", actor=coordinator
        )
        planning.respond_to_assignment(assignment, accept=True, actor=skv)
        lifecycle.perform_inspection(inspection, performed_on=when, persons_checked=3, actor=skv)
        made = [
            results.record_finding(
                inspection, category=category, severity=severity, secret=secret, actor=skv
            )
            for category, severity, secret in findings
        ]
        return inspection, made

    hot, hot_findings = control(
        av,
        site("Bygget Hagastaden", "Hagagatan 1"),
        date(2023, 10, 2),
        employers=[employer.orgnr, partner.orgnr],
        findings=[("personalliggare_saknas", "high", False), ("svartarbete", "medium", False)],
    )
    decisions.record_decision(hot_findings[0], type="kontrollavgift", amount_sek=12500, actor=skv)
    old, _ = control(av, site("Bygget Norra", "Norrgatan 5"), date(2019, 4, 1))
    operation = operations.create_operation(
        title="EBM:s insats",
        period_start=date(2023, 1, 1),
        period_end=date(2023, 12, 31),
        selection_basis="intelligence",
        actor=ebm,
    )
    ebm_inspection, _ = control(
        ebm,
        site("Bygget Norra", "Norrgatan 5"),
        date(2023, 6, 1),
        operation=operation,
        findings=[("svartarbete", "high", False), ("ovrigt_brott", "high", True)],
    )
    # EBM's control is at the same workplace row as AV's old one (a known place).
    Inspection.objects.filter(pk=ebm_inspection.pk).update(workplace=old.workplace)
    quiet, _ = control(av, site("Bygget Tyst", "Tystgatan 2"), date(2024, 3, 1))
    restaurant, _ = control(av, site("Restaurang X", "Krogvägen 1", sni="56.100"), date(2022, 1, 1))
    west, _ = control(
        av, site("Bygget Väst", "Västgatan 1", county="14", municipality="1480"), date(2022, 1, 1)
    )
    tip = tip_services.submit_tip(
        data={
            "employer_name": "Bygg & Montage",
            "orgnr": "5560360793",
            "address": "Annan gata 9",
            "municipality": "Stockholm",
            "industry": "construction",
            "observations": [],
            "description": "Folk sover på bygget.",
        }
    )
    Tip.objects.filter(pk=tip.pk).update(received_at=noon(date(2024, 2, 1)))
    return {
        "av": av,
        "ebm": ebm,
        "skv": skv,
        "hot": hot.workplace,
        "other": old.workplace,
        "quiet": quiet.workplace,
        "restaurant": restaurant.workplace,
        "west": west.workplace,
        "employer": employer,
    }


def ranked(user, industries=("construction",), limit=10, random_share=0.0, period=PERIOD):
    request = risk.build_request(
        centre="stockholm",
        industries=industries,
        period=period,
        limit=limit,
        random_share=random_share,
        today=AS_OF,
    )
    return risk.rank(request, user=user)


def by_place(candidates):
    return {c.workplace.pk: c for c in candidates}


def points(candidate):
    return {f.key: f.points for f in candidate.factors}


def test_the_ranking_is_explained_and_its_parts_sum_to_the_score(world):
    candidates = ranked(world["av"])
    assert [c.workplace for c in candidates] == [world["hot"], world["other"], world["quiet"]]
    for candidate in candidates:
        assert sum(f.points for f in candidate.factors) == candidate.score
        assert all(f.explanation for f in candidate.factors)
    hot = by_place(candidates)[world["hot"].pk]
    # high 20 + medium 10, performed 7 months before: full weight.
    assert points(hot) == {
        "industry": 100,
        "findings": 30,
        "decisions": 10,
        "tips": 15,
        "last_control": 0,
        "linked_employers": 0,
        "signals": 0,
    }
    assert [e.name for e in hot.employers] == ["Bygg & Montage AB", "Montage Öst AB"]
    assert hot.basis == "risk_ranking"


def test_the_ranking_is_deterministic(world):
    first = ranked(world["av"], limit=3, random_share=0.34)
    again = ranked(world["av"], limit=3, random_share=0.34)
    assert [
        (c.workplace.pk, c.score, c.basis, [(f.key, f.points) for f in c.factors]) for c in first
    ] == [(c.workplace.pk, c.score, c.basis, [(f.key, f.points) for f in c.factors]) for c in again]
    assert [c.basis for c in first] == ["risk_ranking", "risk_ranking", "random_in_risk_industry"]


def test_other_agencies_findings_are_only_a_count_and_secret_ones_nothing(world):
    other = by_place(ranked(world["av"]))[world["other"].pk]
    # AV sees only its own 2019 control there: no findings, last control 5 years ago.
    assert points(other)["findings"] == 0
    assert points(other)["last_control"] == 30
    # EBM's open finding from its joint control is a signal; its secret finding is not.
    assert points(other)["signals"] == 5
    assert other.factors[-1].detail == {"count": 1}
    assert "svartarbete" not in repr(other.__dict__)


def test_signals_need_a_network_agency(world):
    Agency.objects.filter(code="av").update(is_network_member=False)
    av = User.objects.get(pk=world["av"].pk)
    other = by_place(ranked(av))[world["other"].pk]
    assert points(other)["signals"] == 0


def test_the_owner_of_the_findings_counts_them_as_findings(world):
    other = by_place(ranked(world["ebm"]))[world["other"].pk]
    assert points(other)["findings"] == 20  # one high finding within the year
    assert points(other)["signals"] == 0


def test_the_request_filters_centre_industry_and_planned_workplaces(world):
    places = set(by_place(ranked(world["av"], industries=())))
    assert world["restaurant"].pk in places
    assert world["west"].pk not in places
    assert world["restaurant"].pk not in set(by_place(ranked(world["av"])))
    # A workplace already planned in the period is not a candidate again.
    planning.plan_inspection(
        workplace=world["quiet"], planned_date=date(2024, 5, 10), actor=world["av"]
    )
    assert world["quiet"].pk not in set(by_place(ranked(world["av"])))


def test_an_agency_sees_no_candidates_where_it_has_no_inspection(world, persona):
    assert ranked(persona("fk", "coordinator")) == []


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("centre", {"centre": "atlantis"}),
        ("industries", {"industries": ["gruvor"]}),
        ("period", {"period": "maj"}),
        ("period", {"period": "2024-05-31/2024-05-01"}),
        ("limit", {"limit": "0"}),
        ("random_share", {"random_share": "2"}),
    ],
)
def test_bad_requests_name_the_field(db, field, kwargs):
    args = {"centre": "stockholm", "industries": (), "period": PERIOD, **kwargs}
    with pytest.raises(ValidationError) as error:
        risk.build_request(**args, today=AS_OF)
    assert field in error.value.message_dict


# --- planning from the ranking ---------------------------------------------------------------


def test_candidates_are_planned_into_an_operation_with_their_basis(world):
    av = world["av"]
    operation = operations.create_operation(
        title="Byggvecka maj",
        period_start=date(2024, 5, 1),
        period_end=date(2024, 5, 31),
        selection_basis="risk_industry",
        actor=av,
    )
    candidates = ranked(av, limit=3, random_share=0.34)
    planned = selection.plan_from_ranking(
        operation=operation,
        picks=[(c.workplace.pk, c.basis) for c in candidates],
        planned_date=date(2024, 5, 14),
        actor=av,
    )
    assert [(i.workplace_id, i.selection_basis) for i in planned] == [
        (c.workplace.pk, c.basis) for c in candidates
    ]
    hot = next(i for i in planned if i.workplace_id == world["hot"].pk)
    assert sorted(hot.employers.values_list("orgnr", flat=True)) == ["5560160680", "5560360793"]
    assert AuditEvent.objects.filter(action="operation.planned_from_ranking").count() == 1


def test_planning_checks_operation_workplaces_and_dates(world, persona):
    av, ebm = world["av"], world["ebm"]
    operation = operations.create_operation(
        title="Maj",
        period_start=date(2024, 5, 1),
        period_end=date(2024, 5, 31),
        selection_basis="risk_industry",
        actor=av,
    )
    pick = [(world["hot"].pk, "risk_ranking")]
    # Ekobrottsmyndigheten's coordinator cannot see AV's operation at all: 404, not 403.
    with pytest.raises(Http404):
        selection.plan_from_ranking(
            operation=operation, picks=pick, planned_date=date(2024, 5, 2), actor=ebm
        )
    with pytest.raises(ValidationError) as error:
        selection.plan_from_ranking(
            operation=operation, picks=pick, planned_date=date(2024, 6, 2), actor=av
        )
    assert "planned_date" in error.value.message_dict
    # A workplace the coordinator has no inspection at (only FK's would) cannot be picked.
    fk = persona("fk", "coordinator")
    fk_place = planning.plan_inspection(
        workplace=site("FK:s plats", "Fkgatan 1"), planned_date=date(2024, 1, 1), actor=fk
    ).workplace
    with pytest.raises(ValidationError) as error:
        selection.plan_from_ranking(
            operation=operation,
            picks=[(fk_place.pk, "risk_ranking")],
            planned_date=date(2024, 5, 2),
            actor=av,
        )
    assert "workplaces" in error.value.message_dict
    assert not Inspection.objects.filter(operation=operation).exists()


# --- the risk table -------------------------------------------------------------------------


def test_network_coordinators_maintain_the_risk_table_with_locking(world, persona):
    row = IndustryRisk.objects.get(key="cleaning")
    av = world["av"]
    saved = selection.save_industry_risk(row, changes={"weight": 10}, version=row.version, actor=av)
    assert saved.version == row.version + 1
    with pytest.raises(StaleVersion):
        selection.save_industry_risk(row, changes={"weight": 3}, version=row.version, actor=av)
    with pytest.raises(PermissionDenied):
        selection.save_industry_risk(
            row, changes={"weight": 1}, version=saved.version, actor=world["ebm"]
        )
    with pytest.raises(ValidationError) as error:
        selection.save_industry_risk(
            None,
            changes={
                "key": "gruvor",
                "name_sv": "Gruvor",
                "name_en": "Mines",
                "weight": 11,
                "sni_prefixes": ["07"],
            },
            actor=av,
        )
    assert "weight" in error.value.message_dict
    event = AuditEvent.objects.get(action="industry_risk.saved")
    assert event.changes == {"weight": [8, 10]}
    assert IndustryRisk.objects.get(key="cleaning").weight == 10


def test_the_risk_table_changes_the_ranking(world):
    before = points(by_place(ranked(world["av"]))[world["hot"].pk])["industry"]
    row = IndustryRisk.objects.get(key="construction")
    selection.save_industry_risk(row, changes={"weight": 4}, version=row.version, actor=world["av"])
    after = points(by_place(ranked(world["av"]))[world["hot"].pk])["industry"]
    assert (before, after) == (100, 40)


# --- employer links ---------------------------------------------------------------------------


def test_tips_without_orgnr_are_linked_not_merged_and_links_can_be_undone(world):
    av, employer = world["av"], world["employer"]
    employer.street_address = "Hagagatan 1"
    employer.phone = "070-123 45 67"
    employer.save()
    by_name = tip_services.submit_tip(
        data={
            "employer_name": "BYGG & MONTAGE",
            "address": "Okänd väg 3",
            "municipality": "Stockholm",
            "industry": "construction",
        }
    )
    by_phone = tip_services.submit_tip(
        data={
            "employer_name": "Janne",
            "address": "Någonstans",
            "municipality": "Stockholm",
            "industry": "construction",
            "description": "Ring 0701234567 så får du jobb svart",
        }
    )
    unrelated = tip_services.submit_tip(
        data={
            "employer_name": "Helt annat AB",
            "address": "Blomvägen 9",
            "municipality": "Solna",
            "industry": "cleaning",
        }
    )
    candidates = dict(tip_services.tip_link_candidates(employer, user=av))
    assert candidates == {by_name: ["name"], by_phone: ["phone"]}
    assert unrelated not in candidates

    link = tip_services.decide_employer_link(employer, tip=by_name, decision="confirmed", actor=av)
    tip_services.decide_employer_link(employer, tip=by_phone, decision="rejected", actor=av)
    assert tip_services.tip_link_candidates(employer, user=av) == []
    assert by_name in tip_services.linked_tips(employer, user=av)
    by_name.refresh_from_db()
    assert by_name.employer_name == "BYGG & MONTAGE"
    assert by_name.employer is None

    with pytest.raises(StaleVersion):
        tip_services.decide_employer_link(
            employer, tip=by_name, decision="undone", version=link.version + 1, actor=av
        )
    tip_services.decide_employer_link(
        employer, tip=by_name, decision="undone", version=link.version, actor=av
    )
    assert by_name not in tip_services.linked_tips(employer, user=av)
    assert [t for t, _r in tip_services.tip_link_candidates(employer, user=av)] == [by_name]
    events = AuditEvent.objects.filter(action__startswith="employer_link.").order_by("id")
    assert [(e.action, e.changes["status"]) for e in events] == [
        ("employer_link.confirmed", ["", "confirmed"]),
        ("employer_link.rejected", ["", "rejected"]),
        ("employer_link.undone", ["confirmed", "undone"]),
    ]
    assert EmployerLink.objects.get(tip=by_name).status == LinkStatus.UNDONE


def test_only_those_who_triage_tips_link_them(world):
    tip = tip_services.submit_tip(
        data={
            "employer_name": "Bygg & Montage",
            "address": "X 1",
            "municipality": "Solna",
            "industry": "construction",
        }
    )
    # Skatteverket's staff cannot see the tip at all: not found, like any record out of scope.
    with pytest.raises(Http404):
        tip_services.decide_employer_link(
            world["employer"], tip=tip, decision="confirmed", actor=world["skv"]
        )
    assert tip_services.tip_link_candidates(world["employer"], user=world["skv"]) == []


def test_a_confirmed_link_makes_the_tip_count_in_the_ranking(world):
    av, employer = world["av"], world["employer"]
    tip = tip_services.submit_tip(
        data={
            "employer_name": "Bygg och Montage",
            "address": "Okänd 1",
            "municipality": "Stockholm",
            "industry": "construction",
        }
    )
    Tip.objects.filter(pk=tip.pk).update(received_at=noon(date(2024, 3, 1)))
    before = points(by_place(ranked(av))[world["hot"].pk])["tips"]
    tip_services.decide_employer_link(employer, tip=tip, decision="confirmed", actor=av)
    after = points(by_place(ranked(av))[world["hot"].pk])["tips"]
    assert (before, after) == (15, 30)


# --- API ------------------------------------------------------------------------------------


def test_the_candidates_api_answers_with_the_breakdown(world, api):
    response = api.as_user(world["av"]).get(
        reverse("risk-candidates"),
        {
            "centre": "stockholm",
            "industries": "construction",
            "period": PERIOD,
            "random_share": "0",
        },
    )
    assert response.status_code == 200, response.content
    first = response.json()["results"][0]
    assert first["workplace"]["name"] == "Bygget Hagastaden"
    assert sum(f["points"] for f in first["factors"]) == first["score"]
    bad = api.get(reverse("risk-candidates"), {"centre": "atlantis", "period": "snart"})
    assert bad.status_code == 400
    assert set(bad.json()) == {"centre", "period"}


def test_the_candidates_api_runs_a_constant_number_of_queries(world, api):
    client = api.as_user(world["av"])
    url = reverse("risk-candidates")
    client.get(url, {"centre": "stockholm", "period": PERIOD})  # warm the permission cache
    counts = []
    for limit in (1, 3):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(
                url, {"centre": "stockholm", "period": PERIOD, "limit": limit, "random_share": "0"}
            )
        assert len(response.json()["results"]) == limit
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- the hit rate ----------------------------------------------------------------------------


def test_the_risk_ranking_finds_more_than_the_random_draw(persona, settings):
    """A seeded world where some building sites are riskier than others (a hidden trait):
    their history shows it, the ranking reads the history, and the controls that follow are
    counted by the Lägesbild's own figures code. The ranking must hit more often."""
    ensure_industry_risks(IndustryRisk)
    rng = random.Random(20240501)
    av, skv = persona("av", "coordinator"), persona("skv", "staff")
    skv_agency = Agency.objects.get(code="skv")
    places = {}

    def control(workplace, when, p, operation=None, basis=""):
        inspection = planning.plan_inspection(
            workplace=workplace,
            planned_date=when,
            operation=operation,
            selection_basis=basis,
            actor=av,
        )
        assignment = planning.assign_agency(inspection, agency=skv_agency, mode="on_site", actor=av)
        planning.respond_to_assignment(assignment, accept=True, actor=skv)
        lifecycle.perform_inspection(inspection, performed_on=when, persons_checked=2, actor=skv)
        if rng.random() < p:
            results.record_finding(
                inspection, category="personalliggare_saknas", severity="medium", actor=skv
            )
        return inspection

    for n in range(120):
        risky = n % 4 == 0  # a quarter of the sites
        p = 0.7 if risky else 0.1
        first = control(site(f"Bygge {n}", f"Byggvägen {n + 1}"), date(2023, 3, 1), p)
        places[first.workplace_id] = p
    operation = operations.create_operation(
        title="Byggvecka",
        period_start=date(2024, 5, 1),
        period_end=date(2024, 5, 31),
        selection_basis="risk_industry",
        actor=av,
    )
    candidates = ranked(av, limit=60, random_share=0.5)
    for candidate in candidates:
        place = candidate.workplace
        control(
            place,
            date(2024, 5, 15),
            places[place.pk],
            operation=operation,
            basis=candidate.basis,
        )
    raw = compute(2024, "network")
    rates = hit_rates(raw, "selection_basis")
    ranking, drawn = rates["risk_ranking"], rates["random_in_risk_industry"]
    assert ranking["inspections"] == drawn["inspections"] == 30
    assert ranking["rate"] > 2 * drawn["rate"]
    # Published, the same figures pass the small-cell suppression of every Lägesbild figure.
    published = hit_rates(suppress(raw, settings.AKRIM_SUPPRESS_BELOW), "selection_basis")
    for group in published.values():
        found = group["with_findings"]
        assert found is None or not 1 <= found < settings.AKRIM_SUPPRESS_BELOW


def test_hit_rates_hide_small_cells_and_their_complements():
    raw = {
        "inspections_total": 40,
        "inspections_by_selection_basis": {"tip": 12, "risk_ranking": 20, "intelligence": 8},
        "inspections_with_findings_by_selection_basis": {
            "tip": 11,
            "risk_ranking": 9,
            "intelligence": 2,
        },
    }
    rates = hit_rates(suppress(raw, 5), "selection_basis")
    # 2 with findings is a small cell; 12 - 11 = 1 without findings is one too (so the 11
    # is hidden). Two hidden cells in a group whose sum is not published: neither is found.
    assert rates["intelligence"]["with_findings"] is None
    assert rates["tip"]["with_findings"] is None
    assert rates["risk_ranking"] == {"inspections": 20, "with_findings": 9, "rate": 0.45}
