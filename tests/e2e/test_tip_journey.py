"""An anonymous visitor on a phone sends a tip; av.coordinator finds it in the right centre's
queue and opens a case for the police from it."""

import time

import pytest
from django.core.management import call_command

from cases.coordination.models import Case
from cases.tips.models import Tip
from tests.e2e.conftest import pass_second_factor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "demo-password-123"


def test_a_public_tip_becomes_a_case(live_server, page, screenshot, settings):
    settings.AKRIM_TIP_MIN_SECONDS = 1
    call_command("seed_demo", "--password", PASSWORD, "--quiet", "--people-only")
    base = live_server.url
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{base}/tips/")
    assert page.locator("nav").count() == 0  # nothing of the inside shows to the public
    form = page.locator("form.tip-form")
    form.locator("[name=address]").fill("Storgatan 99")
    form.locator("[name=municipality]").fill("Malmö")
    form.locator("[name=county]").select_option("12")
    form.locator("[name=industry]").select_option("restaurant")
    form.locator("[name=employer_name]").fill("<b>Restaurang</b> Solen")
    form.locator("[name=observations][value=lives_at_workplace]").check()
    form.locator("[name=description]").fill("Människor verkar bo i lokalen.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot("1-form-phone")
    time.sleep(1.2)  # a person takes longer than the minimum fill time
    form.locator("button[type=submit]").click()
    code = page.locator(".tip-code").inner_text()
    tip = Tip.objects.get(code=code)
    screenshot("2-receipt-phone")
    # The page promises no tracking: the form, the POST and the receipt set no cookie, and
    # the language is a plain link (docs/security.md "The public tip page").
    assert page.context.cookies() == []
    page.get_by_role("link", name="English").click()
    page.wait_for_url(f"{base}/tips/?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.context.cookies() == []
    screenshot("2b-form-in-english")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/login/")
    page.locator("[name=username]").fill("av.coordinator")
    page.locator("[name=password]").fill(PASSWORD)
    page.locator("[name=password]").press("Enter")
    pass_second_factor(page, base, "av.coordinator")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/tips/triage/?centre=malmo")
    assert code in page.locator("table.tip-queue").inner_text()
    page.goto(f"{base}/tips/triage/?centre=umea")
    assert code not in page.locator("table.tip-queue").inner_text()
    screenshot("3-queue-other-centre")
    page.goto(f"{base}/tips/triage/?centre=malmo")
    page.get_by_role("link", name=code).click()
    assert "<b>Restaurang</b> Solen" in page.locator("main").inner_text()  # shown as text
    page.locator("form.case-form [name=owner_agency]").select_option("polis")
    page.locator("form.case-form button[type=submit]").click()
    page.wait_for_load_state()
    case = Case.objects.get()
    assert (case.owner_agency.code, Tip.objects.get(pk=tip.pk).case_id) == ("polis", case.pk)
    screenshot("4-case-opened")


def test_a_quick_correction_after_an_error_is_stored(live_server, page, screenshot, settings):
    """The minimum fill time counts from when the form was first shown: a person who fixes
    a field and sends again at once is thanked with a code, because the tip was stored."""
    settings.AKRIM_TIP_MIN_SECONDS = 2
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/tips/")
    form = page.locator("form.tip-form")
    form.locator("[name=municipality]").fill("Malmö")
    form.locator("[name=industry]").select_option("cleaning")
    time.sleep(2.2)
    form.locator("button[type=submit]").click()
    summary = page.locator(".error-summary")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert summary.is_visible()
    assert summary.bounding_box()["y"] < 740
    screenshot("5-error-summary-phone")
    summary.get_by_role("link").first.click()
    page.keyboard.type("Storgatan 7")  # the link moved focus to the address field
    page.locator("form.tip-form button[type=submit]").click()  # well within two seconds
    code = page.locator(".tip-code").inner_text()
    assert Tip.objects.get(code=code).address == "Storgatan 7"


def test_coordinator_triages_a_tip_and_plans_the_control_in_one_step(live_server, page, screenshot):
    """av.coordinator reads a tip, sees what each decision does, proposes it for a control
    and plans the control from the tip: the planning form comes filled in, and the tip's
    history then says who planned which control."""
    from datetime import timedelta

    from django.utils import timezone

    from cases.employers.services import register_employer
    from cases.tips import services as tip_services
    from inspections.models import Inspection
    from network.models import County, User
    from tests.e2e.conftest import log_in
    from tests.e2e.test_inspection_journey import assert_accessible, submit

    call_command("seed_demo", "--password", PASSWORD, "--quiet", "--people-only")
    coordinator = User.objects.get(username="av.coordinator")
    register_employer(orgnr="5560360793", name="Restaurang Solen AB", actor=coordinator)
    tip = tip_services.submit_tip(
        data={
            "address": "Södra Förstadsgatan 4",
            "municipality": "Malmö",
            "county": County.objects.get(code="12"),
            "industry": "restaurant",
            "employer_name": "Restaurang Solen",
            "orgnr": "556036-0793",
            "observations": ["lives_at_workplace", "little_or_no_pay"],
            "description": (
                "Personalen verkar sova i lokalen efter stängning. Flera av dem säger att de inte"
                " har fått lön på tre månader och att chefen har deras pass. Det är samma fem"
                " personer som arbetar varje dag från tidig morgon till sent på kvällen."
            ),
        }
    )
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, "av.coordinator")
    page.goto(f"{base}/tips/triage/?centre=malmo")
    page.get_by_role("link", name=tip.code).click()
    triage = page.locator("section.triage")
    # Every decision is explained, and every one applies to a new tip.
    for name in ("case", "propose", "forward", "employer", "dismiss"):
        assert triage.locator(f"form.{name}-form .help").inner_text().strip()
    assert "Vad som iakttogs" in page.locator(".tip-text").inner_text()
    assert "lives_at_workplace" not in page.content()
    # The tip is read in a wide column beside the decisions.
    text_width = page.locator(".tip-description").bounding_box()["width"]
    assert text_width > 500, text_width
    assert_accessible(page)
    screenshot("1-new-tip")

    submit(page, "form.propose-form")
    assert "Tipset är föreslaget för kontroll" in page.locator(".messages").inner_text()
    assert page.locator("form.propose-form").count() == 0  # decided: no longer offered
    assert page.locator("form.employer-form").count() == 0
    assert page.locator("form.case-form").count() == 1
    history = page.locator(".tip-history").inner_text()
    assert "föreslog tipset för kontroll" in history
    assert "av.coordinator" not in history
    assert_accessible(page)
    screenshot("2-proposed")

    # One step from the tip to a planned control: the form is filled in from the tip.
    page.locator("a.plan-link").click()
    page.wait_for_url(f"{base}/kontroller/ny/?tip={tip.pk}")
    form = page.locator("form.inspection-form")
    assert form.locator("[name=address]").input_value() == "Södra Förstadsgatan 4"
    assert form.locator("[name=county]").input_value() == "12"
    assert form.locator("[name=municipality]").input_value() == "1280"
    assert form.locator("[name=employer_1]").input_value() == "Restaurang Solen AB (5560360793)"
    # The industry picker shows the code with SCB's title (network.forms.SniCodeField).
    assert form.locator("[name=sni]").input_value() == "56.100 Restaurangverksamhet"
    when = timezone.localdate() + timedelta(days=7)
    form.locator("[name=planned_date]").fill(when.isoformat())
    assert_accessible(page)
    screenshot("3-plan-from-tip")
    submit(page, "form.inspection-form")
    inspection = Inspection.objects.get(tip=tip)
    assert page.url == f"{base}/kontroller/{inspection.pk}/"
    assert tip.code in page.locator(".messages").inner_text()
    assert inspection.selection_basis == "tip"
    assert inspection.planned_date == when

    page.goto(f"{base}/tips/triage/{tip.pk}/")
    assert page.locator("a.plan-link").count() == 0  # planned once
    link = page.locator(".planned-inspection a")
    assert link.inner_text() == inspection.reference
    history = page.locator(".tip-history").inner_text()
    assert "planerade en kontroll utifrån tipset" in history
    assert inspection.reference in history
    assert_accessible(page)
    screenshot("4-tip-with-its-control")
