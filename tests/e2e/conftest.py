"""Browser journeys in Debian's headless chromium, driven by Playwright.

Playwright cannot download its own browser here, so the system chromium is used with the
flags that keep it off the network. Screenshots go to test-artifacts/ (ignored by git).
"""

from pathlib import Path

import pytest

from network.models import User
from tests.conftest import CHROMIUM, otp_code

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "sv-SE"}


@pytest.fixture
def screenshot(page, request):
    """Save a full-page screenshot named after the test."""

    def take(name: str = "") -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{request.node.name}{'-' + name if name else ''}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def pass_second_factor(page, base_url: str, username: str) -> None:
    """After the password step: when akrim asks for the authenticator's code, type the one
    the user's app shows (computed from their device's key, as the app does)."""
    page.wait_for_url(lambda url: "/login/" not in url or "/login/kod/" in url)
    if "/login/kod/" not in page.url:
        return
    page.locator("[name=code]").fill(otp_code(User.objects.get(username=username)))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
