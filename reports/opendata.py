"""The published Lägesbild as open data: a Frictionless data package (datapackage.json and
one CSV per table) of the frozen, suppressed figures (docs/reports.md "Open data").

Only a report in the state `published` has a package; its figures are the build it froze,
which are suppressed already. Codes are stable (county codes, SNI letters, the category and
decision codes of the API); every row carries a Swedish and an English label.
"""

import io
import json
import zipfile

from django.utils import translation
from django.utils.translation import gettext as _

from network import exports
from reports import rendering
from reports.models import AnnualReport, ReportState

SUPPRESSION_RULE = (
    "Counts from 1 to {k} − 1 are suppressed (empty), as are other cells from which a "
    "suppressed count could be calculated (secondary suppression). A count of 0 is shown. "
    "Amounts are suppressed with their count. / Antal från 1 till {k} − 1 är dolda (tomma), "
    "liksom andra celler som ett dolt antal skulle kunna räknas fram ur. 0 visas. Belopp "
    "döljs tillsammans med sitt antal."
)

# Figures that are one number per code, and the unit of the number.
MAPPINGS = [
    ("inspections_by_county", "county", "inspections"),
    ("inspections_by_centre", "centre", "inspections"),
    ("inspections_by_sni_section", None, "inspections"),
    ("inspections_by_risk_industry", "industry", "inspections"),
    ("inspections_by_month", "month", "inspections"),
    ("inspections_by_selection_basis", "selection", "inspections"),
    ("employers_with_decision_by_type", "decision", "companies"),
    ("reports_of_crime_by_law", "law", "reports"),
    ("persons_checked_by_agency", "agency", "persons"),
    ("persons_by_right_to_work", "right", "persons"),
    ("inspections_with_persons_by_right_to_work", "right", "inspections"),
    ("persons_by_nationality", "nationality", "persons"),
    ("tips_by_outcome", "outcome", "tips"),
]
TOTALS = [
    ("inspections_total", "inspections"),
    ("inspections_with_findings", "inspections"),
    ("employers_controlled", "companies"),
    ("employers_with_findings", "companies"),
    ("persons_checked_total", "persons"),
    ("persons_counted_total", "persons"),
    ("referrals_total", "referrals"),
]
TOTAL_LABELS = {
    "inspections_total": "Inspections performed",
    "inspections_with_findings": "Inspections with findings",
    "employers_controlled": "Companies controlled",
    "employers_with_findings": "Companies with findings",
    "persons_checked_total": "Persons checked",
    "persons_counted_total": "Persons counted by right to work",
    "referrals_total": "Victim referrals",
}


def published_report(year: int) -> AnnualReport | None:
    """The year's report if, and only if, it is published with frozen figures."""
    return (
        AnnualReport.objects.filter(year=year, state=ReportState.PUBLISHED, build__isnull=False)
        .select_related("build")
        .first()
    )


def _labels(build) -> dict:
    out = {}
    for language in ("sv", "en"):
        with translation.override(language):
            names = rendering.labels(build)
            names["total"] = {k: _(v) for k, v in TOTAL_LABELS.items()}
            # Choice labels are lazy: made text here, in this language.
            out[language] = {
                kind: {code: str(text) for code, text in mapping.items()}
                for kind, mapping in names.items()
            }
    return out


def _text(value) -> str:
    return str(value)


def _field(name, type_, description, unit=None) -> dict:
    field = {"name": name, "type": type_, "description": description}
    if unit:
        field["unit"] = unit
    if type_ == "integer" or type_ == "number":
        field["constraints"] = {"minimum": 0}
    return field


LABEL_FIELDS = [
    _field("code", "string", "Stable code / Stabil kod"),
    _field("label_sv", "string", "Swedish label / Benämning på svenska"),
    _field("label_en", "string", "English label / Benämning på engelska"),
]


def tables(build) -> dict[str, tuple[list[dict], list[list]]]:
    """Each table: its fields (Table Schema) and rows; a suppressed value is None."""
    f = build.figures
    names = _labels(build)

    def label(kind, code, language):
        if kind is None:
            return code
        return _text(names[language][kind].get(code, code))

    result: dict[str, tuple[list[dict], list[list]]] = {}
    result["totals"] = (
        [*LABEL_FIELDS, _field("value", "integer", "Count / Antal"), _field("unit", "string", "")],
        [
            [key, label("total", key, "sv"), label("total", key, "en"), f.get(key), unit]
            for key, unit in TOTALS
            if key in f
        ],
    )
    for key, kind, unit in MAPPINGS:
        mapping = f.get(key) or {}
        result[key] = (
            [*LABEL_FIELDS, _field("value", "integer", "Count / Antal", unit)],
            [
                [code, label(kind, code, "sv"), label(kind, code, "en"), value]
                for code, value in sorted(mapping.items())
            ],
        )
    result["findings_by_agency_category"] = (
        [
            _field("agency", "string", "Agency code / Myndighetens kod"),
            *LABEL_FIELDS,
            _field("value", "integer", "Findings / Avvikelser", "findings"),
        ],
        [
            [
                agency,
                category,
                label("category", category, "sv"),
                label("category", category, "en"),
                n,
            ]  # fmt: skip
            for agency, mapping in sorted((f.get("findings_by_agency_category") or {}).items())
            for category, n in sorted(mapping.items())
        ],
    )
    result["decisions_by_type"] = (
        [
            *LABEL_FIELDS,
            _field("count", "integer", "Decisions in force / Beslut som gäller", "decisions"),
            _field("amount_sek", "number", "Amount / Belopp", "SEK"),
        ],
        [
            [
                t,
                label("decision", t, "sv"),
                label("decision", t, "en"),
                v["count"],
                v["amount_sek"],
            ]  # fmt: skip
            for t, v in sorted((f.get("decisions_by_type") or {}).items())
        ],
    )
    result["inspections_by_operation"] = (
        [
            *LABEL_FIELDS,
            _field("inspections", "integer", "Inspections / Kontroller", "inspections"),
            _field("with_findings", "integer", "With findings / Med avvikelser", "inspections"),
            _field("employers", "integer", "Companies / Företag", "companies"),
        ],
        [
            [
                op,
                label("operation", op, "sv"),
                label("operation", op, "en"),
                v["inspections"],
                v["with_findings"],
                v["employers"],
            ]  # fmt: skip
            for op, v in sorted((f.get("inspections_by_operation") or {}).items())
        ],
    )
    sources = f.get("inspections_trend_source") or {}
    result["inspections_trend"] = (
        [
            _field("year", "year", "Year / År"),
            _field("value", "integer", "Inspections / Kontroller", "inspections"),
            _field(
                "source",
                "string",
                "akrim: counted in akrim; published: the figure the network published / "
                "akrim: räknad i akrim; published: siffran nätverket publicerade",
            ),
        ],
        [[int(y), v, sources.get(y, "akrim")] for y, v in sorted(f["inspections_trend"].items())],
    )
    result["change_from_previous_year"] = (
        [*LABEL_FIELDS, _field("value", "number", "Percent change / Förändring", "percent")],
        [
            [key, label("total", key, "sv"), label("total", key, "en"), pct]
            for key, pct in sorted((f.get("change_from_previous_year") or {}).items())
        ],
    )
    return result


def csv_text(fields: list[dict], rows: list[list]) -> str:
    """One table as CSV through the site's one export writer (no byte-order mark: the
    package states its encoding); a suppressed value is an empty cell."""
    return exports.csv_text(
        [field["name"] for field in fields], rows, bom=False, lineterminator="\n"
    )


def descriptor(report: AnnualReport) -> dict:
    build = report.build
    if build is None:  # only a report with frozen figures is published (reports.services)
        raise ValueError(f"The report {report.year} has no frozen figures.")
    rule = SUPPRESSION_RULE.format(k=build.suppressed_below)
    return {
        "name": f"lagesbild-{report.year}",
        "title": f"Lägesbild {report.year} – myndighetsgemensamt arbete mot arbetslivskriminalitet",
        "description": (
            f"The figures of the published situation report {report.year}, frozen "
            f"{build.finished_at:%Y-%m-%d}. {rule}"
        ),
        "version": f"{build.pk}",
        "licenses": [
            {
                "name": "CC0-1.0",
                "path": "https://creativecommons.org/publicdomain/zero/1.0/",
                "title": "Creative Commons Zero v1.0 Universal",
            }
        ],
        "keywords": ["arbetslivskriminalitet", "work-life crime", "Lägesbild"],
        "resources": [
            {
                "name": name,
                "path": f"{name}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": fields,
                    "missingValues": [""],
                    **(
                        {"primaryKey": ["agency", "code"]}
                        if name == "findings_by_agency_category"
                        else {"primaryKey": ["year"]}
                        if name == "inspections_trend"
                        else {"primaryKey": ["code"]}
                    ),  # fmt: skip
                },
                "description": rule,
            }
            for name, (fields, _rows) in tables(build).items()
        ],
    }


def files(report: AnnualReport) -> dict[str, bytes]:
    """Every file of the package by its name."""
    out = {
        "datapackage.json": json.dumps(descriptor(report), ensure_ascii=False, indent=2).encode()
    }
    for name, (fields, rows) in tables(report.build).items():
        out[f"{name}.csv"] = csv_text(fields, rows).encode("utf-8")
    return out


def as_zip(report: AnnualReport) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in files(report).items():
            archive.writestr(f"lagesbild-{report.year}/{name}", body)
    return buffer.getvalue()
