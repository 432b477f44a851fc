"""Small-cell suppression for everything the Lägesbild publishes (docs/reports.md).

Primary: every count from 1 to k-1 is hidden (null); 0 is shown. Secondary: a hidden cell
must not be recoverable by subtraction. The figures are linked in known ways:
- a breakdown sums to its total (counties, centres, SNI sections, months, risk industries
  to `inspections_total`; each centre's counties to that centre);
- some cells are the same number under two names (section F is construction; this year's
  trend value is `inspections_total`);
- each agency's findings by category, and decisions by type, are treated as breakdowns of a
  known total.
Wherever a linked group whose total is shown would have exactly one hidden member, one more
member is hidden (the smallest), and equal cells are hidden together, until nothing changes.
Amounts are hidden together with their count. A count of inspections with findings beside
its count of inspections (the hit rates) is hidden when the difference is a small cell.
"""

from collections.abc import Iterable

Path = tuple

# Not counts: labels, sources and the grouping the figures were counted by; published as
# they are. The percent changes are derived after suppression (`percent_changes`).
NOT_COUNTS = {
    "inspections_trend_source",
    "previous_year_source",
    "industry_groups",
    "operations",
    "change_from_previous_year",
}
# Mappings of mappings: each inner mapping is one breakdown.
NESTED = {
    "findings_by_agency_category",
    "inspections_with_findings_by_agency",
    "inspections_by_operation",
}
# The person counts of every agency, split three ways: each split sums to the same total.
PERSON_SPLITS = ["persons_checked_by_agency", "persons_by_right_to_work", "persons_by_nationality"]

# tips_by_outcome sums to the year's tips, a total not published: its cells are still
# protected as a breakdown of a known total (see _groups).
BREAKDOWNS_OF_TOTAL = [
    "inspections_by_county",
    "inspections_by_sni_section",
    "inspections_by_month",
    "inspections_by_centre",
    "inspections_by_risk_industry",
]


def _cells(raw: dict) -> dict[Path, int]:
    """Every count in the figures, by its path."""
    cells: dict[Path, int] = {}
    for key, value in raw.items():
        if key in NOT_COUNTS:
            continue
        if isinstance(value, int):
            cells[(key,)] = value
        elif key == "decisions_by_type":
            for kind, item in value.items():
                cells[(key, kind, "count")] = item["count"]
        elif key in NESTED:
            for agency, mapping in value.items():
                for sub, count in mapping.items():
                    cells[(key, agency, sub)] = count
        elif isinstance(value, dict):
            for sub, count in value.items():
                cells[(key, sub)] = count
    return cells


def _groups(raw: dict, centre_counties: dict[str, Iterable[str]]):
    """(members, total) pairs: members sum to total (None: a total taken as known)."""
    groups: list[tuple[list[tuple[str, ...]], tuple[str, ...] | None]] = []
    for key in BREAKDOWNS_OF_TOTAL:
        groups.append(([(key, sub) for sub in raw.get(key, {})], ("inspections_total",)))
    for centre, counties in centre_counties.items():
        members: list[tuple[str, ...]] = [
            ("inspections_by_county", c)
            for c in counties
            if c in raw.get("inspections_by_county", {})
        ]
        if members and centre in raw.get("inspections_by_centre", {}):
            groups.append((members, ("inspections_by_centre", centre)))
    for agency, mapping in raw.get("findings_by_agency_category", {}).items():
        groups.append(([("findings_by_agency_category", agency, c) for c in mapping], None))
    groups.append(
        ([("decisions_by_type", t, "count") for t in raw.get("decisions_by_type", {})], None)
    )
    for key in (
        "tips_by_outcome",
        "inspections_by_selection_basis",
        "inspections_with_findings_by_selection_basis",
        "employers_with_decision_by_type",
        "reports_of_crime_by_law",
        "inspections_with_persons_by_right_to_work",
        "previous_year_totals",
    ):
        groups.append(([(key, sub) for sub in raw.get(key, {})], None))
    for key in PERSON_SPLITS:
        groups.append(([(key, sub) for sub in raw.get(key, {})], ("persons_counted_total",)))
    for operation, mapping in raw.get("inspections_by_operation", {}).items():
        groups.append(([("inspections_by_operation", operation, c) for c in mapping], None))
    found_by_centre = "inspections_with_findings_by_centre"
    groups.append(
        (
            [(found_by_centre, c) for c in raw.get(found_by_centre, {})],
            ("inspections_with_findings",),
        )
    )
    return groups


# Hit rates: a count "with findings" beside its count of inspections. The difference (those
# without findings) is published implicitly, so it must not be a small cell either.
COMPLEMENTS = [
    ("inspections_with_findings_by_selection_basis", "inspections_by_selection_basis"),
    ("inspections_with_findings_by_centre", "inspections_by_centre"),
]


def _complements(raw: dict):
    for part_key, whole_key in COMPLEMENTS:
        for group, part in raw.get(part_key, {}).items():
            whole = raw.get(whole_key, {}).get(group)
            if whole is not None:
                yield (part_key, group), (whole_key, group), whole - part
    # Companies without findings, and each operation's inspections without findings.
    if "employers_with_findings" in raw and "employers_controlled" in raw:
        rest = raw["employers_controlled"] - raw["employers_with_findings"]
        yield ("employers_with_findings",), ("employers_controlled",), rest
    for operation, m in raw.get("inspections_by_operation", {}).items():
        yield (
            ("inspections_by_operation", operation, "with_findings"),
            ("inspections_by_operation", operation, "inspections"),
            m["inspections"] - m["with_findings"],
        )


def _equalities(raw: dict, year: int | None):
    pairs: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
        (("inspections_by_sni_section", "F"), ("inspections_by_risk_industry", "construction"))
    ]
    if year is not None:
        pairs.append((("inspections_total",), ("inspections_trend", str(year))))
        previous = raw.get("previous_year_totals", {})
        if previous.get("inspections_total") == raw.get("inspections_trend", {}).get(str(year - 1)):
            pairs.append(
                (
                    ("previous_year_totals", "inspections_total"),
                    ("inspections_trend", str(year - 1)),
                )
            )
    return pairs


def hidden_cells(raw: dict, k: int, centre_counties=None, year: int | None = None) -> set[Path]:
    cells = _cells(raw)
    hidden = {path for path, value in cells.items() if 1 <= value < k}
    hidden |= {part for part, _whole, rest in _complements(raw) if 1 <= rest < k}
    groups = [
        (members, total)
        for members, total in _groups(raw, centre_counties or {})
        if all(m in cells for m in members)
    ]
    pairs = [(a, b) for a, b in _equalities(raw, year) if a in cells and b in cells]
    changed = True
    while changed:
        changed = False
        for a, b in pairs:
            if (a in hidden) != (b in hidden):
                hidden |= {a, b}
                changed = True
        for members, total in groups:
            if total is not None and total in hidden:
                continue
            hidden_members = [m for m in members if m in hidden]
            if len(hidden_members) != 1:
                continue
            shown = [m for m in members if m not in hidden]
            if shown:
                hidden.add(min(shown, key=lambda m: (cells[m] == 0, cells[m], m)))
                changed = True
            elif total is not None:
                hidden.add(total)
                changed = True
    return hidden


def suppress(raw: dict, k: int, centre_counties=None, year: int | None = None) -> dict:
    """The figures as they may be published: hidden cells (and their amounts) are None."""
    hidden = hidden_cells(raw, k, centre_counties, year)
    out: dict = {}
    for key, value in raw.items():
        if key in NOT_COUNTS:
            out[key] = value
        elif isinstance(value, int):
            out[key] = None if (key,) in hidden else value
        elif key == "decisions_by_type":
            out[key] = {
                kind: (
                    {"count": None, "amount_sek": None}
                    if (key, kind, "count") in hidden
                    else dict(item)
                )
                for kind, item in value.items()
            }
        elif key in NESTED:
            out[key] = {
                agency: {
                    sub: None if (key, agency, sub) in hidden else count
                    for sub, count in mapping.items()
                }
                for agency, mapping in value.items()
            }
        elif isinstance(value, dict):
            out[key] = {sub: None if (key, sub) in hidden else n for sub, n in value.items()}
        else:
            out[key] = value
    if "previous_year_totals" in out:
        out["change_from_previous_year"] = percent_changes(out)
    return out


CHANGE_KEYS = (
    "inspections_total",
    "inspections_with_findings",
    "employers_controlled",
    "employers_with_findings",
    "persons_checked_total",
    "referrals_total",
)


def percent_changes(figures: dict) -> dict:
    """Percent change from last year per total: None when either year's count is unknown,
    hidden, or last year's is 0 (nothing to divide by)."""
    previous = figures.get("previous_year_totals", {})
    changes = {}
    for key in CHANGE_KEYS:
        now, before = figures.get(key), previous.get(key)
        changes[key] = (
            None
            if now is None or before is None or before == 0
            else round(100 * (now - before) / before, 1)
        )
    return changes
