"""Building the Lägesbild: the task, its failure modes, the API, the outputs."""

import io
import subprocess
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from network.models import AuditEvent
from reports import services
from reports.models import BuildStatus, ReportBuild
from reports.tasks import build_lagesbild

pytestmark = pytest.mark.django_db


def test_request_queues_once_and_the_task_builds_once(
    av_analyst, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        first, created = services.request_build(year=2025, actor=av_analyst)
        again, created_again = services.request_build(year=2025, actor=av_analyst)
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert len(callbacks) == 1
    assert build_lagesbild.apply(args=[first.pk]).get() == "ready"
    assert build_lagesbild.apply(args=[first.pk]).get() == "already claimed"  # redelivery
    first.refresh_from_db()
    assert (first.status, first.progress, first.stage) == ("ready", 100, "ready")
    assert first.pdf.size > 1000


def test_an_exception_fails_the_build_with_the_error_shown(av_analyst):
    build, _created = services.request_build(year=2025, actor=av_analyst, enqueue=False)
    with mock.patch("reports.figures.compute", side_effect=ZeroDivisionError("division by zero")):
        assert build_lagesbild.apply(args=[build.pk]).get() == "failed"
    build.refresh_from_db()
    assert build.status == "failed"
    assert build.error == "ZeroDivisionError: division by zero"
    retry, created = services.request_build(year=2025, actor=av_analyst, enqueue=False)
    assert created
    assert retry.pk != build.pk


def test_a_build_whose_worker_died_can_be_requested_again(av_analyst, settings):
    settings.AKRIM_BUILD_STALE_SECONDS = 60
    build, _created = services.request_build(year=2025, actor=av_analyst, enqueue=False)
    assert services.claim_build(build.pk)  # a worker took it ... and was killed
    ReportBuild.objects.filter(pk=build.pk).update(
        heartbeat_at=timezone.now() - timedelta(minutes=5)
    )
    again, created = services.request_build(year=2025, actor=av_analyst, enqueue=False)
    assert created
    build.refresh_from_db()
    assert build.status == "failed"
    assert build.error
    assert build_lagesbild.apply(args=[again.pk]).get() == "ready"


def test_the_database_refuses_two_active_builds_of_one_year_and_scope(av_analyst):
    from django.db import IntegrityError, transaction

    services.request_build(year=2025, actor=av_analyst, enqueue=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportBuild.objects.create(year=2025, scope="network", status="running")


def test_transient_database_error_gives_the_build_back_and_retries(av_analyst):
    from django.db import OperationalError

    build, _created = services.request_build(year=2025, actor=av_analyst, enqueue=False)
    with (
        mock.patch("reports.figures.compute", side_effect=OperationalError("server closed")),
        pytest.raises(Exception),  # noqa: B017, PT011  (Celery's Retry in eager mode)
    ):
        build_lagesbild.apply(args=[build.pk], throw=True)
    build.refresh_from_db()
    assert build.status in {"queued", "ready"}  # given back (or already rebuilt by a retry)


def test_api_contract_shapes(api, av_analyst, ready):
    client = api.as_user(av_analyst)
    queued = client.post(reverse("report-list"), {"year": 2024}, format="json")
    assert queued.status_code == 202
    assert set(queued.json()) >= {"id", "year", "status", "progress"}
    status = client.get(reverse("report-detail", args=[ready.pk])).json()
    assert (status["status"], status["progress"]) == ("ready", 100)
    body = client.get(reverse("report-figures", args=[ready.pk])).json()
    assert (body["year"], body["suppressed_below"]) == (2025, 5)
    for key in (
        "inspections_total",
        "inspections_by_county",
        "inspections_by_sni_section",
        "inspections_with_findings",
        "findings_by_agency_category",
        "decisions_by_type",
        "persons_checked_total",
        "referrals_total",
    ):
        assert key in body["figures"]
    bad_year = client.post(reverse("report-list"), {"year": 1999}, format="json")
    assert bad_year.status_code == 400
    assert "year" in bad_year.json()


def test_downloads_are_checked_and_audited(api, av_analyst, ready, tmp_path):
    client = api.as_user(av_analyst)
    url = reverse("report-download", args=[ready.pk])
    pdf = client.get(url, {"format": "pdf"})
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    csv_body = client.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    assert csv_body.splitlines()[0] == "table,code,label,column,value"
    book = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))
    assert "inspections_by_county" in book.sheetnames
    html = client.get(url, {"format": "html"}).content.decode()
    assert "<svg" in html
    assert client.get(url, {"format": "docx"}).status_code == 404  # no such format
    assert AuditEvent.objects.filter(action="report.downloaded").count() == 4


def test_the_pdf_has_charts_and_tables(year_2025, ready, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(ready.pdf.open("rb").read())
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    for heading in ("Inspections by county", "Inspections per year", "Decisions in force, by type"):
        assert _swedish(heading) in text
    assert "Stockholms län" in text  # a chart's and a table's labels
    assert "Kontrollavgift" in text or "kontrollavgift" in text.lower()
    assert ".." in text  # small cells are hidden in the PDF too
    assert "12500" not in text  # the single control fee is a hidden cell
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
    )
    page = next(tmp_path.glob("page*.png"))
    assert page.stat().st_size > 5000  # a rendered page with a chart, not a blank one


def test_the_pdf_is_tagged_with_language_and_title_in_swedish_and_english(
    api, av_analyst, ready, tmp_path
):
    """PDF/UA: a structure tree, marked content, the document's language and its title; each
    chart is followed by the table of its numbers. Page 1 is kept as a PNG to look at."""
    import pikepdf

    client = api.as_user(av_analyst)
    url = reverse("report-download", args=[ready.pk])
    for language, title, table in (
        ("sv", "Lägesbild 2025", "Kontroller per år"),
        ("en", "Situation report 2025", "Inspections per year"),
    ):
        body = client.get(url, {"format": "pdf", "lang": language}).content
        path = tmp_path / f"report-{language}.pdf"
        path.write_bytes(body)
        with pikepdf.open(path) as pdf:
            assert "/StructTreeRoot" in pdf.Root
            assert pdf.Root.MarkInfo.Marked
            assert str(pdf.Root.Lang) == language
            assert title in str(pdf.docinfo.get("/Title", "")) or title in str(
                pdf.open_metadata().get("dc:title", "")
            )
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True
        ).stdout
        assert _swedish("Inspections per year") in text or table in text
        artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile", str(path),
             str(artifacts / f"lagesbild-page1-{language}")],
            check=True,
        )  # fmt: skip
        assert (artifacts / f"lagesbild-page1-{language}.png").stat().st_size > 5000
    html = client.get(url, {"format": "html", "lang": "en"}).content.decode()
    assert '<html lang="en">' in html
    assert "Key ratios per company" in html


def _swedish(text):
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override("sv"):
        return gettext(text)


def test_build_command(persona, capsys):
    result = call_command("build_lagesbild", "2025")
    assert "ready" in result
    assert ReportBuild.objects.get(scope="network").status == BuildStatus.READY
    with pytest.raises(CommandError, match="nope"):
        call_command("build_lagesbild", "2025", "--agency", "nope")


def test_report_page_shows_progress_then_the_report(client, av_analyst, ready):
    client.force_login(av_analyst)
    page = client.get(reverse("reports:build_detail", args=[ready.pk])).content.decode()
    assert "<svg" in page
    assert "table-inspections_by_county" in page
    running, _created = services.request_build(year=2024, actor=av_analyst, enqueue=False)
    page = client.get(reverse("reports:build_detail", args=[running.pk])).content.decode()
    assert "<progress" in page
    assert "report-progress.js" in page
