"""Optional single sign-on with an agency's OpenID Connect provider (mozilla-django-oidc).

Enabled only when OIDC_RP_CLIENT_ID is set (config/settings.py, docs/security.md). The
identity provider proves who someone is; akrim still decides what they may do:

- The person must already be an akrim user with an active Membership, matched by one claim
  (`AKRIM_OIDC_MATCH_CLAIM`: `email` by default, or e.g. `preferred_username`), and, when
  `AKRIM_OIDC_AGENCIES` is set, of one of those agencies. No user or membership is ever
  created from a token.
- Two-factor login counts as done for the session only when the provider asserts it: an
  `amr` value in `AKRIM_OIDC_MFA_AMR` (RFC 8176: `mfa`, `otp`, `hwk` ...) or an `acr` in
  `AKRIM_OIDC_MFA_ACR`. Otherwise those who need two-factor login enter akrim's code too.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpResponse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

from network.models import Membership, User
from network.services import record_event
from network.twofactor import IDP_MFA_SESSION_KEY


def asserts_mfa(claims: dict[str, Any]) -> bool:
    """Whether the ID token says the person used more than a password at the provider."""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    if set(amr) & set(settings.AKRIM_OIDC_MFA_AMR):
        return True
    return bool(claims.get("acr")) and claims.get("acr") in settings.AKRIM_OIDC_MFA_ACR


class MembershipOIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]  # untyped library
    """Sign in existing members only; remember whether the provider asserted MFA."""

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get(settings.AKRIM_OIDC_MATCH_CLAIM))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        value = str(claims.get(settings.AKRIM_OIDC_MATCH_CLAIM) or "").strip()
        users = get_user_model().objects.filter(is_active=True)
        if not value:
            return users.none()
        if settings.AKRIM_OIDC_MATCH_CLAIM == "email":
            users = users.filter(email__iexact=value)
        else:
            users = users.filter(username=value)
        members = Membership.objects.filter(active=True)
        if settings.AKRIM_OIDC_AGENCIES:
            members = members.filter(agency__code__in=settings.AKRIM_OIDC_AGENCIES)
        return users.filter(pk__in=members.values("user_id"))

    def create_user(self, claims: dict[str, Any]) -> None:
        return None  # never: memberships are given by an agency administrator

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        user: User | None = super().get_or_create_user(access_token, id_token, payload)
        # The ID token's own claims (verified signature), not the userinfo answer.
        self.request.akrim_idp_mfa = bool(user) and asserts_mfa(payload)
        return user


class CallbackView(OIDCAuthenticationCallbackView):  # type: ignore[misc]  # untyped library
    """After Django's login: record the provider's MFA in the session, and audit it."""

    def login_success(self) -> HttpResponse:
        response: HttpResponse = super().login_success()
        mfa = getattr(self.request, "akrim_idp_mfa", False)
        self.request.session[IDP_MFA_SESSION_KEY] = mfa
        record_event(
            "auth.oidc",
            actor=self.user,
            obj=self.user,
            purpose=f"identity provider login; mfa asserted: {'yes' if mfa else 'no'}",
        )
        return response
