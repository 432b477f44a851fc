"""Every CSV and XLSX download goes through network/exports.py, and no text a person typed
reaches a spreadsheet as a formula (CSV injection, OWASP)."""

import csv
import io
import pathlib
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases.coordination import services as case_services
from cases.referrals import services as referral_services
from cases.referrals.models import VictimReferral
from inspections.services import planning
from network import exports
from reports import rendering
from tests.inspections.conftest import WORKPLACE

pytestmark = pytest.mark.django_db

# Cells a spreadsheet would run, as OWASP lists them, with leading spaces and the full-width
# forms some programs fold to ASCII.
PAYLOADS = [
    '=HYPERLINK("http://evil.example","Klicka")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "   =1+1",
    "\uff1d1+1",
]
HARMLESS = ["Åkeri Väst AB", "Hagagatan 1", "2026-01-31", "12", "a=b", "e-post@example.se"]


def cells_of(csv_text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))) for cell in row]


def assert_neutralised(cells, payloads=PAYLOADS):
    """Each payload is present, and only as text: prefixed with the apostrophe."""
    for payload in payloads:
        assert "'" + payload in cells, payload
        assert payload not in cells, payload


def test_every_formula_start_is_neutralised_and_ordinary_text_is_not():
    for payload in PAYLOADS:
        assert exports.neutralise(payload) == "'" + payload
    for text in HARMLESS:
        assert exports.neutralise(text) == text
    assert exports.neutralise(-5) == -5  # a number stays a number
    assert exports.neutralise(None) == ""


def test_csv_and_xlsx_writers_neutralise_headers_and_cells():
    text = exports.csv_text(["=header"], [[p] for p in PAYLOADS])
    assert text.startswith("\ufeff")
    assert_neutralised(cells_of(text), [*PAYLOADS, "=header"])

    book = load_workbook(io.BytesIO(exports.xlsx_bytes([("Blad", [[p, 3] for p in PAYLOADS])])))
    sheet = book["Blad"]
    for row, payload in zip(sheet.iter_rows(), PAYLOADS, strict=True):
        assert row[0].data_type == "s"  # text, never a formula
        assert row[0].value == "'" + payload
        assert row[1].value == 3


def test_case_exports_in_the_browser_and_the_api(client, api, skv_staff):
    stored = [case_services.open_case(title=p, actor=skv_staff).title for p in PAYLOADS]
    client.force_login(skv_staff)
    page = client.get(reverse("cases:case_export")).content.decode("utf-8")
    body = api.as_user(skv_staff).get(reverse("case-export")).content.decode("utf-8")
    for text in (page, body):
        assert_neutralised(cells_of(text), stored)


def test_inspection_exports_in_the_browser_and_the_api(client, api, av_coordinator):
    """Workplace names and cities are free text typed by a coordinator."""
    stored = set()
    for payload in PAYLOADS:
        inspection = planning.plan_inspection(
            workplace={**WORKPLACE, "name": payload, "city": payload},
            planned_date=timezone.localdate() + timedelta(days=7),
            employers=[],
            actor=av_coordinator,
        )
        stored |= {inspection.workplace.name, inspection.workplace.city}
    client.force_login(av_coordinator)
    page = client.get(reverse("inspections:inspection_export")).content.decode("utf-8")
    body = api.as_user(av_coordinator).get(reverse("inspection-export")).content.decode("utf-8")
    for text in (page, body):
        assert_neutralised(cells_of(text), stored)


def test_htcds_csv_of_referrals_is_neutralised(api, skv_staff):
    """The person's language is free text; it used to reach the HTCDS CSV unescaped."""
    stored = []
    for payload in PAYLOADS:
        referral = referral_services.create_referral(
            person={"sex": "female", "language": payload[:40]},
            receiving_body="nspm_stodtelefon",
            consent={"support": True},
            actor=skv_staff,
        )
        stored.append(VictimReferral.objects.get(pk=referral.pk).language)
    response = api.as_user(skv_staff).get(reverse("referral-htcds"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert_neutralised(cells_of(response.content.decode("utf-8")), stored)


def test_report_csv_and_xlsx_are_neutralised(monkeypatch):
    """The report's tables carry names from the registers (agencies, counties); whatever
    they hold reaches the downloads only as text."""
    table = {
        "key": "totals",
        "title": PAYLOADS[0],
        "columns": ["=Figur", "=Värde"],
        "codes": [f"c{i}" for i in range(len(PAYLOADS))],
        "rows": [[payload, payload] for payload in PAYLOADS],
    }
    monkeypatch.setattr(rendering, "tables", lambda build: [table])
    assert_neutralised(cells_of(rendering.as_csv(build=None)))
    sheet = load_workbook(io.BytesIO(rendering.as_xlsx(build=None)))["totals"]
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert_neutralised(values, [*PAYLOADS, "=Figur"])
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


# --- the export walk: nothing writes CSV or a workbook except network/exports.py ------------

ROOT = pathlib.Path(__file__).resolve().parents[2]
APP_DIRS = ["bench", "cases", "config", "inspections", "network", "reports", "scripts"]
WRITERS = re.compile(
    r"csv\.(writer|DictWriter)\s*\(|\bWorkbook\s*\(|xlsxwriter|\.to_csv\s*\(|\.to_excel\s*\("
)
WRITER_HOME = ROOT / "network" / "exports.py"


def writer_uses(source: str) -> list[str]:
    return [m.group(0) for m in WRITERS.finditer(source)]


def test_the_walk_recognises_a_hand_written_export():
    """The check below can fail: each way of writing a download by hand is caught."""
    for snippet in (
        "w = csv.writer(out)",
        "w = csv.DictWriter(out, fieldnames=F)",
        "book = Workbook()",
        "frame.to_csv(path)",
    ):
        assert writer_uses(snippet), snippet


def test_every_export_goes_through_the_one_writer():
    bypasses = []
    for folder in APP_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts or path == WRITER_HOME:
                continue
            found = writer_uses(path.read_text(encoding="utf-8"))
            if found:
                bypasses.append(f"{path.relative_to(ROOT)}: {', '.join(found)}")
    assert bypasses == [], "Write CSV/XLSX through network/exports.py:\n" + "\n".join(bypasses)


def test_every_csv_action_of_the_api_answers_through_the_writer(api, skv_staff, av_coordinator):
    """Walk the routers: every API action that can answer text/csv is one of the exports
    tested above (a new one must be added here, and so gets a payload test)."""
    from config.urls import urlpatterns
    from network.renderers import CSVRenderer

    found = set()

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns)
                continue
            view = getattr(pattern.callback, "cls", None)
            actions = getattr(pattern.callback, "actions", None) or {}
            if view is None:
                continue
            for method_name in actions.values():
                handler = getattr(view, method_name, None)
                renderers = getattr(handler, "kwargs", {}).get("renderer_classes", ())
                if any(issubclass(r, CSVRenderer) for r in renderers):
                    found.add(pattern.name)

    walk(urlpatterns)
    assert found == {"case-export", "inspection-export", "referral-htcds"}
