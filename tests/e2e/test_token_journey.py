import json
import urllib.request

import pytest
from django.core.management import call_command

from network.models import ApiToken

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_world():
    call_command("seed_demo", "--password", "demo-password-123", "--quiet", "--people-only")


def take_token(base_url: str) -> str:
    request = urllib.request.Request(
        f"{base_url}/api/v1/auth/token/",
        data=json.dumps({"username": "av.analyst", "password": "demo-password-123"}).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)["token"]


def test_an_analyst_sees_and_revokes_their_api_token(live_server, page, screenshot, demo_world):
    token = take_token(live_server.url)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Användarnamn").fill("av.analyst")
    page.get_by_label("Lösenord").fill("demo-password-123")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="API-nycklar").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Dina API-nycklar"
    assert token[:8] in page.locator("main").inner_text()
    assert token not in page.content()
    screenshot("listed")
    page.get_by_role("button", name=f"Återkalla nyckeln som börjar med {token[:8]}").click()
    assert "Nyckeln är återkallad" in page.get_by_role("status").inner_text()
    assert "Du har inga API-nycklar som fungerar." in page.locator("main").inner_text()
    screenshot("revoked")
    assert not ApiToken.objects.filter(user__username="av.analyst").exists()
