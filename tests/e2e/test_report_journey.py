"""av.analyst builds the Lägesbild in the browser, watches it, reads it, downloads the PDF;
skv.staff reaches none of it."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from network.models import User
from reports import services
from reports.models import ReportBuild
from tests.e2e.conftest import DEMO_PASSWORD, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = DEMO_PASSWORD


@pytest.fixture
def demo_world(settings, tmp_path, year_2025):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    call_command("seed_demo", "--password", PASSWORD, "--quiet", "--people-only")


def test_analyst_builds_reads_and_downloads_the_lagesbild(
    live_server, page, screenshot, demo_world
):
    base = live_server.url
    log_in(page, base, "av.analyst")
    page.locator("nav a[href='/lagesbild/']").click()
    page.locator("form.request-build-form [name=year]").fill("2025")
    screenshot("1-request")
    page.locator("form.request-build-form button[type=submit]").click()
    page.wait_for_url(f"{base}/lagesbild/*/")
    # In-process Celery builds before the page is shown; the bar is then full at once, and
    # the page shows the report. With a worker, the bar moves and the page reloads itself.
    page.wait_for_selector("p.downloads", timeout=30000)
    build = ReportBuild.objects.get(year=2025, scope="network")
    assert (build.status, build.progress) == ("ready", 100)
    assert page.locator("svg.chart").count() == 4
    assert page.locator("#table-inspections_by_county").is_visible()
    screenshot("2-report")
    with page.expect_download() as download:
        page.locator("p.downloads a[href$='/pdf/']").click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    page.locator("form[data-logout] button").click()

    log_in(page, base, "skv.staff")
    assert page.locator("nav a[href='/lagesbild/']").count() == 0
    assert page.goto(f"{base}/lagesbild/").status == 404
    assert page.goto(f"{base}/lagesbild/{build.pk}/").status == 404
    assert page.goto(f"{base}/api/v1/reports/{build.pk}/").status == 404
    screenshot("3-skv-404")


def test_progress_bar_moves_while_a_build_runs(live_server, page, screenshot, demo_world):
    """A build still running when the page opens: the bar follows the row and the page shows
    the report when the build is ready."""
    base = live_server.url
    log_in(page, base, "av.analyst")
    build, _created = services.request_build(
        year=2025, actor=User.objects.get(username="av.analyst"), enqueue=False
    )
    services.claim_build(build.pk)
    ReportBuild.objects.filter(pk=build.pk).update(progress=40, stage="reading figures")
    page.goto(f"{base}/lagesbild/{build.pk}/")
    assert page.locator("progress").get_attribute("value") == "40"
    screenshot("1-running")
    ReportBuild.objects.filter(pk=build.pk).update(progress=70, stage="drawing charts and PDF")
    expect(page.locator("progress")).to_have_js_property("value", 70, timeout=10000)
    screenshot("2-moving")
    services.run_build(build.pk)
    page.wait_for_selector("p.downloads", timeout=15000)
    screenshot("3-ready")
