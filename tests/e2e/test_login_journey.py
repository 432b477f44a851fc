import pytest
from django.core.management import call_command

from network.models import AuditEvent
from tests.e2e.conftest import pass_second_factor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_world():
    call_command("seed_demo", "--password", "demo-password-123", "--quiet", "--people-only")


def test_skv_staff_logs_in_and_reaches_the_start_page(live_server, page, screenshot, demo_world):
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/login/")
    page.get_by_label("Användarnamn").fill("skv.staff")
    page.get_by_label("Lösenord").fill("wrong-password")
    page.get_by_role("button", name="Logga in").click()
    assert page.get_by_role("alert").inner_text().startswith("Fel användarnamn eller lösenord")
    screenshot("wrong-password")

    page.get_by_label("Lösenord").fill("demo-password-123")
    page.get_by_role("button", name="Logga in").click()
    pass_second_factor(page, live_server.url, "skv.staff")
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Välkommen")
    assert "Skatteverket" in page.locator("main").inner_text()
    menu = page.get_by_role("navigation", name="Huvudmeny").inner_text()
    assert "Katalog" in menu
    assert "Logg" not in menu
    screenshot()
    assert AuditEvent.objects.filter(action="auth.login", actor_username="skv.staff").exists()
    assert AuditEvent.objects.filter(action="auth.login_failed", agency_code="skv").exists()


def test_start_page_works_at_phone_width(live_server, page, screenshot, demo_world):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Användarnamn").fill("av.auditor")
    page.get_by_label("Lösenord").fill("demo-password-123")
    page.get_by_label("Lösenord").press("Enter")
    pass_second_factor(page, live_server.url, "av.auditor")
    page.wait_for_url(f"{live_server.url}/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, "the page scrolls sideways on a phone"
    page.get_by_role("link", name="Logg", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Granskningslogg"
    screenshot()
