"""The Lägesbild's figures on a known data set, built through the services."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.tips import services as tip_services
from network.models import Centre
from reports import figures, suppression

pytestmark = pytest.mark.django_db


def test_every_figure_equals_the_hand_computed_one(year_2025):
    raw = figures.compute(2025, "network")
    assert raw["inspections_total"] == 3
    assert raw["inspections_by_county"] == {"01": 2, "12": 1}
    assert raw["inspections_by_sni_section"] == {"F": 2, "I": 1}
    assert raw["inspections_with_findings"] == 3
    assert raw["findings_by_agency_category"] == {
        "skv": {"personalliggare_saknas": 2},
        "polis": {"utan_arbetstillstand": 1, "olaglig_vistelse": 1},
    }
    assert raw["decisions_by_type"] == {
        "kontrollavgift": {"count": 1, "amount_sek": 12500.0},
        "polisanmalan": {"count": 1, "amount_sek": 0.0},
    }
    assert raw["persons_checked_total"] == 15
    assert raw["referrals_total"] == 0  # the referral was made this year, not in 2025
    assert {m: n for m, n in raw["inspections_by_month"].items() if n} == {"03": 2, "09": 1}
    assert len(raw["inspections_by_month"]) == 12  # months without inspections are 0
    assert raw["inspections_by_centre"] == {"stockholm": 2, "malmo": 1}
    assert raw["inspections_by_risk_industry"] == {"construction": 2, "restaurants": 1}
    assert raw["inspections_with_findings_by_agency"] == {
        "polis": {"inspections": 3, "with_findings": 2},
        "skv": {"inspections": 3, "with_findings": 2},
    }
    # Years without data are absent, never 0.
    assert raw["inspections_trend"] == {"2024": 1, "2025": 3}
    assert raw["inspections_by_selection_basis"] == {}  # none of them was in an operation
    assert raw["tips_by_outcome"] == {}


def test_tips_by_outcome_and_selection_basis(year_2025, persona):
    from datetime import date as day

    from cases.tips.models import Tip
    from inspections.models import Inspection
    from inspections.services import operations

    coordinator = persona("av", "coordinator")
    operation = operations.create_operation(
        title="Tipsinsats",
        period_start=day(2025, 3, 1),
        period_end=day(2025, 3, 31),
        selection_basis="tip",
        actor=coordinator,
    )
    Inspection.objects.filter(performed_on__year=2025).update(operation=operation)
    for n in range(3):
        tip = tip_services.submit_tip(
            data={"address": f"Gatan {n}", "municipality": "Malmö", "industry": "restaurant"}
        )
        Tip.objects.filter(pk=tip.pk).update(received_at=tip.received_at.replace(year=2025))
        if n:
            tip_services.propose_tip_for_inspection(tip, actor=coordinator)
    raw = figures.compute(2025, "network")
    assert raw["inspections_by_selection_basis"] == {"tip": 3}
    assert raw["tips_by_outcome"] == {"new": 1, "proposed": 2}


def test_an_agencys_own_figures_leave_out_other_agencies_results(year_2025):
    raw = figures.compute(2025, "skv")
    assert raw["inspections_total"] == 3
    assert raw["findings_by_agency_category"] == {"skv": {"personalliggare_saknas": 2}}
    assert raw["decisions_by_type"] == {"kontrollavgift": {"count": 1, "amount_sek": 12500.0}}
    assert raw["inspections_with_findings"] == 2
    assert list(raw["inspections_with_findings_by_agency"]) == ["skv"]
    assert figures.compute(2025, "fk")["inspections_total"] == 0


def test_published_figures_hide_small_cells_and_what_would_reveal_them(year_2025):
    raw = figures.compute(2025, "network")
    published = suppression.suppress(raw, 2, _centres(), year=2025)
    # 1s are hidden; a breakdown of a shown total never hides exactly one cell.
    assert published["inspections_total"] == 3
    assert published["inspections_by_county"] == {"01": None, "12": None}
    assert published["inspections_by_centre"] == {"stockholm": None, "malmo": None}
    assert published["inspections_by_month"]["03"] is None
    assert published["inspections_by_month"]["09"] is None
    assert published["inspections_by_month"]["01"] == 0  # a 0 is shown
    assert published["findings_by_agency_category"]["polis"] == {
        "utan_arbetstillstand": None,
        "olaglig_vistelse": None,
    }
    assert published["decisions_by_type"]["kontrollavgift"] == {"count": None, "amount_sek": None}
    assert published["inspections_trend"]["2024"] is None
    assert "2021" not in published["inspections_trend"]


def _centres():
    return {c.code: [x.code for x in c.counties.all()] for c in Centre.objects.all()}


CENTRES = {"north": ["a", "b"], "south": ["c", "d", "e"]}


@settings(max_examples=300, deadline=None)
@given(
    counts=st.dictionaries(st.sampled_from("abcde"), st.integers(0, 12), min_size=1),
    categories=st.dictionaries(st.sampled_from(["x", "y", "z"]), st.integers(0, 9)),
    k=st.integers(2, 8),
)
def test_suppression_holds_on_random_tables(counts, categories, k):
    centre_of = {county: c for c, members in CENTRES.items() for county in members}
    centres: dict[str, int] = {}
    for county, n in counts.items():
        centres[centre_of[county]] = centres.get(centre_of[county], 0) + n
    total = sum(counts.values())
    raw = {
        "inspections_total": total,
        "inspections_by_county": counts,
        "inspections_by_centre": centres,
        "findings_by_agency_category": {"skv": categories},
        "decisions_by_type": {},
    }
    out = suppression.suppress(raw, k, CENTRES)
    # Primary: no published count from 1 to k-1.
    published = [
        out["inspections_total"],
        *out["inspections_by_county"].values(),
        *out["inspections_by_centre"].values(),
        *out["findings_by_agency_category"]["skv"].values(),
    ]
    assert not any(v is not None and 1 <= v < k for v in published)
    # Secondary: where a total is shown, never exactly one hidden member.
    groups = [
        (out["inspections_by_county"], out["inspections_total"]),
        (out["inspections_by_centre"], out["inspections_total"]),
        (out["findings_by_agency_category"]["skv"], 0),
    ]
    for centre, members in CENTRES.items():
        groups.append(
            (
                {c: out["inspections_by_county"][c] for c in members if c in counts},
                out["inspections_by_centre"].get(centre),
            )
        )
    for cells, group_total in groups:
        # A breakdown with one cell has nothing else to hide; its total is not published.
        if group_total is not None and len(cells) > 1:
            assert sum(v is None for v in cells.values()) != 1
    # Shown values are the true ones.
    for county, value in out["inspections_by_county"].items():
        assert value in (None, counts[county])
