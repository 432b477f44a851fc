"""API tokens (network.tokens): stored as digests, expiring, bound to the second factor
they were issued with, revoked whenever who the holder is changes, listed and revoked by
their owner in the browser."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from network.models import ApiToken, AuditEvent, Membership
from network.services import set_membership
from tests.conftest import PASSWORD, otp_code

pytestmark = pytest.mark.django_db


def take_token(api, username, **extra):
    response = api.post(
        reverse("api-token"), {"username": username, "password": PASSWORD, **extra}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def me(api, token):
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api.get(reverse("api-me"))


def test_an_analysts_password_only_token_dies_when_an_admin_adds_roles_that_need_2fa(api, persona):
    """The probe's finding: analyst token, then coordinator and staff roles, then reading."""
    analyst = persona("skv", "analyst")
    admin = persona("skv", "admin")
    token = take_token(api, "skv.analyst")
    assert me(api, token).status_code == 200
    membership = Membership.objects.get(user=analyst)
    set_membership(
        analyst,
        agency=membership.agency,
        roles=["analyst", "coordinator", "staff"],
        actor=admin,
    )
    assert me(api, token).status_code == 401
    assert not ApiToken.objects.filter(user=analyst).exists()
    assert AuditEvent.objects.filter(action="auth.token_revoked", object_id=analyst.pk).exists()


def test_a_token_without_second_factor_is_refused_once_the_user_needs_one(api, persona, settings):
    """Even without any change to the user (here: the rule of who needs a second factor
    changes), a token issued with a password only does not outlive the need."""
    persona("skv", "analyst")
    token = take_token(api, "skv.analyst")
    assert me(api, token).status_code == 200
    settings.AKRIM_TWO_FACTOR_PERMISSIONS = ["network.view_contact"]  # analysts have it
    refused = me(api, token)
    assert refused.status_code == 401
    assert "two-factor" in refused.json()["detail"] or "tvåstegs" in refused.json()["detail"]


def test_a_token_issued_with_a_code_keeps_working_when_the_user_needs_one(api, persona, settings):
    from tests.conftest import enrol_authenticator

    analyst = persona("skv", "analyst")
    enrol_authenticator(analyst)
    token = take_token(api, "skv.analyst", otp=otp_code(analyst))
    assert ApiToken.objects.get(user=analyst).two_factor
    settings.AKRIM_TWO_FACTOR_PERMISSIONS = ["network.view_contact"]
    assert me(api, token).status_code == 200


def test_tokens_are_stored_as_digests_and_expire(api, persona):
    user = persona("skv", "staff")
    token = take_token(api, "skv.staff", otp=otp_code(user))
    stored = ApiToken.objects.get(user=user)
    assert token not in (stored.digest, stored.token_key)
    assert timedelta(hours=9) < stored.expiry - timezone.now() <= timedelta(hours=10)
    ApiToken.objects.filter(pk=stored.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert me(api, token).status_code == 401


def test_a_password_change_revokes_every_token(api, persona):
    user = persona("skv", "staff")
    first = take_token(api, "skv.staff", otp=otp_code(user))
    second = take_token(api, "skv.staff", otp=otp_code(user))
    assert me(api, first).status_code == 200
    assert me(api, second).status_code == 200
    user.set_password("another-long-password-2026")
    user.save()
    assert me(api, first).status_code == 401
    assert me(api, second).status_code == 401


def test_deactivation_revokes_every_token(api, persona):
    user = persona("skv", "analyst")
    token = take_token(api, "skv.analyst")
    user.is_active = False
    user.save()
    assert not ApiToken.objects.filter(user=user).exists()
    user.is_active = True
    user.save()
    assert me(api, token).status_code == 401


def test_a_group_added_by_hand_revokes_the_tokens(api, persona):
    from django.contrib.auth.models import Group

    user = persona("skv", "analyst")
    token = take_token(api, "skv.analyst")
    user.groups.add(Group.objects.create(name="by-hand"))
    assert me(api, token).status_code == 401


def test_an_ordinary_login_does_not_revoke_tokens(api, client, persona):
    persona("skv", "analyst")
    token = take_token(api, "skv.analyst")
    assert client.login(username="skv.analyst", password=PASSWORD)
    assert me(api, token).status_code == 200


def test_people_list_and_revoke_their_own_tokens_in_swedish(api, client, persona):
    user = persona("skv", "analyst")
    other = persona("polis", "analyst")
    token = take_token(api, "skv.analyst")
    kept = take_token(api, "skv.analyst")
    others = take_token(api, "polis.analyst")
    client.force_login(user)
    page = client.get(reverse("network:token_list"), HTTP_ACCEPT_LANGUAGE="sv")
    html = page.content.decode()
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    assert "Dina API-nycklar" in html
    assert token[:8] in html
    assert kept[:8] in html
    assert others[:8] not in html
    assert token not in html
    # Someone else's token cannot be revoked from here.
    client.post(reverse("network:token_list"), {"token": others[:15]})
    assert me(api, others).status_code == 200
    response = client.post(reverse("network:token_list"), {"token": token[:15]}, follow=True)
    assert "Nyckeln är återkallad" in response.content.decode()
    assert me(api, token).status_code == 401
    assert me(api, kept).status_code == 200
    client.post(reverse("network:token_list"), {"all": "1"})
    assert me(api, kept).status_code == 401
    assert ApiToken.objects.filter(user=other).count() == 1
    assert AuditEvent.objects.filter(action="auth.token_revoked", actor=user).count() == 2


def test_the_token_page_needs_login(client):
    response = client.get(reverse("network:token_list"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
