"""A presumed victim met at a joint control, referred for support in the browser.

Skatteverket's inspector, on a phone, follows "refer" from the trafficking finding and refers
the person to the NSPM support line without any personnummer; Jämställdhetsmyndigheten finds
the referral, sees it masked, and reveals the identity for a stated purpose; Försäkringskassan
gets the same 404 as for nothing at all.

Fields are found by their `name` and buttons by their form's class, so the journey survives
translation; only the login page's labels (Django's own Swedish) are matched as text.
"""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.employers.models import Employer
from cases.employers.services import register_employer
from cases.referrals.models import VictimReferral
from inspections.services import lifecycle, planning, results
from network.models import Agency, AuditEvent, User
from tests.e2e.conftest import DEMO_PASSWORD, log_in, log_out
from tests.inspections.conftest import WORKPLACE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = DEMO_PASSWORD
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
NAME = "Olena Kovalenko"
PURPOSE = "Stödtelefonen ska ringa upp personen om skyddat boende"
WIDER_THAN = """(width) => Array.from(document.querySelectorAll("body *"))
    .filter((element) => element.getBoundingClientRect().right > width)
    .slice(0, 5)
    .map((element) => `${element.tagName.toLowerCase()}.${element.className}`)"""


@pytest.fixture
def inspection():
    """A performed joint control with Skatteverket on site, and its trafficking finding."""
    call_command("seed_demo", "--password", PASSWORD, "--quiet", "--people-only")
    coordinator = User.objects.get(username="av.coordinator")
    skv = User.objects.get(username="skv.staff")
    if not Employer.objects.filter(orgnr="5560360793").exists():
        register_employer(orgnr="5560360793", name="Bygg & Montage AB", actor=coordinator)
    today = timezone.localdate()
    inspection = planning.plan_inspection(
        workplace=WORKPLACE, planned_date=today, employers=["5560360793"], actor=coordinator
    )
    assignment = planning.assign_agency(
        inspection, agency=Agency.objects.get(code="skv"), mode="on_site", actor=coordinator
    )
    planning.respond_to_assignment(assignment, accept=True, actor=skv)
    lifecycle.perform_inspection(inspection, performed_on=today, persons_checked=6, actor=skv)
    results.record_finding(
        inspection,
        category="indikator_manniskohandel",
        severity="high",
        description="Arbetsledaren har passen; arbetarna sover i containern på bygget.",
        actor=skv,
    )
    return inspection


def assert_no_sideways_scroll(page, width=PHONE["width"]):
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        culprits = page.evaluate(WIDER_THAN, width)
        pytest.fail(f"the page scrolls sideways at {width} px ({scroll_width} px): {culprits}")


def test_a_victim_is_referred_from_an_inspection_and_revealed_only_with_a_purpose(
    live_server, page, screenshot, inspection
):
    base = live_server.url

    # skv.staff, on a phone at the workplace, follows "refer" from the trafficking finding.
    page.set_viewport_size(PHONE)
    log_in(page, base, "skv.staff")
    page.goto(f"{base}/kontroller/{inspection.pk}/")
    refer = page.locator(f"#findings a[href='/hanvisningar/ny/?inspection={inspection.pk}']")
    assert refer.count() == 1
    assert_no_sideways_scroll(page)
    screenshot("1-inspection-finding-phone")
    refer.click()
    page.wait_for_url(f"{base}/hanvisningar/ny/?inspection={inspection.pk}")
    assert inspection.reference in page.locator(".origin").inner_text()

    # ... and refers the person: no personnummer, the NSPM support line, consent to support.
    form = page.locator("form.referral-form")
    assert form.locator("[name=identifier_type]").input_value() == "none"
    form.locator("[name=name]").fill(NAME)
    form.locator("[name=birth_year]").fill("1991")
    form.locator("[name=sex]").select_option("female")
    form.locator("[name=nationality]").select_option(label="Ukraina")
    form.locator("[name=language]").fill("ukrainska")
    form.locator("[name=receiving_body]").select_option("nspm_stodtelefon")
    form.locator("[name=consent_support]").check()
    form.locator("[name=indicators][value=retention_of_id_documents]").check()
    form.locator("[name=indicators][value=isolation]").check()
    form.locator("[name=exploitation_types][value=ForcedLabour]").check()
    form.locator("[name=methods_of_control][value=WithholdsDocuments]").check()
    form.locator("[name=industry_sni]").fill("41.200")
    assert_no_sideways_scroll(page)
    screenshot("2-new-referral-phone")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert re.fullmatch(rf"{re.escape(base)}/hanvisningar/\d+/", page.url)
    referral = VictimReferral.objects.get()
    assert (referral.origin, referral.origin_reference) == ("inspection", inspection.reference)
    assert (referral.identifier_type, referral.name, referral.receiving_agency.code) == (
        "none",
        NAME,
        "jamy",
    )
    assert referral.reference in page.locator(".referral-head").inner_text()
    assert NAME not in page.content()
    assert_no_sideways_scroll(page)
    screenshot("3-referral-sent-phone")
    detail_url = page.url
    log_out(page, base)

    # jamy.staff, at a desk, finds it in the list ...
    page.set_viewport_size(DESKTOP)
    log_in(page, base, "jamy.staff")
    page.goto(f"{base}/hanvisningar/")
    row = page.locator("table.referral-table tbody tr", has_text=referral.reference)
    assert row.count() == 1
    assert "Ukraina" in row.inner_text()
    assert "1991" in row.inner_text()
    assert NAME not in page.content()
    screenshot("4-jamy-list")
    page.set_viewport_size(PHONE)
    assert_no_sideways_scroll(page)
    screenshot("5-jamy-list-phone")
    page.set_viewport_size(DESKTOP)

    # ... opens it, with the identity masked ...
    row.get_by_role("link", name=referral.reference).click()
    page.wait_for_url(detail_url)
    assert page.locator("#person .masked").count() == 1  # the name; no identifier or date
    assert NAME not in page.content()
    screenshot("6-jamy-detail-masked")

    # ... and reveals it for a stated purpose: shown in this answer only, never cached.
    page.locator("details.reveal > summary").click()
    page.locator("form.reveal-form [name=purpose]").fill(PURPOSE)
    with page.expect_navigation() as navigation:
        page.locator("form.reveal-form button[type=submit]").click()
    assert navigation.value.headers["cache-control"] == "no-store"
    assert NAME in page.locator(".identity-revealed").inner_text()
    screenshot("7-jamy-identity-revealed")
    page.set_viewport_size(PHONE)
    assert_no_sideways_scroll(page)
    screenshot("8-jamy-identity-revealed-phone")
    event = AuditEvent.objects.filter(action="referral.identity_revealed").get()
    assert (event.actor_username, event.purpose) == ("jamy.staff", PURPOSE)
    page.goto(detail_url)
    assert NAME not in page.content()
    page.set_viewport_size(DESKTOP)
    log_out(page, base)

    # fk.staff has no part in it: the referral does not exist for them.
    log_in(page, base, "fk.staff")
    response = page.goto(detail_url)
    assert response.status == 404
    assert referral.reference not in page.locator("main").inner_text()
    screenshot("9-fk-404")
