"""Keyboard only: a person who does not use a mouse sends a tip, corrects the error the form
points out, and gets a receipt. Every step is a key press (Tab, typing, Enter, Space); no
click and no `fill`, so a field that cannot be reached or a button that cannot be pressed
from the keyboard fails the journey."""

import pytest

from cases.models import Tip

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ACTIVE = "() => { const e = document.activeElement; return e ? (e.name || e.id || e.tagName) : '' }"


def tab_to(page, name: str, limit: int = 60) -> None:
    """Press Tab until the element named `name` has the focus."""
    for _ in range(limit):
        if page.evaluate(ACTIVE) == name:
            return
        page.keyboard.press("Tab")
    pytest.fail(f"{name} cannot be reached with Tab")


def test_tip_form_by_keyboard_alone(live_server, page, settings, screenshot):
    settings.AKRIM_TIP_MIN_SECONDS = 0
    page.goto(f"{live_server.url}/tips/")
    tab_to(page, "description")
    page.keyboard.type("Personalen sover i köket och får ingen lön.")
    # Sent with the address and municipality left empty: the summary takes the focus.
    tab_to(page, "seen_when")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Enter in a text field sends the form
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    screenshot("errors")
    # The summary's first link leads to the field; typing there fills it.
    page.keyboard.press("Tab")
    link_target = page.evaluate("() => document.activeElement.getAttribute('href')")
    assert link_target
    assert link_target.startswith("#id_")
    page.keyboard.press("Enter")
    assert page.evaluate("() => '#' + document.activeElement.id") == link_target
    assert link_target == "#id_address"
    page.keyboard.type("Storgatan 1")
    tab_to(page, "municipality")
    page.keyboard.type("Malmö")
    tab_to(page, "industry")
    page.keyboard.press("ArrowDown")  # a kind of business, chosen with the arrow keys
    before = Tip.objects.count()
    with page.expect_navigation():
        tab_to(page, "seen_when")
        page.keyboard.press("Enter")
    assert Tip.objects.count() == before + 1
    assert Tip.objects.latest("received_at").code in page.content()
    screenshot("receipt")


FOCUSED = "(selector) => { const e = document.activeElement; return !!e && e.matches(selector) }"


def tab_to_element(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        if page.evaluate(FOCUSED, selector):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"{selector} cannot be reached with Tab")


def test_results_form_by_keyboard_alone(live_server, page, screenshot):
    """Skatteverket's staff member, accepted on site, records the visit, a finding and sends
    the agency's results from the results page with the keyboard only."""
    from django.core.management import call_command
    from django.utils import timezone

    from cases.employers.services import register_employer
    from inspections.models import Finding, Inspection
    from inspections.services import planning
    from network.models import Agency, User
    from tests.e2e.conftest import DEMO_PASSWORD, log_in
    from tests.e2e.test_inspection_journey import assert_accessible
    from tests.inspections.conftest import WORKPLACE

    call_command("seed_demo", "--password", DEMO_PASSWORD, "--quiet", "--people-only")
    coordinator = User.objects.get(username="av.coordinator")
    employer = register_employer(orgnr="5560360793", name="Bygg & Montage AB", actor=coordinator)
    inspection = planning.plan_inspection(
        workplace=WORKPLACE,
        planned_date=timezone.localdate(),
        employers=[{"orgnr": employer.orgnr, "role": "employer"}],
        actor=coordinator,
    )
    for code in ("skv", "polis"):
        assignment = planning.assign_agency(
            inspection, agency=Agency.objects.get(code=code), mode="on_site", actor=coordinator
        )
        planning.respond_to_assignment(
            assignment, accept=True, actor=User.objects.get(username=f"{code}.staff")
        )
    base = live_server.url
    log_in(page, base, "skv.staff")
    page.goto(f"{base}/kontroller/{inspection.pk}/resultat/")

    # The visit: the date is filled in with today; the number of persons is typed.
    tab_to_element(page, "form.visit-form [name=persons_checked]")
    page.keyboard.type("7")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    inspection.refresh_from_db()
    assert (inspection.status, inspection.persons_checked) == ("performed", 7)

    # A finding: a category with the arrow keys, a severity with the space bar, the text.
    tab_to_element(page, "form.finding-form [name=category]")
    page.keyboard.press("ArrowDown")
    tab_to_element(page, "form.finding-form [name=severity]")
    page.keyboard.press("Space")
    tab_to_element(page, "form.finding-form [name=description]")
    page.keyboard.type("Personalliggaren saknades på arbetsplatsen.")
    tab_to_element(page, "form.finding-form button[type=submit]")
    screenshot("finding")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    finding = Finding.objects.get(inspection=inspection)
    assert finding.agency.code == "skv"
    assert finding.category
    assert finding.severity
    assert finding.description == "Personalliggaren saknades på arbetsplatsen."

    # The agency's results are sent with a key press.
    tab_to_element(page, "form.results-submit-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assignment = Inspection.objects.get(pk=inspection.pk).assignments.get(agency__code="skv")
    assert assignment.results_submitted_at is not None
    assert Inspection.objects.get(pk=inspection.pk).status == "performed"  # polis has not yet
    assert_accessible(page)
    screenshot("submitted")
