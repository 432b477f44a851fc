"""A joint control in the browser: the coordinator plans it and assigns two agencies,
Skatteverket answers, records the visit and its results on a phone, the police read the
finding, and Försäkringskassan, not taking part, gets the same 404 as for nothing at all.

Fields are found by their `name` and buttons by their form's class, so the journey survives
translation; only the login page's labels (Django's own Swedish) are matched as text. The
demo world may hold inspections of its own, so ours is found by the reference on its page.
"""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.utils import timezone

from cases.employers.models import Employer
from cases.employers.services import register_employer
from inspections.models import Decision, Finding, Inspection
from inspections.services import decisions, follow_ups, lifecycle, operations, planning, results
from network.models import Agency, User
from tests.e2e.conftest import DEMO_PASSWORD, log_in, log_out
from tests.inspections.conftest import WORKPLACE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = DEMO_PASSWORD
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
# The elements sticking out on the right, to say what makes a page scroll sideways.
WIDER_THAN = """(width) => Array.from(document.querySelectorAll("body *"))
    .filter((element) => element.getBoundingClientRect().right > width)
    .slice(0, 5)
    .map((element) => `${element.tagName.toLowerCase()}.${element.className}`)"""


@pytest.fixture
def demo_world():
    call_command("seed_demo", "--password", PASSWORD, "--quiet", "--people-only")
    if not Employer.objects.filter(orgnr="5560360793").exists():
        register_employer(
            orgnr="5560360793",
            name="Bygg & Montage AB",
            actor=User.objects.get(username="av.coordinator"),
        )


DRAFT_COUNT = "Object.keys(localStorage).filter((k) => k.startsWith('akrim:draft:')).length"


def submit(page, form_selector):
    """Submit a form and wait for the page the server answers with."""
    with page.expect_navigation():
        page.locator(f"{form_selector} button[type=submit]").first.click()


def assert_accessible(page):
    """axe-core finds no WCAG 2.1 A/AA violation on the page as it is now."""
    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        },
    )
    assert results.violations_count == 0, results.generate_report()


def assert_no_sideways_scroll(page, width=PHONE["width"]):
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        culprits = page.evaluate(WIDER_THAN, width)
        pytest.fail(f"the page scrolls sideways at {width} px ({scroll_width} px): {culprits}")


# The longest journey (four people, two devices): more than the default 300 s on a loaded
# machine.
@pytest.mark.timeout(600)
def test_joint_inspection_from_plan_to_shared_finding(live_server, page, screenshot, demo_world):
    base = live_server.url
    today = timezone.localdate()
    page.set_viewport_size(DESKTOP)

    # av.coordinator plans the inspection ...
    log_in(page, base, "av.coordinator")
    page.goto(f"{base}/kontroller/")
    page.locator("a.button.primary[href='/kontroller/ny/']").click()
    form = page.locator("form.inspection-form")
    form.locator("[name=name]").fill("Kvarteret Hagastaden, hus B")
    form.locator("[name=address]").fill("Hagagatan 1")
    form.locator("[name=city]").fill("Göteborg")
    # The county narrows the municipalities to its own, by name.
    form.locator("[name=county]").select_option("14")
    municipalities = form.locator("[name=municipality] option").all_inner_texts()
    assert "Göteborg" in municipalities
    assert "Stockholm" not in municipalities
    form.locator("[name=municipality]").select_option(label="Göteborg")
    # What picking "Byggande av bostadshus ..." from the industry list puts in the field.
    form.locator("[name=sni]").fill("41.200 Byggande av bostadshus och andra byggnader")
    form.locator("[name=workplace_type]").select_option("building_site")
    form.locator("[name=planned_date]").fill(today.isoformat())
    # The employer is found by typing part of its name and picked from the list.
    employer = form.locator("[name=employer_1]")
    employer.press_sequentially("Bygg & Mon", delay=30)
    option = page.get_by_role("option", name=re.compile("Bygg & Montage AB"))
    option.wait_for()
    assert employer.get_attribute("aria-expanded") == "true"
    screenshot("01-plan-search")
    assert_accessible(page)
    employer.press("ArrowDown")
    employer.press("Enter")
    assert employer.input_value() == "Bygg & Montage AB (556036-0793)"
    form.locator("[name=role_1]").select_option(label="Underentreprenör")
    screenshot("01-plan")
    submit(page, "form.inspection-form")
    assert re.fullmatch(rf"{re.escape(base)}/kontroller/\d+/", page.url)
    reference = page.locator(".inspection-head .reference").inner_text().strip()
    inspection = Inspection.objects.get(reference=reference)
    detail_url = page.url
    main = page.locator("main").inner_text()
    assert "556036-0793" in main
    assert "Göteborg" in main
    assert "Västra Götalands län" in main
    assert inspection.workplace.municipality == "1480"
    assert inspection.inspectionemployer_set.get().role == "subcontractor"
    assert_accessible(page)

    # ... and assigns Skatteverket and the police, both on site.
    for code in ("skv", "polis"):
        assign = page.locator("form.assign-form")
        assign.locator("[name=agency]").select_option(code)
        assign.locator("[name=mode]").select_option("on_site")
        submit(page, "form.assign-form")
        assert page.url.endswith("#assignments")
    assert sorted(inspection.assignments.values_list("agency__code", "mode")) == [
        ("polis", "on_site"),
        ("skv", "on_site"),
    ]
    assert page.locator(".assignments > li").count() == 2
    screenshot("02-assigned")
    log_out(page, base)

    # skv.staff, on a phone, accepts and records the visit.
    page.set_viewport_size(PHONE)
    log_in(page, base, "skv.staff")
    page.goto(f"{base}/kontroller/")
    assert page.locator("table tbody tr", has_text=reference).count() == 1
    assert_no_sideways_scroll(page)
    screenshot("03-skv-list-phone")
    page.goto(detail_url)
    assert page.locator("form.respond-form").count() == 1
    assert_no_sideways_scroll(page)
    screenshot("04-skv-asked-phone")
    with page.expect_navigation():
        page.locator("form.respond-form button[value=accept]").click()
    assert page.locator("form.respond-form").count() == 0
    # The police accept too (at their desk): two agencies will report.
    planning.respond_to_assignment(
        inspection.assignments.get(agency__code="polis"),
        accept=True,
        actor=User.objects.get(username="polis.staff"),
    )

    # The results page records the visit right there, on the phone ...
    page.locator("a.results-link").click()
    page.wait_for_url(f"{detail_url}resultat/")
    visit = page.locator("form.visit-form")
    assert visit.locator("[name=performed_on]").input_value() == today.isoformat()
    visit.locator("[name=persons_checked]").fill("12")
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    screenshot("05-skv-visit-phone")
    submit(page, "form.visit-form")
    assert page.url.endswith("/resultat/#finding")
    inspection.refresh_from_db()
    assert (inspection.status, inspection.persons_checked) == ("performed", 12)
    screenshot("05-skv-performed-phone")
    finding_form = page.locator("form.finding-form")
    finding_form.locator("[name=category]").select_option("personalliggare_saknas")
    finding_form.locator("[name=severity][value=high]").check()
    finding_form.locator("[name=description]").fill("Ingen personalliggare fanns på bygget.")
    finding_form.locator("[name=legal_reference]").fill("SFL 39 kap. 11 §")
    assert_no_sideways_scroll(page)
    screenshot("06-results-finding-phone")

    # ... survives a reload before it is sent (the draft in localStorage) ...
    page.reload()
    finding_form = page.locator("form.finding-form")
    assert finding_form.locator("[name=description]").input_value() == (
        "Ingen personalliggare fanns på bygget."
    )
    assert finding_form.locator("[name=severity][value=high]").is_checked()
    assert finding_form.locator(".draft-note").is_visible()
    screenshot("07-results-draft-restored-phone")

    # ... and is saved; the server's answer clears the draft.
    submit(page, "form.finding-form")
    assert page.url.endswith("/resultat/#finding")
    finding = Finding.objects.get(inspection=inspection)
    assert (finding.agency.code, finding.category, finding.severity) == (
        "skv",
        "personalliggare_saknas",
        "high",
    )
    assert page.locator("form.finding-form [name=description]").input_value() == ""
    assert not page.locator("form.finding-form .draft-note").is_visible()
    drafts = page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('akrim:draft:'))")
    assert not [key for key in drafts if "-finding-" in key]

    # A control fee on it: the amount appears for fees only.
    decision_form = page.locator("form.decision-form")
    decision_form.locator("[name=finding]").select_option(str(finding.pk))
    decision_form.locator("[name=type]").select_option("forelaggande")
    assert not decision_form.locator("[name=amount_sek]").is_visible()
    decision_form.locator("[name=type]").select_option("kontrollavgift")
    assert decision_form.locator("[name=amount_sek]").is_visible()
    decision_form.locator("[name=amount_sek]").fill("12500")
    assert_no_sideways_scroll(page)
    screenshot("08-results-decision-phone")
    submit(page, "form.decision-form")
    assert page.url.endswith("/resultat/#decision")
    decision = Decision.objects.get(finding=finding)
    assert (decision.type, decision.amount_sek) == ("kontrollavgift", 12500)
    assert "12" in page.locator("#decision .amount").inner_text()
    assert_no_sideways_scroll(page)
    screenshot("09-results-saved-phone")
    # Something typed but not sent stays as a draft ... until the person logs out: a shared
    # tablet must not show the next person what the last one typed.
    page.locator("form.finding-form [name=description]").fill("Ej sparad anteckning")
    page.wait_for_function(DRAFT_COUNT + " > 0")
    assert_accessible(page)
    # Skatteverket reports; the police have not yet, so the control is not documented.
    submit(page, "form.results-submit-form")
    inspection.refresh_from_db()
    assert inspection.status == "performed"
    assert "Polismyndigheten" in page.locator("#results").inner_text()  # awaited
    screenshot("09b-skv-submitted-phone")
    log_out(page, base)
    assert page.evaluate(DRAFT_COUNT) == 0

    # polis.staff, on a tablet, reads Skatteverket's finding and its fee.
    page.set_viewport_size({"width": 768, "height": 1024})
    log_in(page, base, "polis.staff")
    page.goto(detail_url)
    findings = page.locator("#findings").inner_text()
    assert "Ingen personalliggare fanns på bygget." in findings
    assert "Skatteverket" in findings
    screenshot("10-polis-detail-tablet")
    # The second agency reports: now the control is documented.
    page.locator("a.results-link").click()
    page.wait_for_url(f"{detail_url}resultat/")
    submit(page, "form.results-submit-form")
    inspection.refresh_from_db()
    assert inspection.status == "documented"
    assert "Dokumenterad" in page.locator(".inspection-head").inner_text()
    assert_accessible(page)
    screenshot("10b-polis-documented-tablet")
    log_out(page, base)

    # fk.staff takes no part: the inspection does not exist for them.
    page.set_viewport_size(DESKTOP)
    log_in(page, base, "fk.staff")
    response = page.goto(detail_url)
    assert response.status == 404
    assert reference not in page.locator("main").inner_text()
    assert "Hagastaden" not in page.content()
    screenshot("11-fk-404")
    page.goto(f"{base}/kontroller/kalender/")
    assert reference not in page.locator("main").inner_text()


def test_calendar_board_and_follow_ups_on_a_phone(live_server, page, screenshot, demo_world):
    base = live_server.url
    today = timezone.localdate()
    coordinator = User.objects.get(username="av.coordinator")
    skv = User.objects.get(username="skv.staff")
    operation = operations.create_operation(
        title="Byggvecka i Stockholm (e2e)",
        period_start=today - timedelta(days=1),
        period_end=today + timedelta(days=5),
        selection_basis="risk_industry",
        focus_sni=["41.200"],
        actor=coordinator,
    )
    ours = planning.plan_inspection(
        workplace=WORKPLACE,
        planned_date=today,
        employers=["5560360793"],
        operation=operation,
        actor=coordinator,
    )
    assignment = planning.assign_agency(
        ours, agency=Agency.objects.get(code="skv"), mode="on_site", actor=coordinator
    )
    planning.respond_to_assignment(assignment, accept=True, actor=skv)
    secret_plan = planning.plan_inspection(
        workplace={**WORKPLACE, "name": "Restaurang Hemlig"},
        planned_date=today,
        operation=operation,
        actor=coordinator,
    )
    lifecycle.perform_inspection(ours, performed_on=today, persons_checked=4, actor=skv)
    follow_ups.add_follow_up(
        ours, title="Begär in personalliggaren (e2e)", due_date=today - timedelta(days=2), actor=skv
    )

    # skv.staff on a phone: the week, the operation, the overdue follow-up.
    page.set_viewport_size(PHONE)
    log_in(page, base, "skv.staff")
    page.goto(f"{base}/kontroller/kalender/")
    today_column = page.locator("li.day.today")
    assert today_column.locator(".calendar-item", has_text=ours.reference).count() == 1
    assert secret_plan.reference not in page.locator("main").inner_text()  # not assigned
    assert_no_sideways_scroll(page)
    screenshot("1-calendar-phone")
    page.locator(".week-pager a[rel=next]").click()
    assert ours.reference not in page.locator("main").inner_text()

    page.goto(f"{base}/kontroller/insatser/")
    board = page.locator("li.operation", has_text="Byggvecka i Stockholm (e2e)")
    assert board.locator(".answers-table").inner_text().count("Skatteverket") == 1
    assert page.locator("form.operation-form").count() == 0  # staff do not plan operations
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    screenshot("2-board-phone")

    page.goto(f"{base}/kontroller/uppfoljningar/?show=overdue")
    item = page.locator("tr.follow-up", has_text="Begär in personalliggaren (e2e)")
    assert item.count() == 1
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    screenshot("3-follow-ups-phone")
    with page.expect_navigation():
        item.locator("form.complete-form button[type=submit]").click()
    assert page.url.endswith("?show=overdue")
    assert page.locator("tr.follow-up", has_text="Begär in personalliggaren (e2e)").count() == 0
    log_out(page, base)

    # av.coordinator at a desk: both plans this week, and a new operation.
    page.set_viewport_size(DESKTOP)
    log_in(page, base, "av.coordinator")
    page.goto(f"{base}/kontroller/kalender/")
    main = page.locator("main").inner_text()
    assert ours.reference in main
    assert secret_plan.reference in main
    screenshot("4-calendar-desktop")
    page.goto(f"{base}/kontroller/insatser/")
    page.locator("#new-operation summary").click()
    form = page.locator("form.operation-form")
    form.locator("[name=title]").fill("Restaurangvecka (e2e)")
    form.locator("[name=centre]").select_option("stockholm")
    form.locator("[name=period_start]").fill((today + timedelta(days=14)).isoformat())
    form.locator("[name=period_end]").fill((today + timedelta(days=18)).isoformat())
    form.locator("[name=selection_basis]").select_option("risk_industry")
    form.locator("[name=focus_sni]").select_option(["56.1", "56.3"])  # by title, see sni-filter.js
    screenshot("5-new-operation")
    submit(page, "form.operation-form")
    card = page.locator("li.operation", has_text="Restaurangvecka (e2e)")
    assert card.count() == 1
    assert "Restaurangverksamhet" in card.inner_text()  # the focus industries by name
    assert_accessible(page)
    screenshot("6-board-desktop")
    # Cancelling is not a button on the card: it asks first, on a page of its own.
    assert card.locator("button[value=cancelled]").count() == 0
    card.locator(".more-actions a").click()
    page.locator("[name=reason]").fill("Inga inspektörer lediga den veckan.")
    assert_accessible(page)
    screenshot("7-cancel-confirm")
    submit(page, "form.operation-cancel-form")
    assert page.locator("li.operation", has_text="Restaurangvecka (e2e)").count() == 0
    page.locator("form.operation-filters [name=status]").select_option("cancelled")
    submit(page, "form.operation-filters")
    assert page.locator("li.operation", has_text="Restaurangvecka (e2e)").count() == 1
    screenshot("8-board-cancelled-filter")
    # The board sorts and pages like every list (network/tables.py); the filter stays.
    with page.expect_navigation():
        page.locator(".sort-bar a[href*='sort=title']").click()
    chosen = page.locator(".sort-bar a[aria-current=true]")
    assert "sort=-title" in chosen.get_attribute("href")  # the next click turns it round
    assert page.locator("li.operation", has_text="Restaurangvecka (e2e)").count() == 1
    assert_accessible(page)
    screenshot("9-board-sorted-by-title")
    # An old numbered link (before the keyset pager) opens the first page with its filter.
    page.goto(f"{base}/kontroller/insatser/?page=3&status=cancelled")
    assert "page=" not in page.url
    assert page.locator("li.operation", has_text="Restaurangvecka (e2e)").count() == 1


def test_skatteverket_withdraws_its_fee_on_the_inspection_page(
    live_server, page, screenshot, demo_world
):
    """A fee is withdrawn on appeal months after the control: the deciding agency's staff
    pick the next status on the inspection page and give the reason; nobody else is offered
    the form."""
    base = live_server.url
    today = timezone.localdate()
    coordinator = User.objects.get(username="av.coordinator")
    skv = User.objects.get(username="skv.staff")
    inspection = planning.plan_inspection(
        workplace={**WORKPLACE, "name": "Bygget vid Hagastaden (beslut)"},
        planned_date=today,
        employers=["5560360793"],
        actor=coordinator,
    )
    assignment = planning.assign_agency(
        inspection, agency=Agency.objects.get(code="skv"), mode="on_site", actor=coordinator
    )
    planning.respond_to_assignment(assignment, accept=True, actor=skv)
    lifecycle.perform_inspection(inspection, performed_on=today, persons_checked=3, actor=skv)
    finding = results.record_finding(inspection, category="personalliggare_saknas", actor=skv)
    decision = decisions.record_decision(
        finding, type="kontrollavgift", amount_sek=12500, actor=skv
    )

    page.set_viewport_size(DESKTOP)
    log_in(page, base, "skv.staff")
    page.goto(f"{base}/kontroller/{inspection.pk}/#decision-{decision.pk}")
    item = page.locator(f"#decision-{decision.pk}")
    item.locator("summary").click()
    options = item.locator("select[name=status] option").all_inner_texts()
    assert options[1:] == ["Överklagat", "Har vunnit laga kraft", "Betalt", "Återkallat"], options
    item.locator("select[name=status]").select_option("withdrawn")
    screenshot("decision-1-form")
    assert_accessible(page)
    # Without a reason: refused, with the field named, nothing changed.
    submit(page, f"#decision-{decision.pk} form.decision-status-form")
    item = page.locator(f"#decision-{decision.pk}")
    assert item.locator(".field-error").count() == 1
    assert item.locator(".decision-status").inner_text() == "Beslutat"
    item.locator("textarea[name=reason]").fill("Avgiften upphävd av förvaltningsrätten.")
    submit(page, f"#decision-{decision.pk} form.decision-status-form")
    item = page.locator(f"#decision-{decision.pk}")
    assert item.locator(".decision-status").inner_text() == "Återkallat"
    assert item.locator("form.decision-status-form").count() == 0  # the end of its way
    screenshot("decision-2-withdrawn")
    assert_accessible(page)
    decision.refresh_from_db()
    assert decision.status == "withdrawn"

    log_out(page, base)
    log_in(page, base, "av.coordinator")
    page.goto(f"{base}/kontroller/{inspection.pk}/")
    assert page.locator("form.decision-status-form").count() == 0
