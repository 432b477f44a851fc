"""Mandatory two-factor login: who needs it, enrolment, the code page, recovery codes, the
gate in front of everything else, and the API token's `otp` field."""

import re
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from network import twofactor
from network.models import AuditEvent, User
from tests.conftest import PASSWORD, AkrimClient, otp_code

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("roles", "needed"),
    [
        (("staff",), True),  # staff carry cases.reveal_identity: they may see identities
        (("coordinator",), True),
        (("auditor",), True),
        (("admin",), True),
        (("analyst",), False),  # aggregates only, never an identity
    ],
)
def test_who_must_use_two_factor_login(persona, roles, needed):
    assert twofactor.needs_two_factor(persona("skv", *roles)) is needed


def test_capabilities_decide_not_only_roles(persona, settings):
    analyst = persona("skv", "analyst")
    settings.AKRIM_TWO_FACTOR_PERMISSIONS = ["cases.view_referral_statistics"]
    assert twofactor.needs_two_factor(User.objects.get(pk=analyst.pk))


def a_moment_later(user):
    """django-otp makes a device wait 1, 2, 4 ... s after each wrong code; move the last
    failure into the past instead of sleeping."""
    earlier = timezone.now() - timedelta(minutes=1)
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=earlier)


def password_step(client, username, next_url=""):
    data = {"username": username, "password": PASSWORD}
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, data | ({"next": next_url} if next_url else {}))


def test_without_an_authenticator_the_password_leads_to_enrolment_and_nowhere_else(persona):
    user = persona("av", "coordinator")
    TOTPDevice.objects.filter(user=user).delete()
    client = Client()
    response = password_step(client, "av.coordinator")
    assert response.status_code == 302
    # Everything but the two-factor pages and logout sends the user to enrolment.
    for url in ("/", "/arenden/", "/logg/", "/admin/"):
        page = client.get(url)
        assert page.status_code == 302, url
        assert page["Location"].startswith("/login/tvastegs/"), url
    assert client.get(reverse("two_factor_verify")).url == reverse("two_factor_enrol")
    # The API on this session answers 403, with a reason.
    api = client.get("/api/v1/me/")
    assert api.status_code == 403
    assert "detail" in api.json()


def test_enrolment_shows_a_local_qr_code_confirms_and_shows_recovery_codes_once(persona):
    user = persona("av", "coordinator")
    TOTPDevice.objects.filter(user=user).delete()
    client = Client()
    password_step(client, "av.coordinator")
    page = client.get(reverse("two_factor_enrol"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html  # drawn here, no external service
    assert page["Cache-Control"] == "no-store"
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r"data-otp-secret>([A-Z2-7 ]+)<", html).group(1).replace(" ", "")
    assert twofactor.base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key

    wrong = client.post(reverse("two_factor_enrol"), {"code": "000000"})
    assert wrong.status_code == 400
    assert "code" in wrong.context["form"].errors
    assert AuditEvent.objects.filter(action="auth.otp_failed", actor=user).exists()
    # Straight after a wrong code even the right one is refused (throttling) ...
    refused = client.post(reverse("two_factor_enrol"), {"code": twofactor.current_code(device)})
    assert refused.status_code == 400
    a_moment_later(user)

    done = client.post(reverse("two_factor_enrol"), {"code": twofactor.current_code(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert done["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="auth.otp_enrolled", actor=user).exists()
    assert TOTPDevice.objects.get(user=user).confirmed
    # Verified now: the start page opens.
    assert client.get("/").status_code == 200
    # Enrolling again is not possible once an authenticator exists.
    assert client.get(reverse("two_factor_enrol")).status_code == 302


def test_with_an_authenticator_the_code_page_comes_after_the_password(persona):
    persona("skv", "staff")
    client = Client()
    password_step(client, "skv.staff")
    response = client.get("/arenden/")
    assert response.status_code == 302
    assert response["Location"] == "/login/kod/?next=%2Farenden%2F"

    wrong = client.post(reverse("two_factor_verify"), {"code": "12345", "next": "/arenden/"})
    assert wrong.status_code == 400
    assert client.get("/arenden/").status_code == 302
    event = AuditEvent.objects.get(action="auth.otp_failed")
    assert event.actor_username == "skv.staff"
    assert event.agency_code == "skv"


def test_a_right_code_lets_the_user_in_and_back_to_where_they_were_going(persona):
    user = persona("skv", "staff")
    client = Client()
    password_step(client, "skv.staff")
    response = client.post(
        reverse("two_factor_verify"), {"code": otp_code(user), "next": "/arenden/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/arenden/"
    assert client.get("/arenden/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.otp_verified", actor=user).exists()


def test_the_next_parameter_cannot_send_the_user_elsewhere(persona):
    user = persona("skv", "staff")
    client = Client()
    password_step(client, "skv.staff")
    response = client.post(
        reverse("two_factor_verify"), {"code": otp_code(user), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_a_code_works_once(persona):
    user = persona("skv", "staff")
    code = otp_code(user)
    first, second = Client(), Client()
    password_step(first, "skv.staff")
    password_step(second, "skv.staff")
    assert first.post(reverse("two_factor_verify"), {"code": code}).status_code == 302
    assert second.post(reverse("two_factor_verify"), {"code": code}).status_code == 400


def test_a_recovery_code_works_once_and_its_use_is_audited(persona):
    user = persona("av", "auditor")
    codes = twofactor.replace_recovery_codes(user)
    client = Client()
    password_step(client, "av.auditor")
    response = client.post(reverse("two_factor_verify"), {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get("/logg/").status_code == 200
    event = AuditEvent.objects.get(action="auth.recovery_code_used")
    assert event.actor_username == "av.auditor"
    assert event.purpose == "9 recovery codes left"
    assert not StaticToken.objects.filter(token=codes[0]).exists()

    client.post(reverse("logout"))
    again = Client()
    password_step(again, "av.auditor")
    assert again.post(reverse("two_factor_verify"), {"code": codes[0]}).status_code == 400


def test_logging_out_ends_the_verification_too(persona):
    user = persona("skv", "staff")
    client = AkrimClient()
    client.force_login(user)
    assert client.get("/arenden/").status_code == 200
    client.post(reverse("logout"))
    password_step(client, "skv.staff")
    assert client.get("/arenden/").status_code == 302


def test_an_analyst_needs_no_second_factor(persona):
    persona("skv", "analyst")
    client = Client()
    response = password_step(client, "skv.analyst")
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_codes_are_rate_limited_per_user(persona, settings):
    settings.AKRIM_RATE_LIMITS = {**settings.AKRIM_RATE_LIMITS, "otp:user": (3, 300)}
    persona("skv", "staff")
    client = Client()
    password_step(client, "skv.staff")
    for _ in range(3):
        assert client.post(reverse("two_factor_verify"), {"code": "000000"}).status_code == 400
    limited = client.post(reverse("two_factor_verify"), {"code": "000000"})
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0


def test_unverified_session_cannot_use_the_admin(persona):
    admin_user = persona("skv", "admin")
    client = AkrimClient()
    client.force_login(admin_user, verified=False)
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/login/").status_code == 302  # one login page for everyone


# --- API token ------------------------------------------------------------------------------


def token(api, **data):
    return api.post(reverse("api-token"), {"password": PASSWORD, **data}, format="json")


def test_token_for_a_two_factor_user_needs_the_otp_field(api, persona):
    user = persona("skv", "staff")
    missing = token(api, username="skv.staff")
    assert missing.status_code == 400
    assert list(missing.json()) == ["otp"]
    wrong = token(api, username="skv.staff", otp="000000")
    assert wrong.status_code == 400
    assert list(wrong.json()) == ["otp"]
    assert AuditEvent.objects.filter(action="auth.otp_failed", purpose="api token").exists()
    a_moment_later(user)
    right = token(api, username="skv.staff", otp=otp_code(user))
    assert right.status_code == 200
    assert right.json()["token"]


def test_token_without_an_authenticator_says_to_enrol_in_the_browser(api, persona):
    user = persona("skv", "staff")
    TOTPDevice.objects.filter(user=user).delete()
    response = token(api, username="skv.staff", otp="123456")
    assert response.status_code == 400
    assert "otp" in response.json()


def test_token_for_an_analyst_needs_no_otp(api, persona):
    persona("skv", "analyst")
    response = token(api, username="skv.analyst")
    assert response.status_code == 200


def test_token_with_a_recovery_code_is_audited(api, persona):
    user = persona("skv", "coordinator")
    codes = twofactor.replace_recovery_codes(user)
    assert token(api, username="skv.coordinator", otp=codes[3]).status_code == 200
    assert AuditEvent.objects.filter(action="auth.recovery_code_used", actor=user).exists()


# --- demo ----------------------------------------------------------------------------------


def test_demo_users_get_the_published_demo_key_and_demo_otp_prints_a_working_code(settings):
    settings.AKRIM_DEMO_OTP = True
    call_command("seed_demo", "--password", "demo-password-123", "--quiet", "--people-only")
    device = twofactor.totp_device(User.objects.get(username="av.coordinator"))
    assert device.bin_key.hex() == settings.AKRIM_DEMO_OTP_KEY  # stored encrypted
    code = call_command("demo_otp", "av.coordinator")
    assert re.fullmatch(r"\d{6}", code)
    client = Client()
    client.post(reverse("login"), {"username": "av.coordinator", "password": "demo-password-123"})
    assert client.post(reverse("two_factor_verify"), {"code": code}).status_code == 302


def test_demo_codes_are_refused_outside_demo_mode(settings, persona):
    persona("av", "coordinator")
    settings.AKRIM_DEMO_OTP = False
    with pytest.raises(CommandError, match="off"):
        call_command("demo_otp", "av.coordinator")
    with pytest.raises(RuntimeError):
        twofactor.give_demo_authenticator(User.objects.get(username="av.coordinator"))
