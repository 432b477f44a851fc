"""One description of the report's tables, rendered five ways: HTML, PDF, CSV, XLSX and the
open-data package (reports/opendata.py).

Everything here reads the published (suppressed) figures of a build and of the year before
(`ReportBuild.previous_figures`); the raw figures never reach a renderer. A hidden cell is
shown as "..". Every table has last year beside this year and the change, as the published
reports do (docs/reports.md). Labels follow the active language (Swedish or English).
"""

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_countries import countries

from cases.tips.models import TipOutcome
from inspections.choices import (
    DecisionType,
    FindingCategory,
    ReportedLaw,
    RightToWork,
    SelectionBasis,
)
from network import exports
from network.models import Agency, Centre, County
from reports import charts
from reports.figures import hit_rates
from reports.models import ReportBuild

HIDDEN = ".."
MONTHS_SV = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _shown(value):
    return HIDDEN if value is None else value


def change(now, before):
    """Percent change, or ".." when either is hidden or unknown or last year was 0."""
    if now is None or before is None or before == 0:
        return HIDDEN
    return round(100 * (now - before) / before)


def percent(part, whole):
    if part is None or whole is None or whole == 0:
        return HIDDEN
    return round(100 * part / whole)


def labels(build: ReportBuild) -> dict:
    """Swedish or English labels (the active language) for every code the figures use."""
    english = translation.get_language() == "en"
    groups = build.figures.get("industry_groups") or {}
    return {
        "county": dict(County.objects.values_list("code", "name")),
        "centre": dict(Centre.objects.values_list("code", "city")),
        "agency": dict(Agency.objects.values_list("code", "name_en" if english else "name_sv")),
        "category": dict(FindingCategory.choices),
        "decision": dict(DecisionType.choices),
        "selection": dict(SelectionBasis.choices),
        "outcome": dict(TipOutcome.choices),
        "law": dict(ReportedLaw.choices),
        "right": dict(RightToWork.choices),
        "industry": {
            **{k: g["en" if english else "sv"] for k, g in groups.items()},
            "other": _("Other industries"),
        },
        "month": dict(
            zip(
                [f"{m:02d}" for m in range(1, 13)], MONTHS_EN if english else MONTHS_SV, strict=True
            )
        ),
        "operation": build.figures.get("operations") or {},
        "nationality": {
            **{
                code: countries.name(code) or code
                for code in {
                    *(build.figures.get("persons_by_nationality") or {}),
                    *((build.previous_figures or {}).get("persons_by_nationality") or {}),
                }
            },
            "unknown": _("Not recorded"),
        },
    }


def _compare(key, title, heading, now: dict, before: dict, label, year: int) -> dict:
    """A breakdown with this year, last year and the change (a code missing is 0)."""
    codes = sorted(set(now) | set(before))
    return {
        "key": key,
        "title": title,
        "columns": [heading, str(year), str(year - 1), _("Change (%)")],
        "rows": [
            [
                label(code),
                _shown(now.get(code, 0)),
                _shown(before.get(code, 0)),
                change(now.get(code, 0), before.get(code, 0)),
            ]
            for code in codes
        ],
        "codes": codes,
    }


def _hit_rate_table(key, title, heading, rates: dict, label) -> dict:
    """Inspections, those with at least one finding, and the share (the hit rate)."""
    return {
        "key": key,
        "title": title,
        "columns": [heading, _("Inspections"), _("With findings"), _("Hit rate (%)")],
        "rows": [
            [
                label(group),
                _shown(v["inspections"]),
                _shown(v["with_findings"]),
                HIDDEN if v["rate"] is None else round(100 * v["rate"]),
            ]
            for group, v in sorted(rates.items())
        ],
        "codes": sorted(rates),
    }


def key_ratios(build: ReportBuild) -> list[list]:
    """The headline ratios, per company as the network publishes them."""
    f, p = build.figures, build.previous_figures or {}

    def employers_with(fig, *types):
        values = [(fig.get("employers_with_decision_by_type") or {}).get(t, 0) for t in types]
        return None if None in values else max(values, default=0)

    def row(text, part_now, whole_now, part_before, whole_before):
        return [
            text,
            percent(part_now, whole_now),
            percent(part_before, whole_before),
        ]

    return [
        row(
            _("Share of inspections with findings (%)"),
            f.get("inspections_with_findings"),
            f.get("inspections_total"),
            p.get("inspections_with_findings"),
            p.get("inspections_total"),
        ),
        row(
            _("Share of controlled companies with findings (%)"),
            f.get("employers_with_findings"),
            f.get("employers_controlled"),
            p.get("employers_with_findings"),
            p.get("employers_controlled"),
        ),
        row(
            _("Share of controlled companies required to remedy deficiencies (%)"),
            employers_with(f, "forelaggande"),
            f.get("employers_controlled"),
            employers_with(p, "forelaggande"),
            p.get("employers_controlled"),
        ),
        row(
            _("Share of controlled companies prohibited from working, wholly or partly (%)"),
            employers_with(f, "forbud", "omedelbart_forbud"),
            f.get("employers_controlled"),
            employers_with(p, "forbud", "omedelbart_forbud"),
            p.get("employers_controlled"),
        ),
        row(
            _("Share of controlled companies with a fee (%)"),
            employers_with(f, "kontrollavgift", "sanktionsavgift", "sarskild_avgift"),
            f.get("employers_controlled"),
            employers_with(p, "kontrollavgift", "sanktionsavgift", "sarskild_avgift"),
            p.get("employers_controlled"),
        ),
    ]


def tables(build: ReportBuild) -> list[dict]:
    """The report's tables: key, title, column headings, rows of published values, and the
    stable codes of the rows (for the open data)."""
    f, p, year = build.figures, build.previous_figures or {}, build.year
    names = labels(build)

    def by(kind):
        return lambda code: names[kind].get(code, code)

    totals = [
        ("inspections_total", _("Inspections performed")),
        ("inspections_with_findings", _("Inspections with findings")),
        ("employers_controlled", _("Companies controlled")),
        ("employers_with_findings", _("Companies with findings")),
        ("persons_checked_total", _("Persons checked")),
        ("referrals_total", _("Victim referrals")),
    ]
    result = [
        {
            "key": "totals",
            "title": _("Totals"),
            "columns": [_("Figure"), str(year), str(year - 1), _("Change (%)")],
            "rows": [
                [text, _shown(f.get(key)), _shown(p.get(key)), change(f.get(key), p.get(key))]
                for key, text in totals
            ],
            "codes": [key for key, _text in totals],
        },
        {
            "key": "key_ratios",
            "title": _("Key ratios per company"),
            "columns": [_("Ratio"), str(year), str(year - 1)],
            "rows": key_ratios(build),
            "codes": [
                "inspections_with_findings_share",
                "employers_with_findings_share",
                "employers_remedy_share",
                "employers_prohibited_share",
                "employers_fee_share",
            ],
            "unit": "percent",
        },
    ]
    simple = [
        ("inspections_by_county", _("Inspections by county"), _("County"), "county"),
        ("inspections_by_centre", _("Inspections by regional centre"), _("Centre"), "centre"),
        ("inspections_by_sni_section", _("Inspections by industry (SNI section)"), _("SNI section"), None),
        ("inspections_by_risk_industry", _("Inspections by risk industry"), _("Industry"), "industry"),
        ("inspections_by_month", _("Inspections by month"), _("Month"), "month"),
        ("inspections_by_selection_basis", _("Inspections in operations, by selection basis"), _("Selection basis"), "selection"),
        ("employers_with_decision_by_type", _("Companies with a decision in force, by type"), _("Decision"), "decision"),
        ("reports_of_crime_by_law", _("Police reports and reports for prosecution, by law"), _("Law"), "law"),
        ("persons_checked_by_agency", _("Persons checked, by agency"), _("Agency"), "agency"),
        ("persons_by_right_to_work", _("Persons checked, by right to work"), _("Right to work"), "right"),
        ("inspections_with_persons_by_right_to_work", _("Workplaces where such persons were found"), _("Right to work"), "right"),
        ("persons_by_nationality", _("Persons checked, by nationality"), _("Nationality"), "nationality"),
        ("tips_by_outcome", _("Tips from the public, by outcome"), _("Outcome"), "outcome"),
    ]  # fmt: skip
    for key, title, heading, kind in simple:
        label = by(kind) if kind else str
        result.append(
            _compare(key, title, heading, f.get(key) or {}, p.get(key) or {}, label, year)
        )
    trend = f.get("inspections_trend") or {}
    sources = f.get("inspections_trend_source") or {}
    years = sorted(trend)
    result.append(
        {
            "key": "inspections_trend",
            "title": _("Inspections per year"),
            "columns": [_("Year"), _("Inspections"), _("Change (%)"), _("Source")],
            "rows": [
                [
                    y,
                    _shown(trend[y]),
                    change(trend[y], trend.get(str(int(y) - 1))),
                    _("Published figure")
                    if sources.get(y) == "published"
                    else _("Counted in akrim"),
                ]
                for y in years
            ],
            "codes": years,
        }
    )
    result += [
        _hit_rate_table(
            "hit_rate_by_selection_basis",
            _("Hit rate by selection basis"),
            _("Selection basis"),
            hit_rates(f, "selection_basis"),
            by("selection"),
        ),
        _hit_rate_table(
            "hit_rate_by_centre",
            _("Hit rate by regional centre"),
            _("Centre"),
            hit_rates(f, "centre"),
            by("centre"),
        ),
    ]
    operations = f.get("inspections_by_operation") or {}
    result.append(
        {
            "key": "inspections_by_operation",
            "title": _("Results per control operation"),
            "columns": [
                _("Operation"),
                _("Inspections"),
                _("With findings"),
                _("Share with findings (%)"),
                _("Companies"),
            ],
            "rows": [
                [
                    # The title with the reference the open data uses as the code.
                    f"{names['operation'][op]} ({op})" if op in names["operation"] else op,
                    _shown(v["inspections"]),
                    _shown(v["with_findings"]),
                    percent(v["with_findings"], v["inspections"]),
                    _shown(v["employers"]),
                ]
                for op, v in sorted(operations.items())
            ],
            "codes": sorted(operations),
        }
    )
    findings_rows, findings_codes = [], []
    before_findings = p.get("findings_by_agency_category") or {}
    for agency, mapping in sorted((f.get("findings_by_agency_category") or {}).items()):
        for category, n in sorted(mapping.items()):
            was = (before_findings.get(agency) or {}).get(category, 0)
            findings_rows.append(
                [
                    f"{by('agency')(agency)}: {by('category')(category)}",
                    _shown(n),
                    _shown(was),
                    change(n, was),
                ]
            )
            findings_codes.append(f"{agency}.{category}")
    result.append(
        {
            "key": "findings_by_agency_category",
            "title": _("Findings by agency and category"),
            "columns": [_("Agency and category"), str(year), str(year - 1), _("Change (%)")],
            "rows": findings_rows,
            "codes": findings_codes,
        }
    )
    before_agency = p.get("inspections_with_findings_by_agency") or {}
    share_rows = []
    for agency, v in sorted((f.get("inspections_with_findings_by_agency") or {}).items()):
        was = before_agency.get(agency) or {}
        share_rows.append(
            [
                by("agency")(agency),
                _shown(v["inspections"]),
                _shown(v["with_findings"]),
                percent(v["with_findings"], v["inspections"]),
                percent(was.get("with_findings"), was.get("inspections")),
            ]
        )
    result.append(
        {
            "key": "inspections_with_findings_by_agency",
            "title": _("Share of inspections with findings, by agency"),
            "columns": [
                _("Agency"),
                _("Inspections"),
                _("With findings"),
                _("Share %(year)s (%%)") % {"year": year},
                _("Share %(year)s (%%)") % {"year": year - 1},
            ],
            "rows": share_rows,
            "codes": sorted(f.get("inspections_with_findings_by_agency") or {}),
        }
    )
    before_decisions = p.get("decisions_by_type") or {}
    decision_rows = []
    for t, v in sorted((f.get("decisions_by_type") or {}).items()):
        was = before_decisions.get(t) or {"count": 0, "amount_sek": 0}
        decision_rows.append(
            [
                by("decision")(t),
                _shown(v["count"]),
                _shown(was["count"]),
                change(v["count"], was["count"]),
                _shown(None if v["amount_sek"] is None else round(v["amount_sek"])),
            ]
        )
    result.append(
        {
            "key": "decisions_by_type",
            "title": _("Decisions in force, by type"),
            "columns": [
                _("Decision"),
                str(year),
                str(year - 1),
                _("Change (%)"),
                _("Amount %(year)s (SEK)") % {"year": year},
            ],
            "rows": decision_rows,
            "codes": sorted(f.get("decisions_by_type") or {}),
        }
    )
    return result


def chart_svgs(build: ReportBuild) -> list[dict]:
    """The report's charts, from the published figures, each with the key of the table that
    carries its numbers (placed right after the chart: the text alternative)."""
    f = build.figures
    names = labels(build)
    # An agency's bar is its findings in all categories; if a category is hidden, so is the bar.
    per_agency = {
        agency.upper(): None if None in mapping.values() else sum(mapping.values())
        for agency, mapping in sorted(f["findings_by_agency_category"].items())
    }
    return [
        {
            "key": "trend",
            "table": "inspections_trend",
            "svg": charts.line_chart(
                sorted(f["inspections_trend"].items()), title=_("Inspections per year")
            ),
        },
        {
            "key": "county",
            "table": "inspections_by_county",
            "svg": charts.bar_chart(
                [
                    (names["county"].get(c, c), v)
                    for c, v in sorted(f["inspections_by_county"].items())
                ],
                title=_("Inspections by county"),
            ),
        },
        {
            "key": "industry",
            "table": "inspections_by_risk_industry",
            "svg": charts.bar_chart(
                [
                    (names["industry"].get(k, k), v)
                    for k, v in sorted(f["inspections_by_risk_industry"].items())
                ],
                title=_("Inspections by risk industry"),
            ),
        },
        {
            "key": "agency",
            "table": "findings_by_agency_category",
            "svg": charts.bar_chart(list(per_agency.items()), title=_("Findings by agency")),
        },
    ]


def context(build: ReportBuild, report=None) -> dict:
    all_tables = tables(build)
    by_key = {t["key"]: t for t in all_tables}
    charted = [dict(c, data=by_key[c["table"]]) for c in chart_svgs(build)]
    shown_after_charts = {c["table"] for c in charted}
    return {
        "build": build,
        "report": report,
        "tables": [t for t in all_tables if t["key"] not in shown_after_charts],
        "summary_table": by_key["key_ratios"],
        "charts": charted,
        "hidden_sign": HIDDEN,
        "language": translation.get_language() or "sv",
    }


def as_html(build: ReportBuild, report=None, language: str = "sv") -> str:
    with translation.override(language):
        return render_to_string("reports/report_document.html", context(build, report))


def as_pdf(build: ReportBuild, report=None, language: str = "sv") -> bytes:
    """The PDF with the text sections, the tables and the charts: tagged (PDF/UA-1), with
    its language and title, each chart followed by the table of its numbers."""
    from weasyprint import HTML  # imported late: it loads native libraries

    with translation.override(language):
        html = render_to_string("reports/report_pdf.html", context(build, report))
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")


def as_csv(build: ReportBuild, language: str = "sv") -> str:
    rows = []
    with translation.override(language):
        for table in tables(build):
            for code, row in zip(table["codes"], table["rows"], strict=True):
                for column, cell in zip(table["columns"][1:], row[1:], strict=True):
                    rows.append([table["key"], code, row[0], column, cell])
    return exports.csv_text(["table", "code", "label", "column", "value"], rows)


def as_xlsx(build: ReportBuild, language: str = "sv") -> bytes:
    with translation.override(language):
        return exports.xlsx_bytes(
            (
                table["key"],
                [
                    [str(table["title"])],
                    [str(c) for c in table["columns"]],
                    *(
                        [cell if isinstance(cell, int | float) else str(cell) for cell in row]
                        for row in table["rows"]
                    ),
                ],
            )
            for table in tables(build)
        )
