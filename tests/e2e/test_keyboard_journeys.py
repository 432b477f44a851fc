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
    assert link_target and link_target.startswith("#id_")
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
