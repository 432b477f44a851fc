"""Import planned inspections from a coordinator's spreadsheet (CSV or XLSX).

All or nothing: every row is checked first, and a file with any error writes nothing and
reports each bad row and field. A dry run checks and previews without writing.

Columns (header names in Swedish or English, any order, case-insensitive):
workplace/arbetsställe, address/adress, city/ort, municipality/kommun (4 digits),
county/län (2 digits), sni, orgnr (several separated by ';'), planned_date/datum
(YYYY-MM-DD), agencies/myndigheter ("skv:on_site; polis:on_site; migr:desk"),
workplace_type/typ (optional). Lists inside a cell are separated by ';', ',' or '|'.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from cases.employers.models import Employer
from inspections import services
from inspections.choices import ParticipationMode, WorkplaceType
from inspections.models import Workplace
from network.identifiers import parse_orgnr
from network.models import Agency, County

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
HEADERS = {
    "workplace": "name",
    "arbetsställe": "name",
    "arbetsstalle": "name",
    "address": "address",
    "adress": "address",
    "city": "city",
    "ort": "city",
    "municipality": "municipality",
    "kommun": "municipality",
    "county": "county",
    "län": "county",
    "lan": "county",
    "sni": "sni",
    "orgnr": "orgnr",
    "planned_date": "planned_date",
    "datum": "planned_date",
    "agencies": "agencies",
    "myndigheter": "agencies",
    "workplace_type": "workplace_type",
    "typ": "workplace_type",
}
REQUIRED = ("name", "municipality", "county", "sni", "planned_date")
COLUMN_OF = {"street_address": "address", "name": "workplace"}


@dataclass
class ImportResult:
    rows: int = 0
    errors: list[dict] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    created: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_rows(upload) -> list[dict]:
    """The file's rows as dicts keyed by our column names (row numbers as in the file)."""
    name = (upload.name or "").lower()
    if upload.size > MAX_BYTES:
        raise ValidationError({"file": [_("The file is too large (at most 5 MB).")]})
    if name.endswith(".xlsx"):
        try:
            sheet = load_workbook(upload, read_only=True, data_only=True).active
        except Exception:
            raise ValidationError(
                {"file": [_("The file is not a readable XLSX workbook.")]}
            ) from None
        table = [list(row) for row in sheet.iter_rows(values_only=True)]
    elif name.endswith(".csv"):
        text = upload.read().decode("utf-8-sig", errors="replace")
        first_line = text.split("\n", 1)[0]
        delimiter = max(";,\t", key=first_line.count)
        table = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    else:
        raise ValidationError({"file": [_("Upload a .csv or .xlsx file.")]})
    if not table:
        raise ValidationError({"file": [_("The file is empty.")]})
    header = [HEADERS.get(str(h or "").strip().lower(), "") for h in table[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValidationError({"file": [_("Missing columns: %(c)s.") % {"c": ", ".join(missing)}]})
    rows = []
    for number, values in enumerate(table[1:], start=2):
        if not any(str(v or "").strip() for v in values):
            continue
        row = {"_row": number}
        for key, value in zip(header, values, strict=False):
            if key:
                row[key] = value
        rows.append(row)
    if len(rows) > MAX_ROWS:
        raise ValidationError({"file": [_("At most %(n)s rows per file.") % {"n": MAX_ROWS}]})
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _items(value) -> list[str]:
    """A list in one cell, separated by ';', ',' or '|' (whichever the file's own column
    separator leaves free)."""
    return [p.strip() for p in re.split(r"[;,|]", _text(value)) if p.strip()]


def _check_row(row: dict, counties: dict, agencies: dict, known: dict) -> tuple[dict, list]:
    """Validate one row without writing; returns (plan arguments, errors)."""
    errors = []

    def error(field_name, message):
        errors.append({"row": row["_row"], "field": field_name, "message": str(message)})

    name = _text(row.get("name"))
    if not name:
        error("workplace", _("Enter the workplace name."))
    municipality = _text(row.get("municipality")).zfill(4)
    if not (municipality.isdigit() and len(municipality) == 4):
        error("municipality", _("Enter the four-digit municipality code."))
    county = _text(row.get("county")).zfill(2)
    if county not in counties:
        error("county", _("Choose a county code, 01-25."))
    sni = _text(row.get("sni"))
    planned = row.get("planned_date")
    if isinstance(planned, datetime):
        planned = planned.date()
    elif not isinstance(planned, date):
        try:
            planned = date.fromisoformat(_text(planned))
        except ValueError:
            error("planned_date", _("Enter the date as YYYY-MM-DD."))
    workplace_type = _text(row.get("workplace_type")) or WorkplaceType.PREMISES
    # The model's own validators decide what a valid workplace is (SNI, type, lengths).
    try:
        Workplace(
            name=name,
            street_address=_text(row.get("address")),
            city=_text(row.get("city")),
            municipality=municipality,
            county=counties.get(county),
            sni=sni,
            workplace_type=workplace_type,
        ).full_clean(exclude=["county", "name", "municipality"])
    except ValidationError as exc:
        for field_name, messages in exc.message_dict.items():
            for message in messages:
                error(COLUMN_OF.get(field_name, field_name), message)
    employers = []
    for raw in _items(row.get("orgnr")):
        try:
            digits = parse_orgnr(raw).digits
        except ValidationError as exc:
            error("orgnr", f"{raw}: {' '.join(exc.messages)}")
            continue
        if digits not in known:
            error(
                "orgnr",
                _("%(orgnr)s: no employer with this number is registered.") % {"orgnr": raw},
            )
            continue
        employers.append(digits)
    assignments = []
    for part in _items(row.get("agencies")):
        code, _sep, mode = part.partition(":")
        code, mode = code.strip().lower(), (mode.strip().lower() or ParticipationMode.ON_SITE)
        if code not in agencies:
            error("agencies", _("Unknown agency: %(code)s.") % {"code": code})
        elif any(agency.code == code for agency, _mode in assignments):
            error("agencies", _("%(code)s is listed twice.") % {"code": code})
        elif mode not in ParticipationMode.values:
            error("agencies", _("Unknown participation %(mode)s.") % {"mode": mode})
        else:
            assignments.append((agencies[code], mode))
    plan = {
        "workplace": {
            "name": name,
            "address": _text(row.get("address")),
            "city": _text(row.get("city")),
            "municipality": municipality,
            "county": county,
            "sni": sni,
            "workplace_type": workplace_type,
        },
        "planned_date": planned,
        "employers": employers,
        "assignments": assignments,
    }
    return plan, errors


def import_inspections(upload, *, actor, dry_run: bool) -> ImportResult:
    """Check every row; write all of them in one transaction only if none has an error."""
    if not actor.has_perm("inspections.add_inspection"):
        raise PermissionDenied(_("Only coordinators import inspections."))
    rows = read_rows(upload)
    counties = {c.code: c for c in County.objects.all()}
    agencies = {a.code: a for a in Agency.objects.filter(active=True)}
    wanted = set()
    for row in rows:
        for raw in _items(row.get("orgnr")):
            try:
                wanted.add(parse_orgnr(raw).digits)
            except ValidationError:
                pass
    known = dict(Employer.objects.filter(orgnr__in=wanted).values_list("orgnr", "pk"))
    result = ImportResult(rows=len(rows))
    plans = []
    for row in rows:
        plan, errors = _check_row(row, counties, agencies, known)
        result.errors.extend(errors)
        plans.append(plan)
        result.preview.append(
            {
                "row": row["_row"],
                "workplace": plan["workplace"]["name"],
                "planned_date": str(plan["planned_date"]),
                "agencies": [f"{a.code}:{m}" for a, m in plan["assignments"]],
            }
        )
    if dry_run or result.errors:
        return result
    with transaction.atomic():
        for plan in plans:
            inspection = services.plan_inspection(
                workplace=plan["workplace"],
                planned_date=plan["planned_date"],
                employers=plan["employers"],
                actor=actor,
            )
            for agency, mode in plan["assignments"]:
                services.assign_agency(inspection, agency=agency, mode=mode, actor=actor)
            result.created.append(inspection.reference)
    return result
