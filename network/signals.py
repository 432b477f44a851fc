"""Signal receivers of the access core: login auditing and the direct-FK guard."""

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import ImproperlyConfigured
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.http import HttpRequest
from guardian.models import GroupObjectPermission, UserObjectPermission

from network.models import User
from network.services import record_event
from network.twofactor import LOGIN_AT_SESSION_KEY

# Our apps keep object permissions in direct foreign-key tables only. Generic rows would be
# slow at scale and survive their object's deletion (see reference/django-practice.md §B).
OWN_APPS = {"network", "cases", "inspections", "reports"}


@receiver(pre_save, sender=UserObjectPermission)
@receiver(pre_save, sender=GroupObjectPermission)
def refuse_generic_object_permissions(
    sender: type[Any], instance: UserObjectPermission | GroupObjectPermission, **kwargs: Any
) -> None:
    if instance.content_type.app_label in OWN_APPS:
        raise ImproperlyConfigured(
            f"{instance.content_type.app_label}.{instance.content_type.model} must use a "
            "direct foreign-key object permission model, not guardian's generic tables."
        )


@receiver(user_logged_in)
def audit_login(sender: type[Any], request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        # The absolute session lifetime counts from here (network.twofactor.end_old_session).
        request.session[LOGIN_AT_SESSION_KEY] = int(time.time())
    record_event("auth.login", actor=user, obj=user)


@receiver(user_logged_out)
def audit_logout(
    sender: type[Any], request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    if user is not None:
        record_event("auth.logout", actor=user, obj=user)


@receiver(user_login_failed)
def audit_login_failed(
    sender: str,
    credentials: dict[str, Any],
    request: HttpRequest | None = None,
    **kwargs: Any,
) -> None:
    """A failed login names the account tried (never the password), and its agency if the
    account exists, so that agency's auditors see attempts on their users."""
    username = str(credentials.get("username", ""))[:150]
    user = get_user_model().objects.filter(username=username).first()
    record_event(
        "auth.login_failed",
        actor=None,
        object_type="network.user" if user else "",
        object_id=user.pk if user else "",
        purpose=f"username={username}",
        agency=user.agency if user else None,
    )
