"""Version 2 of the figures (companies, decisions in force, people, campaigns, history) on a
known year built through the services, and their suppression on random tables."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports import figures, services, suppression

pytestmark = pytest.mark.django_db


def test_every_v2_figure_equals_the_hand_computed_one(known_year):
    raw = figures.compute(2025, "network")
    # Keyed by the operation's reference (the contract), not its database id.
    op = "KI-2025-000001"
    assert known_year["campaign"].reference == op
    # Version 1, on the same data (the withdrawn fee and the proposal are not in force).
    assert raw["inspections_total"] == 3
    assert raw["inspections_with_findings"] == 3
    assert raw["inspections_by_county"] == {"01": 2, "12": 1}
    assert raw["inspections_by_sni_section"] == {"F": 1, "G": 1, "I": 1}
    assert raw["findings_by_agency_category"] == {
        "skv": {"personalliggare_saknas": 1, "personalliggare_brist": 1},
        "polis": {"utan_arbetstillstand": 1, "olaglig_vistelse": 1},
    }
    assert raw["decisions_by_type"] == {
        "kontrollavgift": {"count": 1, "amount_sek": 12500.0},
        "polisanmalan": {"count": 1, "amount_sek": 0.0},
    }
    assert raw["persons_checked_total"] == 15
    assert raw["referrals_total"] == 0
    # Version 2.
    assert raw["employers_controlled"] == 3
    assert raw["employers_with_findings"] == 2  # the subcontractor and the restaurant
    assert raw["employers_with_decision_by_type"] == {"kontrollavgift": 1, "polisanmalan": 1}
    assert raw["reports_of_crime_by_law"] == {"utlanningslagen": 1}
    assert raw["persons_checked_by_agency"] == {"polis": 3, "skv": 7}
    assert raw["persons_by_right_to_work"] == {
        "eu_eea_citizen": 4,
        "no_right_to_work": 2,
        "staying_illegally": 1,
        "valid_permit": 3,
    }
    assert raw["inspections_with_persons_by_right_to_work"] == {
        "eu_eea_citizen": 1,
        "no_right_to_work": 1,
        "staying_illegally": 1,
        "valid_permit": 1,
    }
    assert raw["persons_by_nationality"] == {"RO": 7, "UA": 2, "unknown": 1}
    assert raw["inspections_by_operation"] == {
        op: {"inspections": 2, "with_findings": 2, "employers": 3}
    }
    assert raw["operations"] == {op: "Byggvecka mars"}
    assert raw["inspections_by_risk_industry"] == {
        "construction": 1,
        "restaurants": 1,
        "retail": 1,
    }
    assert "retail" in raw["industry_groups"]
    assert "hotels" in raw["industry_groups"]
    assert raw["inspections_trend"] == {"2017": 161, "2018": 1130, "2024": 1, "2025": 3}
    assert raw["inspections_trend_source"] == {
        "2017": "published",
        "2018": "published",
        "2024": "akrim",
        "2025": "akrim",
    }
    assert raw["previous_year_totals"] == {
        "inspections_total": 1,
        "inspections_with_findings": 0,
        "employers_controlled": 1,
        "employers_with_findings": 0,
        "persons_checked_total": 4,
        "referrals_total": 0,
    }
    assert raw["change_from_previous_year"] == {
        "inspections_total": 200.0,
        "inspections_with_findings": None,  # nothing to compare with
        "employers_controlled": 200.0,
        "employers_with_findings": None,
        "persons_checked_total": 275.0,
        "referrals_total": None,
    }


def test_published_v2_figures_hide_small_cells_and_the_changes_on_them(known_year):
    published = services.publish(figures.compute(2025, "network"), k=5, year=2025)
    assert published["employers_controlled"] is None
    assert published["persons_by_nationality"] == {"RO": 7, "UA": None, "unknown": None}
    # Polisen's 3 is hidden; the total of 10 is shown, so Skatteverket's 7 goes with it.
    assert published["persons_counted_total"] == 10
    assert published["persons_checked_by_agency"] == {"polis": None, "skv": None}
    # Last year's one inspection is hidden, so is the change and the trend cell.
    assert published["previous_year_totals"]["inspections_total"] is None
    assert published["inspections_trend"]["2024"] is None
    assert published["inspections_trend"]["2017"] == 161
    assert published["change_from_previous_year"]["inspections_total"] is None
    assert published["inspections_trend_source"]["2017"] == "published"


def test_last_years_published_figure_is_the_comparison_when_akrim_has_none(known_year):
    from inspections.models import Inspection

    Inspection.objects.filter(performed_on__year=2024).delete()
    services.save_published_figure(
        year=2024, key="inspections_total", value=2, source="av.se", actor=None
    )
    raw = figures.compute(2025, "network")
    assert raw["previous_year_totals"] == {"inspections_total": 2}
    assert raw["previous_year_source"] == {"inspections_total": "published"}
    assert raw["change_from_previous_year"]["inspections_total"] == 50.0
    assert raw["change_from_previous_year"]["employers_controlled"] is None
    assert raw["inspections_trend"]["2024"] == 2


def test_the_campaign_table_names_the_operation_by_its_reference(known_year, ready):
    """The report and the open data both carry the reference as the row's stable code."""
    from reports import opendata, rendering

    _fields, rows = opendata.tables(ready)["inspections_by_operation"]
    assert [row[:3] for row in rows] == [["KI-2025-000001", "Byggvecka mars", "Byggvecka mars"]]
    table = next(t for t in rendering.tables(ready) if t["key"] == "inspections_by_operation")
    assert table["codes"] == ["KI-2025-000001"]
    assert table["rows"][0][0] == "Byggvecka mars (KI-2025-000001)"


# --- suppression of every v2 mapping on random tables -------------------------------------

small = st.integers(0, 12)
codes = st.sampled_from(["a", "b", "c", "d"])


@settings(max_examples=300, deadline=None)
@given(
    by_agency=st.dictionaries(codes, small, min_size=1),
    by_right=st.dictionaries(codes, small, min_size=1),
    by_type=st.dictionaries(codes, small),
    by_law=st.dictionaries(codes, small),
    with_persons=st.dictionaries(codes, small),
    operations=st.dictionaries(codes, st.tuples(small, small, small)),
    employers=st.tuples(small, small),
    previous=st.tuples(small, small),
    k=st.integers(2, 8),
)
def test_suppression_holds_for_every_v2_mapping(
    by_agency, by_right, by_type, by_law, with_persons, operations, employers, previous, k
):
    total = sum(by_agency.values())
    # The same people by right to work: rescale the split so it sums to the same total.
    right = dict(by_right)
    first = next(iter(right))
    right[first] += total - sum(right.values())
    if right[first] < 0:
        return
    controlled, found = max(employers), min(employers)
    raw = {
        "inspections_total": 50,
        "employers_controlled": controlled,
        "employers_with_findings": found,
        "persons_counted_total": total,
        "persons_checked_by_agency": by_agency,
        "persons_by_right_to_work": right,
        "employers_with_decision_by_type": by_type,
        "reports_of_crime_by_law": by_law,
        "inspections_with_persons_by_right_to_work": with_persons,
        "inspections_by_operation": {
            o: {"inspections": max(t[0], t[1]), "with_findings": min(t[0], t[1]), "employers": t[2]}
            for o, t in operations.items()
        },
        "previous_year_totals": {
            "inspections_total": previous[0],
            "employers_controlled": previous[1],
        },
        "inspections_trend_source": {"2017": "published"},
    }
    out = suppression.suppress(raw, k)

    def cells(mapping):
        return list(mapping.values())

    groups = [
        (out["persons_checked_by_agency"], out["persons_counted_total"]),
        (out["persons_by_right_to_work"], out["persons_counted_total"]),
        (out["employers_with_decision_by_type"], 0),
        (out["reports_of_crime_by_law"], 0),
        (out["inspections_with_persons_by_right_to_work"], 0),
        *[(m, 0) for m in out["inspections_by_operation"].values()],
    ]
    everything = [
        out["employers_controlled"],
        out["employers_with_findings"],
        out["persons_counted_total"],
        *cells(out["previous_year_totals"]),
    ]
    for mapping, _total in groups:
        everything += cells(mapping)
    # Primary: no published count from 1 to k-1.
    assert not any(v is not None and 1 <= v < k for v in everything)
    # Secondary: a breakdown whose total is known never hides exactly one cell.
    for mapping, group_total in groups:
        if group_total is not None and len(mapping) > 1:
            assert sum(v is None for v in mapping.values()) != 1, mapping
    # Those without findings (companies; each operation's inspections) are no small cell.
    if out["employers_with_findings"] is not None and out["employers_controlled"] is not None:
        assert not 1 <= controlled - found < k
    for m in out["inspections_by_operation"].values():
        if m["with_findings"] is not None and m["inspections"] is not None:
            assert not 1 <= m["inspections"] - m["with_findings"] < k
    # A percent change is null when either count is hidden; shown values are the true ones.
    change = out["change_from_previous_year"]
    for key in ("inspections_total", "employers_controlled"):
        if out.get(key) is None or out["previous_year_totals"].get(key) is None:
            assert change[key] is None
    assert out["employers_controlled"] in (None, controlled)
    assert out["inspections_trend_source"] == {"2017": "published"}
