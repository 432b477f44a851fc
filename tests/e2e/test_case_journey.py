"""A case's life across two agencies, in the browser: open, share, find, revoke, gone.

Fields are found by their `name` and buttons by their form's class, so the journey survives
translation; only the login page's labels (Django's own Swedish) are matched as text.
"""

import re

import pytest
from django.core.management import call_command

from cases.coordination import services as case_services
from cases.coordination.models import Case, CaseGroupObjectPermission
from network.models import AuditEvent
from tests.e2e.conftest import DEMO_PASSWORD, log_in, log_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = DEMO_PASSWORD


@pytest.fixture
def demo_world():
    call_command("seed_demo", "--password", PASSWORD, "--quiet", "--people-only")


def assert_no_sideways_scroll(page, width):
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the page scrolls sideways at {width} px ({scroll_width} px)"


def test_case_is_opened_shared_found_and_revoked(live_server, page, screenshot, demo_world):
    base = live_server.url

    # skv.staff opens a case on an employer that is registered from the form.
    log_in(page, base, "skv.staff")
    page.goto(f"{base}/arenden/ny/")
    page.locator("[name=title]").fill("Misstänkt svartarbete, Bygg AB")
    page.locator("[name=summary]").fill(
        "Tips om arbetare utan personalliggare.\nKontroll planeras."
    )
    page.locator("[name=employer_orgnr]").fill("556036-0793")
    page.locator("[name=employer_name]").fill("Bygg AB")
    screenshot("1-new-case")
    page.locator("form.case-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"{re.escape(base)}/arenden/\d+/$"))
    case = Case.objects.get(title="Misstänkt svartarbete, Bygg AB")
    assert case.employer.orgnr == "5560360793"
    assert case.reference in page.locator(".case-head").inner_text()
    assert "556036-0793" in page.locator("main").inner_text()
    case_url = page.url

    # ... and shares it with the police on the a-krim duty to share.
    share_form = page.locator("form.share-form")
    share_form.locator("[name=agency]").select_option("polis")
    share_form.locator("[name=legal_basis]").select_option("uppgiftsskyldighet_akrim")
    share_form.locator("[name=reason]").fill("Gemensam kontroll på arbetsplatsen vecka 12.")
    share_form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"#shares$"))
    assert page.locator("form.unshare-form").count() == 1
    assert CaseGroupObjectPermission.objects.filter(
        content_object=case, legal_basis="uppgiftsskyldighet_akrim"
    ).exists()
    screenshot("2-shared")
    page.set_viewport_size({"width": 360, "height": 740})
    assert_no_sideways_scroll(page, 360)
    screenshot("3-detail-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    log_out(page, base)

    # polis.staff finds it in the case list and opens it.
    log_in(page, base, "polis.staff")
    page.goto(f"{base}/arenden/")
    row = page.locator("table tbody tr", has_text=case.reference)
    assert row.count() == 1
    assert "Skatteverket" in row.inner_text()
    screenshot("4-polis-list")
    # Sorted by a column header, which then says so to a screen reader (aria-sort).
    with page.expect_navigation():
        page.locator("th a.sort-link", has_text="Titel").click()
    assert "sort=title" in page.url
    sorted_header = page.locator("th[aria-sort]")
    assert sorted_header.count() == 1
    assert sorted_header.get_attribute("aria-sort") == "ascending"
    assert "Titel" in sorted_header.inner_text()
    assert page.locator("table tbody tr", has_text=case.reference).count() == 1
    screenshot("4b-polis-list-sorted")
    page.set_viewport_size({"width": 360, "height": 740})
    assert_no_sideways_scroll(page, 360)
    screenshot("5-polis-list-phone")
    page.set_viewport_size({"width": 768, "height": 1024})
    row.get_by_role("link", name=case.reference).click()
    page.wait_for_url(case_url)
    assert page.locator("form.share-form").count() == 0  # only the owner shares
    assert page.locator("form.edit-form").count() == 0  # a view share cannot edit
    screenshot("6-polis-detail-tablet")
    page.set_viewport_size({"width": 1280, "height": 800})
    log_out(page, base)

    # skv.staff ends the share ...
    log_in(page, base, "skv.staff")
    page.goto(case_url)
    page.locator("form.unshare-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"#shares$"))
    assert page.locator("form.unshare-form").count() == 0
    screenshot("7-revoked")
    log_out(page, base)

    # ... and the case is gone for polis.staff: the same 404 as a case that never existed.
    log_in(page, base, "polis.staff")
    response = page.goto(case_url)
    assert response.status == 404
    assert case.title not in page.locator("main").inner_text()
    screenshot("8-polis-404")
    assert AuditEvent.objects.filter(action="case.unshared", object_id=str(case.pk)).exists()


def test_break_the_glass_is_reviewed_by_the_agencys_auditor(
    live_server, page, screenshot, demo_world
):
    base = live_server.url
    skv = case_services.open_case(title="Skatteverkets interna utredning", actor=_user("skv.staff"))
    assert not Case.objects.visible_to(_user("polis.staff")).filter(pk=skv.pk).exists()

    # polis.staff, on a phone, opens a Skatteverket case that was never shared with them.
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, base, "polis.staff")
    page.goto(f"{base}/arenden/brytglas/")
    page.locator("[name=reference]").fill(skv.reference)
    page.locator("[name=justification]").fill("kort")
    page.locator("form.break-glass-form button[type=submit]").click()
    assert page.locator(".field-error").count() == 1  # too short: nothing granted
    assert_no_sideways_scroll(page, 360)
    screenshot("1-too-short")
    page.locator("[name=justification]").fill(
        "Kontroll pågår just nu på arbetsplatsen; behöver Skatteverkets uppgifter."
    )
    page.locator("form.break-glass-form button[type=submit]").click()
    # The answer is the same whether the case exists (docs/security.md): the case list,
    # searched for the reference, shows it now that access is granted.
    page.wait_for_url(f"{base}/arenden/?q={skv.reference}")
    screenshot("2-granted")
    page.get_by_role("link", name=skv.reference).click()
    page.wait_for_url(f"{base}/arenden/{skv.pk}/")
    assert skv.reference in page.locator(".case-head").inner_text()
    screenshot("2b-opened")
    log_out(page, base)

    # polis.auditor finds it in the review queue and judges it.
    log_in(page, base, "polis.auditor")
    page.goto(f"{base}/arenden/granskning/")
    review = page.locator("tr.review-pending", has_text=skv.reference)
    assert review.count() == 1
    assert_no_sideways_scroll(page, 360)
    screenshot("3-review-queue")
    review.locator("[name=verdict][value=justified]").check()
    review.locator("form.review-form button[type=submit]").click()
    page.wait_for_url(f"{base}/arenden/granskning/")
    assert page.locator("tr.review-pending", has_text=skv.reference).count() == 0
    screenshot("4-reviewed")
    assert AuditEvent.objects.filter(
        action="case.break_the_glass_reviewed", actor_username="polis.auditor"
    ).exists()


def _user(username):
    from network.models import User

    return User.objects.get(username=username)
