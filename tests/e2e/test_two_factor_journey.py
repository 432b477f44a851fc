"""Journey: a coordinator's first login sets up two-factor login (QR code, first code,
recovery codes), logs out and in again with a code; someone guessing passwords is locked
out and sees a calm page."""

import base64
import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from django_otp.oath import TOTP

from network.models import AuditEvent, User
from network.services import create_staff
from tests.conftest import otp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-demo-password-2026"


def swedish(msgid: str) -> str:
    with translation.override("sv"):
        return gettext(msgid)


def password_step(page, base, username, password=PASSWORD):
    page.goto(f"{base}/login/")
    page.locator("[name=username]").fill(username)
    page.locator("[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def test_coordinator_enrols_logs_out_and_back_in_with_a_code(live_server, page, screenshot):
    base = live_server.url
    create_staff(
        username="av.samordnare",
        agency_code="av",
        roles=["coordinator"],
        password=PASSWORD,
        centre_code="stockholm",
        actor=None,
    )
    password_step(page, base, "av.samordnare")
    assert "/login/tvastegs/" in page.url
    # Nothing else opens before the second factor.
    page.goto(f"{base}/kontroller/")
    assert "/login/tvastegs/" in page.url
    qr = page.locator("img.qr")
    assert qr.get_attribute("src").startswith("data:image/svg+xml;base64,")
    assert qr.evaluate("img => img.naturalWidth") > 0  # the QR code really renders
    screenshot("1-enrol")

    # The authenticator app: it computes codes from the key it scanned.
    secret = page.locator("[data-otp-secret]").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.locator("[name=code]").fill(f"{TOTP(key).token():06d}")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    codes = page.locator("ul.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    assert all(re.fullmatch(r"[a-z2-7]{8}", c) for c in codes)
    screenshot("2-recovery-codes")
    with page.expect_navigation():
        page.locator("main a.button").click()
    assert page.url == f"{base}/kontroller/"

    page.locator("form[data-logout] button").click()
    page.wait_for_url(f"{base}/login/")
    password_step(page, base, "av.samordnare")
    assert "/login/kod/" in page.url
    screenshot("3-code")
    page.locator("[name=code]").fill(otp_code(User.objects.get(username="av.samordnare")))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url == f"{base}/"
    assert page.get_by_role("navigation").count() == 1
    actions = set(
        AuditEvent.objects.filter(actor_username="av.samordnare").values_list("action", flat=True)
    )
    assert {"auth.login", "auth.otp_enrolled", "auth.logout", "auth.otp_verified"} <= actions


def test_password_guessing_ends_on_the_lockout_page(live_server, page, screenshot):
    base = live_server.url
    create_staff(
        username="skv.handlaggare",
        agency_code="skv",
        roles=["staff"],
        password=PASSWORD,
        actor=None,
    )
    for attempt in range(4):
        password_step(page, base, "skv.handlaggare", f"wrong-{attempt}")
        assert page.get_by_role("alert").count() == 1
    password_step(page, base, "skv.handlaggare", "wrong-again")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == swedish("Login temporarily locked")
    assert "Traceback" not in page.content()
    screenshot("locked")
    # The right password does not help while the lock lasts.
    password_step(page, base, "skv.handlaggare")
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert AuditEvent.objects.filter(action="auth.locked_out", agency_code="skv").exists()
