"""Mandatory two-factor login: who needs it, the devices, and the gate that enforces it.

Who: coordinators, log auditors, administrators (and Django staff and superusers), and
everyone whose roles carry a capability listed in `AKRIM_TWO_FACTOR_PERMISSIONS` — by
default `cases.reveal_identity`, the capability to see a victim referral's identity. The
permission is named as a string, so `network` imports nothing from `cases`.

How: after the password (Django's session login), such a user must verify a code from an
authenticator app (django-otp TOTP) or spend one of ten recovery codes (django-otp static
tokens). Until then `TwoFactorMiddleware` lets them reach only the two-factor pages and
logout; API calls on that session get 403 JSON. A user without a confirmed authenticator is
sent to enrolment first. An identity provider that asserts MFA (OIDC `amr`/`acr`, see
network.oidc) satisfies the second factor for that session.

Every step is audited: enrolment, each verification, each failure, each recovery code used.
"""

import base64
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.db import transaction
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.middleware import OTPMiddleware as DjangoOTPMiddleware
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from network.backends import checking_device
from network.http import user_of
from network.models import Role, User
from network.services import record_event

if TYPE_CHECKING:
    from network.http import AnyUser

TWO_FACTOR_ROLES = frozenset({Role.COORDINATOR, Role.AUDITOR, Role.ADMIN})
RECOVERY_CODES = 10
# Set when an identity provider asserted multi-factor authentication for this session.
IDP_MFA_SESSION_KEY = "akrim_idp_mfa"
# When the session's user logged in (seconds since the epoch), for the absolute lifetime.
LOGIN_AT_SESSION_KEY = "akrim_login_at"
# The pages an unverified user may reach (URL names).
OPEN_URL_NAMES = frozenset(
    {"two_factor_verify", "two_factor_enrol", "logout", "set_language", "health"}
)


def needs_two_factor(user: "AnyUser") -> bool:
    """Whether this user must pass a second factor before reaching anything."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    if TWO_FACTOR_ROLES & set(user.roles):
        return True
    return any(user.has_perm(perm) for perm in settings.AKRIM_TWO_FACTOR_PERMISSIONS)


def is_verified(request: HttpRequest) -> bool:
    """The session passed a second factor (a device here, or the identity provider's MFA)."""
    verified = getattr(request.user, "is_verified", None)  # set by django-otp's middleware
    if verified and verified():
        return True
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(IDP_MFA_SESSION_KEY))


def totp_device(user: User, *, confirmed: bool | None = True) -> TOTPDevice | None:
    devices = TOTPDevice.objects.filter(user=user)
    if confirmed is not None:
        devices = devices.filter(confirmed=confirmed)
    return devices.order_by("pk").first()


def is_demo_device(device: TOTPDevice) -> bool:
    return bool(device.bin_key == bytes.fromhex(settings.AKRIM_DEMO_OTP_KEY))


def _usable(device: Any) -> bool:
    """A device may verify codes; one with the published demo key only while demo
    authenticators are on (never with DEBUG off), so a demo-seeded database served in
    production does not let anyone in with the README's key."""
    if device is None:
        return False
    if isinstance(device, TOTPDevice) and not settings.AKRIM_DEMO_OTP:
        return not is_demo_device(device)
    return True


def has_authenticator(user: User) -> bool:
    return any(_usable(d) for d in TOTPDevice.objects.filter(user=user, confirmed=True))


# --- enrolment -----------------------------------------------------------------------------


def start_enrolment(user: User) -> TOTPDevice:
    """The unconfirmed authenticator the user is setting up (a new secret per attempt
    session; the same one while the enrolment page is reloaded)."""
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@transaction.atomic
def confirm_enrolment(request: HttpRequest, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the new authenticator with its first code. On success the session counts
    as verified and ten fresh recovery codes are returned (to be shown once)."""
    user = user_of(request)
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not code.isdigit() or not device.verify_token(code):
        record_event("auth.otp_failed", actor=user, obj=user, purpose="enrolment code")
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = replace_recovery_codes(user)
    otp_login(request, device)
    record_event("auth.otp_enrolled", actor=user, obj=user, purpose="authenticator app")
    return codes


def replace_recovery_codes(user: User) -> list[str]:
    """Ten new one-time recovery codes; earlier ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


# --- verification --------------------------------------------------------------------------


def verify_code(request: HttpRequest, code: str) -> bool:
    """Check a code from the authenticator (six digits) or a recovery code; on success mark
    the session verified. The devices throttle themselves after failures (1, 2, 4 ... s)."""
    user = user_of(request)
    code = "".join(code.split()).lower()
    with transaction.atomic():
        if code.isdigit():
            device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
            kind = "authenticator"
        else:
            device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
            kind = "recovery code"
        device = device.order_by("pk").first()
        ok = _usable(device) and device.verify_token(code)
    if not ok:
        record_event("auth.otp_failed", actor=user, obj=user, purpose=kind)
        return False
    otp_login(request, device)
    if kind == "recovery code":
        left = StaticToken.objects.filter(device=device).count()
        record_event(
            "auth.recovery_code_used", actor=user, obj=user, purpose=f"{left} recovery codes left"
        )
    else:
        record_event("auth.otp_verified", actor=user, obj=user, purpose=kind)
    return True


def verify_for_token(user: User, code: str) -> str | None:
    """The API token endpoint's second factor: None when accepted, else the error to show."""
    if not has_authenticator(user):
        return _("Set up two-factor login in the browser first, then ask for a token.")
    if not code:
        return _("Enter the six-digit code from your authenticator app.")
    code = "".join(code.split()).lower()
    with transaction.atomic():
        model = TOTPDevice if code.isdigit() else StaticDevice
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        ok = _usable(device) and device.verify_token(code)
    if not ok:
        record_event("auth.otp_failed", actor=user, obj=user, purpose="api token")
        return _("Wrong or expired code.")
    if model is StaticDevice:
        record_event("auth.recovery_code_used", actor=user, obj=user, purpose="api token")
    return None


def current_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the user's authenticator app shows now (or `steps_ahead` periods later).
    For the demo command and tests only; real users read it from their app."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.drift = device.drift + steps_ahead
    return f"{totp.token():0{device.digits}d}"


# --- the gate -------------------------------------------------------------------------------


class OTPMiddleware(DjangoOTPMiddleware):  # type: ignore[misc]  # django-otp: untyped
    """django-otp's middleware (`request.user.is_verified()`), without its query per request.

    django-otp loads the device the session passed with (its persistent id is in the
    session) in a query of its own on every request, to check that it still exists, is
    confirmed and is the user's. Here that check is an EXISTS in the query that loads the
    user (network.backends.MembershipModelBackend, `checking_device`), with the same answer
    on the same request: a deleted or unconfirmed device stops counting at once. The device
    itself is loaded only if someone asks for `user.otp_device`. For a user loaded another
    way (no answer recorded) django-otp's own check runs."""

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        session = getattr(request, "session", None)
        persistent_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
        if not persistent_id:
            return super()._verify_user_sync(request, user)
        persistent_id = self._normalize_persistent_id(persistent_id)
        with checking_device(persistent_id):
            authenticated = user.is_authenticated  # loads the user (one query)
        answer = getattr(user, "otp_session_device", None) if authenticated else None
        if answer is None or answer[0] != persistent_id:
            return super()._verify_user_sync(request, user)
        self._init_user_fields(user)
        if answer[1]:
            user.otp_device = SimpleLazyObject(lambda: Device.from_persistent_id(persistent_id))
        elif session is not None:
            del session[DEVICE_ID_SESSION_KEY]  # as django-otp does for a device gone
        return user


class TwoFactorMiddleware:
    """Hold a signed-in user who needs a second factor at the two-factor pages until they
    pass it. Install after OTPMiddleware (above)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        end_old_session(request)
        user = request.user
        if not user.is_authenticated or is_verified(request):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_URL_NAMES:
            return None
        if not needs_two_factor(user):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Two-factor login is required: finish it in the browser.")},
                status=403,
            )
        name = "two_factor_verify" if has_authenticator(user) else "two_factor_enrol"
        target = reverse(name)
        if request.method == "GET" and request.get_full_path() != "/":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)


def end_old_session(request: HttpRequest) -> None:
    """The absolute session lifetime: a login lasts `AKRIM_SESSION_MAX_SECONDS` (10 hours)
    however active the session is; the idle timeout alone would let a session used every
    29 minutes live for ever. A session from before this rule starts counting now."""
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return
    now = int(time.time())
    started = session.get(LOGIN_AT_SESSION_KEY)
    if started is None:
        session[LOGIN_AT_SESSION_KEY] = now
    elif now - started > settings.AKRIM_SESSION_MAX_SECONDS:
        logout(request)
        messages.info(
            request,
            _("Your session has ended: a login lasts at most %(hours)s hours. Log in again.")
            % {"hours": settings.AKRIM_SESSION_MAX_SECONDS // 3600},
        )


def forget_verification(request: HttpRequest) -> None:
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session.pop(IDP_MFA_SESSION_KEY, None)


# --- demo ---------------------------------------------------------------------------------


def give_demo_authenticator(user: User) -> TOTPDevice:
    """Demo accounts share one published TOTP secret (README) so anyone trying akrim can log
    in. Refused unless demo authenticators are enabled (never in production settings)."""
    if not settings.AKRIM_DEMO_OTP:
        raise RuntimeError("Demo authenticators are disabled (AKRIM_DEMO_OTP is false).")
    device = totp_device(user)
    if device is not None and is_demo_device(device):
        return device
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(
        user=user, name="demo", key=settings.AKRIM_DEMO_OTP_KEY, confirmed=True
    )


def demo_otp_secret() -> str:
    """The demo key as authenticator apps want it (base32)."""
    return base64.b32encode(bytes.fromhex(settings.AKRIM_DEMO_OTP_KEY)).decode()
