"""The accessibility gate: every HTML page of akrim (tests/e2e/pages.py), opened in Chromium
as a person who may see it, has no axe-core violation of the WCAG 2.1 A and AA rules, on a
desktop and on a phone. Each role's start page is kept as a screenshot (test-artifacts/).

The world is built once for the module, and people are signed in by a session cookie made on
the server (their password and code steps are tested by test_login_journey and
test_two_factor_journey), so the gate stays a few minutes long.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

from network.models import User
from tests.conftest import AkrimClient
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.pages import NOT_PAGES, PAGES, build_world, named_urls

WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
START_PAGES = ["av.coordinator", "skv.staff", "av.analyst", "skv.auditor", "av.admin"]


def test_every_page_is_listed():
    """A new named URL must get an entry in PAGES (who sees it) or NOT_PAGES (why not)."""
    listed = set(PAGES) | set(NOT_PAGES)
    missing, stale = named_urls() - listed, listed - named_urls()
    assert not missing, f"add these to tests/e2e/pages.py: {sorted(missing)}"
    assert not stale, f"in tests/e2e/pages.py but not in the URL conf: {sorted(stale)}"
    assert not set(PAGES) & set(NOT_PAGES)


def sign_in(context, base_url: str, username: str) -> None:
    """Give the browser the session of `username`, past both login steps."""
    context.clear_cookies()
    if not username:
        return
    client = AkrimClient()
    client.force_login(User.objects.get(username=username))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


def violations_on(page, axe) -> list[str]:
    results = axe.run(page, options=WCAG_21_AA)
    found = []
    for violation in results.response["violations"]:
        targets = [" ".join(node["target"]) for node in violation["nodes"]][:3]
        found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found


@pytest.mark.e2e
@pytest.mark.timeout(1800)  # some forty pages on a shared two-core machine
@pytest.mark.django_db(transaction=True)
def test_every_page_passes_axe(live_server, browser):
    """Desktop width for every page; the start pages are checked on a phone as well (below)."""
    world = build_world()
    axe = Axe()
    context = browser.new_context(locale="sv-SE", bypass_csp=True, viewport=DESKTOP)
    page = context.new_page()
    failures = []
    current = None
    for name, entry in sorted(PAGES.items(), key=lambda item: (item[1].persona, item[0])):
        if entry.persona != current:
            sign_in(context, live_server.url, entry.persona)
            current = entry.persona
        response = page.goto(live_server.url + entry.url(name, world))
        if response is None or response.status != 200:
            status = response.status if response else "no answer"
            failures.append(f"{name} as {entry.persona or 'anonymous'}: HTTP {status}")
            continue
        failures += [f"{name}: {violation}" for violation in violations_on(page, axe)]
    context.close()
    assert not failures, "\n".join(failures)


@pytest.mark.e2e
@pytest.mark.timeout(900)
@pytest.mark.django_db(transaction=True)
def test_start_page_of_each_role(live_server, browser):
    """The inbox of each demo role, on a desktop and a phone, passes axe and is kept as a
    screenshot for people to look at."""
    build_world()
    ARTIFACTS.mkdir(exist_ok=True)
    axe = Axe()
    context = browser.new_context(locale="sv-SE", bypass_csp=True)
    page = context.new_page()
    failures = []
    for username in START_PAGES:
        sign_in(context, live_server.url, username)
        for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            page.goto(f"{live_server.url}/")
            assert page.locator("h1").inner_text().startswith("Välkommen")
            assert page.locator("#inbox-heading").is_visible()
            page.screenshot(path=str(ARTIFACTS / f"start-{username}-{label}.png"), full_page=True)
            failures += [f"{username} {label}: {v}" for v in violations_on(page, axe)]
    assert not failures, "\n".join(failures)
    # What waits for them in the built world is on their page, as links.
    sign_in(context, live_server.url, "skv.staff")
    page.goto(f"{live_server.url}/")
    assert page.locator("[data-inbox=follow_ups_due] a").count() >= 2
    context.close()


TABLETS = {"portrait": {"width": 820, "height": 1180}, "landscape": {"width": 1024, "height": 768}}


@pytest.mark.e2e
@pytest.mark.timeout(900)
@pytest.mark.django_db(transaction=True)
def test_no_list_hides_columns_on_a_tablet(live_server, browser):
    """Every page with a list, on a tablet either way round: no table is wider than its frame
    (its last columns would sit out of sight behind a sideways scroll); a table that would be
    is drawn as cards (static/js/akrim.js), which pass axe too. On a desktop the case list
    stays a table."""
    world = build_world()
    ARTIFACTS.mkdir(exist_ok=True)
    axe = Axe()
    context = browser.new_context(locale="sv-SE", bypass_csp=True)
    page = context.new_page()
    failures, carded = [], set()
    # A frame marked as a scrollable region (a wide table of figures, reachable by keyboard)
    # scrolls on purpose; every other frame must show its whole table.
    frames = """() => [...document.querySelectorAll('.table-wrap:not([role=region])')].map(f => ({
        hidden: f.scrollWidth - f.clientWidth,
        cards: f.querySelector('table.as-cards') !== null}))"""
    current = None
    for name, entry in sorted(PAGES.items(), key=lambda item: (item[1].persona, item[0])):
        if entry.persona != current:
            sign_in(context, live_server.url, entry.persona)
            current = entry.persona
        for label, viewport in TABLETS.items():
            page.set_viewport_size(viewport)
            page.goto(live_server.url + entry.url(name, world))
            found = page.evaluate(frames)
            if not found:
                break  # no list on this page
            for frame in found:
                if frame["hidden"] > 1:
                    failures.append(f"{name} ({label}): {frame['hidden']} px out of sight")
            if any(frame["cards"] for frame in found):
                carded.add((name, label))
                failures += [f"{name} {label}: {v}" for v in violations_on(page, axe)]
            if name in {"cases:case_list", "inspections:inspection_list"}:
                page.screenshot(path=str(ARTIFACTS / f"tablet-{name.split(':')[1]}-{label}.png"))
    # The world's lists are wide enough that some become cards on a tablet in portrait: the
    # check above saw the cards, not only tables that happened to fit.
    assert ("inspections:inspection_list", "portrait") in carded, sorted(carded)
    sign_in(context, live_server.url, "skv.staff")
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + PAGES["cases:case_list"].url("cases:case_list", world))
    assert page.locator("table.list-table").count() == 1
    assert page.locator("table.list-table.as-cards").count() == 0
    # Sorting stays at hand on cards: the sortable headers are a bar of links.
    page.set_viewport_size(PHONE)
    page.wait_for_function("document.querySelector('table.list-table.as-cards') !== null")
    assert page.locator("thead a.sort-link").first.is_visible()
    context.close()
    assert not failures, "\n".join(failures)
