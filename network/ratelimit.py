"""One rate limiter for every public and authentication endpoint.

Windows counted in the shared cache (Redis when it is configured, so every web worker
sees the same counts). A rule is a name in `settings.AKRIM_RATE_LIMITS` mapped to
`(requests, seconds)`; the key is the client address or a value the client sent (a
username, an e-mail address), hashed so the cache holds no personal data in clear.

Over the limit a browser gets a friendly Swedish page and an API client a JSON body; both
answer 429 with `Retry-After`.

When the shared cache cannot be reached (Redis down), the counters *fail open per process*:
each web process counts in its own memory until Redis answers again, so the limits still
hold, multiplied at most by the number of processes, and no request fails because of a
counter (docs/security.md "Rate limits"). Nothing is audited here: counting is cheap and anonymous,
and lockouts of accounts (django-axes) are audited where they happen (network.lockout).
"""

import functools
import hashlib
import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# The one definition of the client address (also django-axes' AXES_CLIENT_IP_CALLABLE).
from network.middleware import UNKNOWN_ADDRESS as UNKNOWN_ADDRESS  # re-exported
from network.middleware import client_ip as client_ip  # re-exported

if TYPE_CHECKING:
    from rest_framework.request import Request

type _View = Callable[..., HttpResponseBase]


def _key(rule: str, value: str) -> str:
    digest = hashlib.sha256(f"{rule}:{value}".encode()).hexdigest()[:32]
    return f"{settings.AKRIM_RATELIMIT_PREFIX}rl:{rule}:{digest}"


# While the shared cache is away, counting goes here, and the shared cache is not tried
# again for SHARED_PAUSE_SECONDS (each try at a stopped Redis costs the client's retries).
_local = LocMemCache("akrim-ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 10000}})
SHARED_PAUSE_SECONDS = 10
_shared_paused_until = 0.0
log = logging.getLogger(__name__)


def hit(rule: str, value: str) -> int | None:
    """Count one request under `rule` for `value`; return the seconds to wait when this
    request goes over the limit, otherwise None. A window opens at the first request and
    lasts the rule's period. Counted in the shared cache, or in this process's memory while
    the shared one cannot be reached (fail open per process, see the module docstring)."""
    global _shared_paused_until
    if time.monotonic() >= _shared_paused_until:
        try:
            return _count(cache, rule, value)
        except Exception as error:  # the cache client's connection errors vary by backend
            if not _is_unreachable(error):
                raise
            _shared_paused_until = time.monotonic() + SHARED_PAUSE_SECONDS
            log.warning("rate limit: shared cache unreachable (%s); counting per process", error)
    return _count(_local, rule, value)


def _is_unreachable(error: Exception) -> bool:
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # pragma: no cover - redis is a dependency
        return isinstance(error, OSError)
    return isinstance(error, RedisConnectionError | RedisTimeoutError | OSError)


def _count(store: BaseCache, rule: str, value: str) -> int | None:
    limit, period = settings.AKRIM_RATE_LIMITS[rule]
    now = int(time.time())
    key = _key(rule, value)
    store.add(f"{key}:since", now, timeout=period)
    store.add(key, 0, timeout=period)
    try:
        count = store.incr(key)
    except ValueError:  # expired between add and incr
        store.set(key, 1, timeout=period)
        count = 1
    if count > limit:
        since = store.get(f"{key}:since") or now
        return max(1, since + period - now)
    return None


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    """429 with Retry-After: JSON for the API, a page for people."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": _("Too many requests. Try again in %(seconds)s seconds.")
                % {"seconds": retry_after}
            },
            status=429,
        )
    else:
        response = render(
            request,
            "429.html",
            {"retry_after": retry_after, "minutes": max(1, (retry_after + 59) // 60)},
            status=429,
        )
    response["Retry-After"] = str(retry_after)
    return response


def check(request: "HttpRequest | Request", *rules: tuple[str, str]) -> int | None:
    """Count the request under each (rule, value); the longest wait if any is exceeded.
    Empty values (a form sent without a username) are counted under the address only."""
    counted = [hit(rule, value) for rule, value in rules if value]
    waits = [wait for wait in counted if wait]
    return max(waits) if waits else None


def limit_posts(*rules: tuple[str, str | None]) -> Callable[[_View], _View]:
    """Decorate a view (for a class-based view: `method_decorator(limit_posts(...),
    name="dispatch")`): each POST counts under each rule. A rule's second item is None for the client address, or the name of the POST
    (or JSON) field whose value is the key, e.g. ("login:username", "username")."""

    def decorator(view: _View) -> _View:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> HttpResponseBase:
            request = args[0]
            if request.method == "POST":
                pairs: list[tuple[str, str]] = []
                for rule, field in rules:
                    if field is None:
                        pairs.append((rule, client_ip(request)))
                    else:
                        pairs.append((rule, _posted(request, field)))
                wait = check(request, *pairs)
                if wait:
                    return too_many_requests(request, wait)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _posted(request: HttpRequest, field: str) -> str:
    value = request.POST.get(field, "")
    if not value and request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            body = {}
        value = body.get(field, "") if isinstance(body, dict) else ""
    return str(value).strip().lower()[:254]
