"""Signing in: the password step (rate-limited; django-axes locks out), password reset
(rate-limited), and the second factor (enrolment with a QR code, codes, recovery codes)."""

import base64
from typing import Any

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View

from network import ratelimit, twofactor
from network.forms import LoginForm, OutboxPasswordResetForm
from network.http import user_of


@method_decorator(
    ratelimit.limit_posts(("login:ip", None), ("login:username", "username")), name="dispatch"
)
class LoginView(auth_views.LoginView):
    """The password step. Too many tries answer 429; repeated failures lock the username or
    the address (django-axes, network.lockout)."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {"oidc_enabled": settings.AKRIM_OIDC}


@method_decorator(
    ratelimit.limit_posts(("password_reset:ip", None), ("password_reset:email", "email")),
    name="dispatch",
)
class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link; limited per address and per e-mail address so the form cannot
    be used to flood someone's inbox or to probe for accounts."""

    form_class = OutboxPasswordResetForm


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


class _TwoFactorStep(View):
    """Common ground of the two pages: only for signed-in users who need the second factor
    and have not passed it in this session; each code sent counts against a rate limit."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect(reverse("login"))
        if twofactor.is_verified(request) or not twofactor.needs_two_factor(request.user):
            return redirect(_next_url(request))
        if request.method == "POST":
            wait = ratelimit.check(request, ("otp:user", str(request.user.pk)))
            if wait:
                return ratelimit.too_many_requests(request, wait)
        return super().dispatch(request, *args, **kwargs)


class TwoFactorVerifyView(_TwoFactorStep):
    """The second step of every login for those who need it: a code from the authenticator
    app, or one of the recovery codes."""

    template_name = "registration/two_factor_verify.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated and not twofactor.has_authenticator(user):
            return redirect(reverse("two_factor_enrol"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, CodeForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CodeForm(request.POST)
        if form.is_valid():
            if twofactor.verify_code(request, form.cleaned_data["code"]):
                return redirect(_next_url(request))
            form.add_error(
                "code",
                _(
                    "Wrong or expired code. Wait for the next code in your app and try "
                    "again, or use one of your recovery codes."
                ),
            )
        return self._page(request, form, status=400)

    def _page(self, request: HttpRequest, form: CodeForm, status: int = 200) -> HttpResponse:
        context = {"form": form, "next": _next_url(request)}
        return render(request, self.template_name, context, status=status)


class TwoFactorEnrolView(_TwoFactorStep):
    """First login of someone who needs two-factor login: scan the QR code (or type the
    key), confirm with a code, and keep the recovery codes shown once."""

    template_name = "registration/two_factor_enrol.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated and twofactor.has_authenticator(user):
            return redirect(reverse("two_factor_verify"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, CodeForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CodeForm(request.POST)
        if form.is_valid():
            device = twofactor.start_enrolment(user_of(request))
            codes = twofactor.confirm_enrolment(request, device, form.cleaned_data["code"])
            if codes is not None:
                response = render(
                    request,
                    "registration/two_factor_recovery_codes.html",
                    {"codes": codes, "next": _next_url(request)},
                )
                response["Cache-Control"] = "no-store"
                return response
            form.add_error(
                "code", _("The code did not match. Check the time on your phone and try again.")
            )
        return self._page(request, form, status=400)

    def _page(self, request: HttpRequest, form: CodeForm, status: int = 200) -> HttpResponse:
        device = twofactor.start_enrolment(user_of(request))
        svg = qrcode.make(
            device.config_url, image_factory=qrcode.image.svg.SvgPathImage, border=2
        ).to_string()
        context = {
            "form": form,
            "next": _next_url(request),
            "qr_data_uri": "data:image/svg+xml;base64," + base64.b64encode(svg).decode(),
            "secret": " ".join(_chunks(base64.b32encode(device.bin_key).decode().rstrip("="), 4)),
        }
        response = render(request, self.template_name, context, status=status)
        # The secret is on this page: never keep it in a cache.
        response["Cache-Control"] = "no-store"
        return response


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]
