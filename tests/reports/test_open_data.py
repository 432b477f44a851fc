"""The published report's figures as open data: public only once published, a valid
Frictionless package, suppressed figures only."""

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse

from reports import services
from reports.models import AnnualReport

pytestmark = pytest.mark.django_db

STEPS = ["figures_frozen", "agency_review", "decided", "submitted", "published"]


def _move(report, actor, until):
    for state in STEPS[: STEPS.index(until) + 1]:
        report = services.move_report(report, state=state, actor=actor)
    return report


def _urls(year):
    return [
        reverse("reports:open_data", args=[year]),
        reverse("reports:open_data_file", args=[year, "datapackage.json"]),
        reverse("reports:open_data_file", args=[year, "totals.csv"]),
        reverse("reports:open_data_file", args=[year, f"lagesbild-{year}.zip"]),
    ]


def test_an_unpublished_years_package_is_404_for_everyone(
    client, year_2025, ready, av_analyst, persona
):
    report = _move(services.get_or_create_report(2025), av_analyst, "submitted")
    for user in (None, av_analyst, persona("av", "coordinator"), persona("skv", "staff")):
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in _urls(2025):
            assert client.get(url).status_code == 404, (user, url)
    assert report.state == "submitted"
    assert client.get(reverse("reports:open_data", args=[2019])).status_code == 404


def test_the_published_package_is_public_valid_and_suppressed(
    client, year_2025, ready, av_analyst, tmp_path
):
    from frictionless import validate

    _move(services.get_or_create_report(2025), av_analyst, "published")
    page = client.get(reverse("reports:open_data", args=[2025]))  # anonymous
    assert page.status_code == 200
    archive = client.get(_urls(2025)[3])
    assert archive.status_code == 200
    assert archive["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.content)) as package:
        package.extractall(tmp_path)
    folder = tmp_path / "lagesbild-2025"
    descriptor = json.loads((folder / "datapackage.json").read_text())
    assert "suppressed" in descriptor["description"]
    names = {r["name"] for r in descriptor["resources"]}
    assert {"totals", "inspections_by_county", "persons_by_nationality"} <= names
    report = validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    # The figures are the frozen, suppressed ones: the single control fee is an empty cell.
    rows = list(csv.DictReader(io.StringIO((folder / "decisions_by_type.csv").read_text())))
    fee = next(r for r in rows if r["code"] == "kontrollavgift")
    assert fee["count"] == ""
    assert fee["amount_sek"] == ""
    assert fee["label_sv"] == "Kontrollavgift"
    assert fee["label_en"] == "Control fee"
    counties = list(csv.DictReader(io.StringIO((folder / "inspections_by_county.csv").read_text())))
    assert {r["code"] for r in counties} == {"01", "12"}
    assert all(r["value"] == "" for r in counties)  # 2 and 1 are small cells at k=5
    frozen = AnnualReport.objects.get(year=2025).build
    assert descriptor["version"] == str(frozen.pk)
    csv_file = client.get(_urls(2025)[2])
    assert csv_file.status_code == 200
    assert csv_file.content.decode().startswith("code,")
