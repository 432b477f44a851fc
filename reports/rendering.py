"""One description of the report's tables, rendered four ways: HTML, PDF, CSV and XLSX.

Everything here reads the published (suppressed) figures of a build; the raw figures never
reach a renderer. A hidden cell is shown as "..".
"""

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from cases.tips.models import TipOutcome
from inspections.choices import DecisionType, FindingCategory, SelectionBasis
from network import exports
from network.models import Agency, Centre, County
from reports import charts
from reports.figures import hit_rates
from reports.models import ReportBuild

HIDDEN = ".."
MONTHS = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
RISK_LABELS = {
    "construction": "Bygg",
    "restaurants": "Restaurang",
    "cleaning": "Städ",
    "transport": "Transport",
    "beauty": "Skönhet",
    "car_care": "Bilvård",
    "care": "Vård och omsorg",
    "agriculture_forestry": "Jord- och skogsbruk",
    "other": "Övriga",
}


def _shown(value):
    return HIDDEN if value is None else value


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
    }


def tables(build: ReportBuild) -> list[dict]:
    """The report's tables: key, title, column headings and rows of published values."""
    f = build.figures
    counties = dict(County.objects.values_list("code", "name"))
    centres = dict(Centre.objects.values_list("code", "city"))
    agencies = dict(Agency.objects.values_list("code", "name_sv"))
    categories = dict(FindingCategory.choices)
    decision_types = dict(DecisionType.choices)
    selection = dict(SelectionBasis.choices)
    outcomes = dict(TipOutcome.choices)
    result = [
        {
            "key": "totals",
            "title": _("Totals"),
            "columns": [_("Figure"), _("Value")],
            "rows": [
                [_("Inspections performed"), _shown(f["inspections_total"])],
                [_("Inspections with findings"), _shown(f["inspections_with_findings"])],
                [_("Persons checked"), _shown(f["persons_checked_total"])],
                [_("Victim referrals"), _shown(f["referrals_total"])],
            ],
        },
        _mapping(
            "inspections_by_county",
            _("Inspections by county"),
            _("County"),
            f["inspections_by_county"],
            lambda c: f"{c} {counties.get(c, '')}",
        ),
        _mapping(
            "inspections_by_centre",
            _("Inspections by regional centre"),
            _("Centre"),
            f["inspections_by_centre"],
            lambda c: centres.get(c, c),
        ),
        _mapping(
            "inspections_by_sni_section",
            _("Inspections by industry (SNI section)"),
            _("SNI section"),
            f["inspections_by_sni_section"],
            str,
        ),
        _mapping(
            "inspections_by_risk_industry",
            _("Inspections by risk industry"),
            _("Industry"),
            f["inspections_by_risk_industry"],
            lambda r: RISK_LABELS.get(r, r),
        ),
        _mapping(
            "inspections_by_month",
            _("Inspections by month"),
            _("Month"),
            f["inspections_by_month"],
            lambda m: MONTHS[int(m) - 1],
        ),
        _mapping(
            "inspections_trend", _("Inspections per year"), _("Year"), f["inspections_trend"], str
        ),
        _mapping(
            "inspections_by_selection_basis",
            _("Inspections in operations, by selection basis"),
            _("Selection basis"),
            f.get("inspections_by_selection_basis", {}),
            lambda b: selection.get(b, b),
        ),
        _hit_rate_table(
            "hit_rate_by_selection_basis",
            _("Hit rate by selection basis"),
            _("Selection basis"),
            hit_rates(f, "selection_basis"),
            lambda b: selection.get(b, b),
        ),
        _hit_rate_table(
            "hit_rate_by_centre",
            _("Hit rate by regional centre"),
            _("Centre"),
            hit_rates(f, "centre"),
            lambda c: centres.get(c, c),
        ),
        {
            "key": "tips_by_outcome",
            "title": _("Tips from the public, by outcome"),
            "columns": [_("Outcome"), _("Tips")],
            "rows": [
                [outcomes.get(k, k), _shown(v)]
                for k, v in sorted(f.get("tips_by_outcome", {}).items())
            ],
        },
        {
            "key": "findings_by_agency_category",
            "title": _("Findings by agency and category"),
            "columns": [_("Agency"), _("Category"), _("Findings")],
            "rows": [
                [agencies.get(agency, agency), categories.get(category, category), _shown(n)]
                for agency, mapping in sorted(f["findings_by_agency_category"].items())
                for category, n in sorted(mapping.items())
            ],
        },
        {
            "key": "inspections_with_findings_by_agency",
            "title": _("Share of inspections with findings, by agency"),
            "columns": [_("Agency"), _("Inspections"), _("With findings")],
            "rows": [
                [agencies.get(a, a), _shown(v["inspections"]), _shown(v["with_findings"])]
                for a, v in sorted(f["inspections_with_findings_by_agency"].items())
            ],
        },
        {
            "key": "decisions_by_type",
            "title": _("Decisions by type"),
            "columns": [_("Decision"), _("Count"), _("Amount (SEK)")],
            "rows": [
                [decision_types.get(t, t), _shown(v["count"]), _shown(v["amount_sek"])]
                for t, v in sorted(f["decisions_by_type"].items())
            ],
        },
    ]
    return result


def _mapping(key, title, heading, mapping, label) -> dict:
    return {
        "key": key,
        "title": title,
        "columns": [heading, _("Inspections")],
        "rows": [[label(k), _shown(v)] for k, v in sorted(mapping.items())],
    }


def chart_svgs(build: ReportBuild) -> dict[str, str]:
    """The report's charts, from the published figures."""
    f = build.figures
    counties = dict(County.objects.values_list("code", "name"))
    # An agency's bar is its findings in all categories; if a category is hidden, so is the bar.
    per_agency = {
        agency.upper(): None if None in mapping.values() else sum(mapping.values())
        for agency, mapping in sorted(f["findings_by_agency_category"].items())
    }
    return {
        "county": charts.bar_chart(
            [(counties.get(c, c), v) for c, v in sorted(f["inspections_by_county"].items())],
            title=_("Inspections by county"),
        ),
        "industry": charts.bar_chart(
            [
                (RISK_LABELS.get(k, k), v)
                for k, v in sorted(f["inspections_by_risk_industry"].items())
            ],
            title=_("Inspections by risk industry"),
        ),
        "agency": charts.bar_chart(list(per_agency.items()), title=_("Findings by agency")),
        "trend": charts.line_chart(
            sorted(f["inspections_trend"].items()), title=_("Inspections per year")
        ),
    }


def context(build: ReportBuild, report=None) -> dict:
    return {
        "build": build,
        "report": report,
        "tables": tables(build),
        "charts": chart_svgs(build),
        "hidden_sign": HIDDEN,
    }


def as_html(build: ReportBuild, report=None) -> str:
    return render_to_string("reports/report_document.html", context(build, report))


def as_pdf(build: ReportBuild, report=None) -> bytes:
    """The PDF, in Swedish, with the text sections, the tables and the charts."""
    from weasyprint import HTML  # imported late: it loads native libraries

    with translation.override("sv"):
        html = render_to_string("reports/report_pdf.html", context(build, report))
    return HTML(string=html).write_pdf()


def as_csv(build: ReportBuild) -> str:
    rows = []
    for table in tables(build):
        for row in table["rows"]:
            if len(row) == 2:
                rows.append([table["key"], row[0], "", row[1]])
            else:
                rows.append([table["key"], row[0], " / ".join(map(str, row[1:-1])), row[-1]])
    return exports.csv_text(["table", "dimension", "subdimension", "value"], rows)


def as_xlsx(build: ReportBuild) -> bytes:
    return exports.xlsx_bytes(
        (
            table["key"],
            [
                [str(table["title"])],
                [str(c) for c in table["columns"]],
                *(
                    [c if isinstance(c, int | float) else str(c) for c in row]
                    for row in table["rows"]
                ),
            ],
        )
        for table in tables(build)
    )
