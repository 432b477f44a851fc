"""Browser journeys in Debian's headless chromium, driven by Playwright.

Playwright cannot download its own browser here, so the system chromium is used with the
flags that keep it off the network. Screenshots go to test-artifacts/ (ignored by git).
"""

import re
from pathlib import Path

import pytest

from network import twofactor
from network.models import User
from tests.conftest import CHROMIUM, enrol_authenticator, otp_code

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# The password the journeys give seed_demo (`seed_demo --password DEMO_PASSWORD`).
DEMO_PASSWORD = "demo-password-123"


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


def log_in(page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in as a person does: password, then the authenticator's code where the user needs
    a second factor (a user without an authenticator gets one enrolled first, as at their
    first login)."""
    user = User.objects.get(username=username)
    if twofactor.needs_two_factor(user) and twofactor.totp_device(user) is None:
        enrol_authenticator(user)
    page.goto(f"{base_url}/login/")
    page.locator("[name=username]").fill(username)
    page.locator("[name=password]").fill(password)
    page.get_by_role("button", name="Logga in").click()
    pass_second_factor(page, base_url, username)
    page.wait_for_url(f"{base_url}/")


def log_out(page, base_url: str) -> None:
    page.locator("form[action='/logout/'] button[type=submit]").click()
    page.wait_for_url(re.compile(rf"{re.escape(base_url)}/login/"))
