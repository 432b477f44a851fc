"""Importing planned inspections from a coordinator's spreadsheet: all rows or none."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from inspections.models import AgencyAssignment, Inspection

pytestmark = pytest.mark.django_db

HEADER = "arbetsställe;adress;kommun;län;sni;orgnr;datum;myndigheter"


def csv_file(lines, name="plan.csv"):
    return SimpleUploadedFile(name, ("\n".join([HEADER, *lines]) + "\n").encode("utf-8"))


def row(n, orgnr="5560360793", county="01", agencies="skv:on_site, polis:on_site"):
    return f"Bygge {n};Gatan {n};0180;{county};41.200;{orgnr};2026-05-{(n % 28) + 1:02d};{agencies}"


def post(api, user, upload, dry_run):
    return api.as_user(user).post(
        reverse("inspection-import-file"), {"file": upload, "dry_run": dry_run}, format="multipart"
    )


def test_dry_run_previews_and_writes_nothing(api, av_coordinator, employer):
    response = post(api, av_coordinator, csv_file([row(1), row(2)]), True)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["rows"] == 2 and body["errors"] == [] and body["created"] == []
    assert body["preview"][0]["agencies"] == ["skv:on_site", "polis:on_site"]
    assert not Inspection.objects.exists()


def test_one_bad_orgnr_imports_nothing_and_names_row_and_field(api, av_coordinator, employer):
    lines = [row(n) for n in range(1, 6)]
    lines[2] = row(3, orgnr="556036-0794")
    response = post(api, av_coordinator, csv_file(lines), False)
    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(4, "orgnr")]
    assert not Inspection.objects.exists()


def test_several_errors_are_all_reported(api, av_coordinator, employer):
    lines = [
        row(1, county="02"),
        row(2, agencies="skv:flying"),
        "Bygge 3;x;1x;01;restaurang;;2026-13-01;",
    ]
    errors = post(api, av_coordinator, csv_file(lines), True).json()["errors"]
    fields = {(e["row"], e["field"]) for e in errors}
    assert {
        (2, "county"),
        (3, "agencies"),
        (4, "municipality"),
        (4, "sni"),
        (4, "planned_date"),
    } <= fields


def test_thousand_rows_import_in_one_transaction(
    api, av_coordinator, employer, django_capture_on_commit_callbacks
):
    lines = [row(n) for n in range(1000)]
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(api, av_coordinator, csv_file(lines), False)
    assert response.status_code == 200, response.json()["errors"][:3]
    assert len(response.json()["created"]) == 1000
    assert Inspection.objects.count() == 1000
    assert AgencyAssignment.objects.count() == 2000
    assert len(callbacks) == 2000  # one notification per assignment, sent after commit


def test_xlsx_is_read_too(api, av_coordinator, employer):
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["Workplace", "Municipality", "County", "SNI", "orgnr", "planned_date", "Agencies"]
    )
    sheet.append(
        ["Restaurang Solen", 1280, 12, "56.100", "556036-0793", "2026-06-01", "polis:on_site"]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("plan.xlsx", buffer.getvalue())
    response = post(api, av_coordinator, upload, False)
    assert response.status_code == 200, response.json()
    inspection = Inspection.objects.get()
    assert (inspection.workplace.municipality, inspection.workplace.county.code) == ("1280", "12")


def test_wrong_file_type_and_missing_columns(api, av_coordinator):
    wrong = post(api, av_coordinator, SimpleUploadedFile("plan.pdf", b"%PDF"), True)
    assert wrong.status_code == 400 and "file" in wrong.json()
    headless = SimpleUploadedFile("plan.csv", b"name;date\nx;2026-01-01\n")
    missing = post(api, av_coordinator, headless, True)
    assert missing.status_code == 400 and "file" in missing.json()


def test_staff_cannot_import(api, skv_staff):
    assert post(api, skv_staff, csv_file([row(1)]), True).status_code == 403


def test_import_page_checks_first_and_then_imports_all(client, av_coordinator, employer):
    client.force_login(av_coordinator)
    url = reverse("inspections:inspection_import")
    assert client.get(url).status_code == 200
    bad = [row(1), row(2, orgnr="556036-0794")]
    response = client.post(url, {"file": csv_file(bad)})
    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.context["result"].errors] == [(3, "orgnr")]
    good = [row(1), row(2)]
    checked = client.post(url, {"file": csv_file(good)})
    assert checked.status_code == 200 and not Inspection.objects.exists()
    done = client.post(url, {"file": csv_file(good), "confirm": "on"})
    assert done.status_code == 302
    assert Inspection.objects.count() == 2


def test_import_page_is_for_coordinators(client, skv_staff):
    client.force_login(skv_staff)
    assert client.get(reverse("inspections:inspection_import")).status_code == 403
