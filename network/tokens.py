"""API tokens: issued, checked and revoked here (django-rest-knox underneath).

A token is stored only as a SHA-512 digest (knox) and expires after `AKRIM_TOKEN_HOURS`.
It records whether a second factor was verified when it was issued (`ApiToken.two_factor`):
a token issued with a password only stops working as soon as its user needs a second
factor (an analyst later given the coordinator role, say). Every token of a user is revoked
when their password, activity, staff flags, groups or membership change, because a token
must never carry more than what its holder proved when it was issued. docs/security.md.
"""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox import auth as knox_auth
from knox.settings import knox_settings
from rest_framework import exceptions

from network import twofactor
from network.models import ApiToken, Membership, User
from network.services import record_event


class TokenAuthentication(knox_auth.TokenAuthentication):  # type: ignore[misc]  # knox: untyped
    """knox's check (digest, expiry, active user) plus akrim's: an active membership, and
    a second factor at issue time for a user who needs one now."""

    def validate_user(self, auth_token: ApiToken) -> tuple[User, ApiToken]:
        user, auth_token = super().validate_user(auth_token)
        if user.active_membership is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not auth_token.two_factor and twofactor.needs_two_factor(user):
            raise exceptions.AuthenticationFailed(
                _(
                    "This token was issued without two-factor login, which your account "
                    "now needs. Ask for a new token with a code from your authenticator app."
                )
            )
        return user, auth_token


@transaction.atomic
def issue_token(user: User, *, two_factor: bool, actor: User) -> str:
    """A new token for `user` (the caller shows it once; only its digest is kept). Expired
    tokens are removed, and beyond `TOKEN_LIMIT_PER_USER` the oldest is revoked."""
    now = timezone.now()
    ApiToken.objects.filter(user=user, expiry__lt=now).delete()
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    if limit:
        keep = ApiToken.objects.filter(user=user).order_by("-created")[: limit - 1]
        keep_ids = list(keep.values_list("pk", flat=True))
        ApiToken.objects.filter(user=user).exclude(pk__in=keep_ids).delete()
    _instance, token = ApiToken.objects.create(user=user, two_factor=two_factor)
    record_event(
        "auth.token",
        actor=actor,
        obj=user,
        purpose="api token issued" + (" after two-factor login" if two_factor else ""),
    )
    return str(token)  # knox is untyped; it returns the token text


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's tokens that still work, newest first (for the token page)."""
    tokens: QuerySet[ApiToken] = ApiToken.objects.filter(user=user, expiry__gt=timezone.now())
    return tokens.order_by("-created")


@transaction.atomic
def revoke_token(user: User, *, token_key: str, actor: User) -> bool:
    """Revoke one of `user`'s tokens by its visible start; False if there is none."""
    removed, _detail = ApiToken.objects.filter(user=user, token_key=token_key).delete()
    if removed:
        record_event("auth.token_revoked", actor=actor, obj=user, purpose="1 api token")
    return bool(removed)


def revoke_tokens(user: User, *, reason: str, actor: User | None = None) -> int:
    """Revoke every token of `user`; audited when there were any."""
    removed, _detail = ApiToken.objects.filter(user_id=user.pk).delete()
    if removed:
        record_event(
            "auth.token_revoked",
            actor=actor,
            object_type="network.user",
            object_id=user.pk,
            purpose=f"{removed} api tokens: {reason}",
        )
    return int(removed)


# --- revocation on every change of who the holder is ------------------------------------

_WATCHED_USER_FIELDS = ("password", "is_active", "is_staff", "is_superuser")


@receiver(pre_save, sender=User)
def revoke_on_user_change(
    sender: type[User],
    instance: User,
    update_fields: frozenset[str] | None = None,
    raw: bool = False,
    **kwargs: Any,
) -> None:
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(_WATCHED_USER_FIELDS):
        return  # e.g. last_login at every login
    before = User.objects.filter(pk=instance.pk).values(*_WATCHED_USER_FIELDS).first()
    if before is None:
        return
    changed = [f for f in _WATCHED_USER_FIELDS if before[f] != getattr(instance, f)]
    if changed:
        revoke_tokens(instance, reason="changed " + ", ".join(changed))


@receiver(post_save, sender=Membership)
def revoke_on_membership_change(
    sender: type[Membership], instance: Membership, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if not raw:
        revoke_tokens(instance.user, reason="membership changed")


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
def revoke_on_permission_change(
    sender: type[Any],
    instance: Any,  # a User, or a Group when changed from the group's side (`reverse`)
    action: str,
    reverse: bool,
    pk_set: set[int] | None,
    **kwargs: Any,
) -> None:
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse:
        revoke_tokens(instance, reason="groups or permissions changed")
        return
    # From the group's side (group.user_set.add(...)): every user concerned.
    for user in User.objects.filter(pk__in=pk_set or ()):
        revoke_tokens(user, reason="groups changed")
