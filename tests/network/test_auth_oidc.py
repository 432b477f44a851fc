"""Single sign-on with an agency's OpenID Connect provider, against a mocked provider: only
existing members get in, and the provider's MFA counts only when it asserts it."""

from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import path

from config import urls as config_urls
from network.models import AuditEvent
from network.oidc import CallbackView, MembershipOIDCBackend, asserts_mfa
from network.twofactor import IDP_MFA_SESSION_KEY

pytestmark = pytest.mark.django_db

BACKEND = "network.oidc.MembershipOIDCBackend"

# akrim's URLs with the callback route that config/urls.py adds when OIDC is configured.
urlpatterns = [
    *config_urls.urlpatterns,
    path("oidc/callback/", CallbackView.as_view(), name="oidc_authentication_callback"),
]


@pytest.fixture
def oidc(settings):
    settings.AKRIM_OIDC = True
    settings.OIDC_RP_CLIENT_ID = "akrim"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://idp.skv.invalid/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://idp.skv.invalid/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://idp.skv.invalid/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://idp.skv.invalid/jwks"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_CREATE_USER = False
    settings.LOGIN_REDIRECT_URL_FAILURE = "/login/"
    settings.AKRIM_OIDC_AGENCIES = ["skv"]
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]
    settings.ROOT_URLCONF = __name__
    return settings


def idp(claims: dict, userinfo: dict):
    """Patch the provider round trips: the token exchange, the ID token check, userinfo."""
    return mock.patch.multiple(
        MembershipOIDCBackend,
        get_token=mock.Mock(return_value={"id_token": "id", "access_token": "at"}),
        verify_token=mock.Mock(return_value=claims),
        get_userinfo=mock.Mock(return_value=userinfo),
    )


def callback(rf, client_session=None):
    """The provider sends the browser back with a code and the state akrim stored."""
    session = client_session or SessionStore()
    session["oidc_states"] = {"st4te": {"nonce": "n0nce", "code_verifier": "v", "added_on": 0}}
    session.save()
    request = rf.get("/oidc/callback/", {"code": "c0de", "state": "st4te"})
    request.session = session
    request.user = AnonymousUser()
    response = CallbackView.as_view()(request)
    request.session.save()  # as SessionMiddleware does after the view
    return request, response


def member(persona, email="anna.berg@skatteverket.se", agency="skv"):
    user = persona(agency, "staff", username=f"{agency}.anna")
    user.email = email
    user.save()
    return user


def test_a_member_signs_in_and_the_providers_mfa_counts(oidc, rf, persona):
    user = member(persona)
    claims = {"sub": "1", "amr": ["pwd", "mfa"]}
    with idp(claims, {"sub": "1", "email": "Anna.Berg@skatteverket.se"}):
        request, response = callback(rf)
    assert response.status_code == 302
    assert request.session["_auth_user_id"] == str(user.pk)
    assert request.session[IDP_MFA_SESSION_KEY] is True
    event = AuditEvent.objects.get(action="auth.oidc")
    assert event.actor_username == "skv.anna"
    assert "mfa asserted: yes" in event.purpose

    # With that session, akrim's own code is not asked for.
    client = Client()
    client.cookies["sessionid"] = request.session.session_key
    assert client.get("/arenden/").status_code == 200


def test_without_mfa_from_the_provider_akrims_code_is_still_required(oidc, rf, persona):
    member(persona)
    with idp({"sub": "1", "amr": ["pwd"]}, {"sub": "1", "email": "anna.berg@skatteverket.se"}):
        request, _response = callback(rf)
    assert request.session[IDP_MFA_SESSION_KEY] is False
    client = Client()
    client.cookies["sessionid"] = request.session.session_key
    assert client.get("/arenden/")["Location"].startswith("/login/kod/")


@pytest.mark.parametrize(
    ("email", "agency"),
    [
        ("nobody@skatteverket.se", "skv"),  # no such user: none is created
        ("anna.berg@polisen.se", "polis"),  # a member, but not of an agency using this provider
    ],
)
def test_only_existing_members_of_the_configured_agencies_get_in(
    oidc, rf, persona, django_user_model, email, agency
):
    member(persona, email="anna.berg@polisen.se", agency="polis")
    users = django_user_model.objects.count()
    with idp({"sub": "9", "amr": ["mfa"]}, {"sub": "9", "email": email}):
        request, response = callback(rf)
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in request.session
    assert django_user_model.objects.count() == users


def test_an_inactive_membership_does_not_sign_in(oidc, rf, persona):
    user = member(persona)
    user.membership.active = False
    user.membership.save()
    with idp({"sub": "1", "amr": ["mfa"]}, {"sub": "1", "email": "anna.berg@skatteverket.se"}):
        request, _response = callback(rf)
    assert "_auth_user_id" not in request.session


@pytest.mark.parametrize(
    ("claims", "acr_list", "expected"),
    [
        ({"amr": ["pwd"]}, [], False),
        ({"amr": ["pwd", "otp"]}, [], True),
        ({"amr": "hwk"}, [], True),
        ({"acr": "http://id.elegnamnden.se/loa/1.0/loa3"}, [], False),
        (
            {"acr": "http://id.elegnamnden.se/loa/1.0/loa3"},
            ["http://id.elegnamnden.se/loa/1.0/loa3"],
            True,
        ),
        ({}, [], False),
    ],
)
def test_what_counts_as_mfa_from_the_provider(settings, claims, acr_list, expected):
    settings.AKRIM_OIDC_MFA_ACR = acr_list
    assert asserts_mfa(claims) is expected
