"""Lockout after repeated failed logins (django-axes), with its audit and the unlock path.

Two limits within `AXES_COOLOFF_TIME`: `AKRIM_LOCKOUT_USER_FAILURES` failures on one
username lock that username (from anywhere), and `AKRIM_LOCKOUT_IP_FAILURES` failures from
one address lock that address (for any username). The address limit is higher because an
agency's staff often share one outgoing address. axes compares a single number with a
single limit, so `AkrimAxesHandler.get_failures` scales the address count onto the user
limit; the rows and the admin stay axes' own.

A lockout writes `auth.locked_out` to the audit trail; an unlock (admin action or
`manage.py unlock_login`) writes `auth.unlocked` with who unlocked whom.
"""

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet, Sum
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from network.models import Membership, Role, User
from network.services import record_event


class AkrimAxesHandler(AxesDatabaseHandler):  # type: ignore[misc]  # axes: untyped
    """axes' database handler with separate limits per username and per address."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        attempts = AccessAttempt.objects.all()
        cool_off = get_cool_off(request)
        if cool_off is not None:
            attempts = attempts.filter(attempt_time__gte=request.axes_attempt_time - cool_off)
        username = get_client_username(request, credentials)
        by_user = 0
        if username:
            by_user = _failures(attempts.filter(username=username))
        by_ip = _failures(attempts.filter(ip_address=request.axes_ip_address))
        user_limit = settings.AXES_FAILURE_LIMIT
        # by_ip reaches the address limit exactly when this reaches the user limit.
        scaled_ip = by_ip * user_limit // settings.AKRIM_LOCKOUT_IP_FAILURES
        return max(by_user, scaled_ip)

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """A right password clears that username's failures, not the address's: otherwise
        one valid account would let a guesser wipe the address count at will."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return int(count)


def _failures(attempts: QuerySet[Any]) -> int:
    return int(attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0)


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """What a locked-out person sees: a calm Swedish page (or JSON for the API), 429 with
    Retry-After, never a stack trace."""
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": _(
                    "Too many failed logins. The account or address is locked for "
                    "%(minutes)s minutes; an administrator can unlock it sooner."
                )
                % {"minutes": seconds // 60}
            },
            status=429,
        )
    else:
        response = render(
            request, "registration/locked_out.html", {"minutes": seconds // 60}, status=429
        )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response


@receiver(user_locked_out)
def audit_lockout(
    sender: object,
    request: HttpRequest | None = None,
    username: str | None = None,
    ip_address: str | None = None,
    **kwargs: Any,
) -> None:
    user = get_user_model().objects.filter(username=username or "").first()
    record_event(
        "auth.locked_out",
        actor=None,
        object_type="network.user" if user else "",
        object_id=user.pk if user else "",
        purpose=f"username={(username or '')[:150]}",
        agency=user.agency if user else None,
    )


def may_unlock(actor: User | None, username: str) -> bool:
    """The system (a command), a system administrator, or an agency administrator for a
    username of their own agency. Addresses are shared by many agencies' staff, so only
    the system administrator unlocks those."""
    if actor is None or actor.is_superuser:
        return True
    agency = actor.agency
    if not username or agency is None or Role.ADMIN not in actor.roles:
        return False
    return Membership.objects.filter(user__username=username, agency=agency).exists()


def unlock_login(*, username: str = "", ip_address: str = "", actor: User | None) -> int:
    """Clear the failed attempts of a username and/or an address so they may try again.
    Returns how many failed logins were cleared; audited either way."""
    if not username and not ip_address:
        raise ValueError("Name a username or an address to unlock.")
    if (
        actor is not None
        and not actor.is_superuser
        and (ip_address or not may_unlock(actor, username))
    ):
        raise PermissionDenied(_("You may unlock only users of your own agency."))
    attempts = AccessAttempt.objects.all()
    if username:
        attempts = attempts.filter(username=username)
    if ip_address:
        attempts = attempts.filter(ip_address=ip_address)
    removed = _failures(attempts)
    AxesProxyHandler.reset_attempts(username=username or None, ip_address=ip_address or None)
    user = get_user_model().objects.filter(username=username).first() if username else None
    record_event(
        "auth.unlocked",
        actor=actor,
        object_type="network.user" if user else "",
        object_id=user.pk if user else "",
        purpose=f"username={username} ip={ip_address} failures={removed}",
        agency=user.agency if user else None,
    )
    return removed
