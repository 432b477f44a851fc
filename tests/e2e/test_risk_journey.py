"""Risk-based selection in the browser: av.coordinator opens the candidates for Stockholm and
construction, reads why the first candidate ranks first (its factors add up to its score),
and plans three of them — two from the ranking, one from the random draw — into an
operation. The same page is checked on a phone.

The world is the demo's risk step (inspections.demo.seed_risk) on top of the demo people.
Fields are found by `name` and forms by class, so the journey survives translation.
"""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from inspections.demo import seed_risk
from inspections.models import ControlOperation, Inspection
from network.demo import DemoContext
from tests.e2e.conftest import ARTIFACTS, DEMO_PASSWORD, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = DEMO_PASSWORD
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def risk_world():
    call_command("seed_demo", "--password", PASSWORD, "--quiet", "--people-only")
    today = timezone.localdate()
    seed_risk(DemoContext(password=PASSWORD, year=today.year - 1, log=lambda _m: None))


def number(text: str) -> float:
    # A score reads "200 poäng av 390": the number is the first word.
    return float(text.split()[0].replace("\u2212", "-").replace(",", "."))


def test_coordinator_ranks_reads_why_and_plans_three(live_server, page, screenshot, risk_world):
    base = live_server.url
    page.set_viewport_size(DESKTOP)
    log_in(page, base, "av.coordinator")

    # The menu leads to the candidates; Stockholm is the coordinator's centre.
    page.locator("nav .nav a[href='/kontroller/urval/']").click()
    expect(page.locator("select[name=centre]")).to_have_value("stockholm")
    page.locator("input[name=industries][value=construction]").check()
    page.locator("input[name=limit]").fill("12")  # 10 by score, 2 drawn at random
    with page.expect_navigation():
        page.locator(".risk-query-form button[type=submit]").click()
    candidates = page.locator("li.candidate")
    expect(candidates.first).to_be_visible()
    assert candidates.count() == 12
    screenshot("candidates")

    # Why first: the breakdown lists each factor; the points add up to the score.
    first = candidates.first
    assert first.locator(".rank").inner_text() == "1"
    expect(first.locator("h3")).to_have_text("Bygget Hammarby Sjöstad etapp 3")
    first.locator("details.breakdown summary").click()
    table = first.locator(".factor-table")
    expect(table).to_be_visible()
    points = [number(t) for t in table.locator("td.points").all_inner_texts()]
    total = number(table.locator("td.total").inner_text())
    assert len(points) == 7
    assert sum(points) == total == number(first.locator(".score").inner_text())
    assert total > number(candidates.nth(1).locator(".score").inner_text())
    explanations = table.locator("tbody tr").all_inner_texts()
    assert any("SNI 41.200" in row for row in explanations)  # industry weight, with its code
    ARTIFACTS.mkdir(exist_ok=True)
    first.screenshot(path=str(ARTIFACTS / "test_risk_journey-why-first.png"))

    # Employers link to their profile, where the tips that name them wait to be linked.
    profile_link = first.locator(".candidate-employers a").first
    assert re.search(r"/kontroller/arbetsgivare/\d{10}/$", profile_link.get_attribute("href"))

    # Plan three: the top two of the ranking and the first drawn at random.
    drawn = page.locator("li.candidate.basis-random_in_risk_industry")
    expect(drawn.first).to_be_visible()
    picks = [first, candidates.nth(1), drawn.first]
    names = [c.locator("h3").inner_text() for c in picks]
    for candidate in picks:
        candidate.locator("input[name=picks]").check()
    operation = ControlOperation.objects.get(title="Riskurval bygg Stockholm")
    page.locator("select[name=operation]").select_option(str(operation.pk))
    planned_on = timezone.localdate() + timedelta(days=3)
    page.locator("input[name=planned_date]").fill(planned_on.isoformat())
    screenshot("picked")
    with page.expect_navigation():
        page.locator(".plan-form .plan-card button[type=submit]").click()

    assert re.search(rf"/kontroller/insatser/#operation-{operation.pk}$", page.url)
    planned = list(
        Inspection.objects.filter(operation=operation).select_related("workplace").order_by("id")
    )
    assert [i.workplace.name for i in planned] == names
    assert [i.selection_basis for i in planned] == [
        "risk_ranking",
        "risk_ranking",
        "random_in_risk_industry",
    ]
    assert all(i.planned_date == planned_on for i in planned)
    message = page.locator(".messages .message.success")
    for inspection in planned:
        expect(message).to_contain_text(inspection.reference)
    screenshot("planned")

    # The planned ones are no longer candidates for that period; the page works on a phone.
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/kontroller/urval/?centre=stockholm&industries=construction&limit=12")
    expect(page.locator("li.candidate").first).to_be_visible()
    shown = page.locator("li.candidate h3").all_inner_texts()
    assert not set(names) & set(shown)
    page.locator("li.candidate").first.locator("details.breakdown summary").click()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"the page scrolls sideways ({scroll_width} px)"
    screenshot("phone")
