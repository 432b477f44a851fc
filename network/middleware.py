"""Request context for the audit trail: a request id and the client address.

Only a connection from one of `AKRIM_TRUSTED_PROXY_IPS` is believed about anything in its
headers: its `X-Request-ID` (when well-formed) becomes the request id, and its
`X-Forwarded-For` names the client (`client_ip`). From anyone else both headers are
ignored: the id is generated here and the client is the connecting peer. The id is echoed
in the response so an operator can find every audit event (and log line) of one request.
Celery tasks and commands run outside a request: their events carry no request id unless
the caller sets one with `request_context(...)`. docs/security.md, "Client address".
"""

import functools
import ipaddress
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

if TYPE_CHECKING:
    from rest_framework.request import Request

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None


UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104 - a placeholder value, nothing binds to it


@functools.lru_cache(maxsize=8)
def _proxy_networks(
    entries: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def is_trusted_proxy(value: str) -> bool:
    address = _address(value)
    networks = _proxy_networks(tuple(settings.AKRIM_TRUSTED_PROXY_IPS))
    return address is not None and any(address in network for network in networks)


def client_ip(request: "HttpRequest | Request") -> str:
    """The client's address: the connecting peer, unless that is a trusted proxy; then
    X-Forwarded-For is walked from the right past every trusted proxy, and the first other
    address is the client (what a client wrote further left is never reached). Never
    anything but an address: the lockouts store it in an IP column."""
    remote: str = request.META.get("REMOTE_ADDR", "")
    if _address(remote) is None:
        return UNKNOWN_ADDRESS
    client = remote
    if is_trusted_proxy(remote):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        for hop in reversed([part.strip() for part in forwarded if part.strip()]):
            if _address(hop) is None:
                break  # junk from a misconfigured proxy: keep the last address known good
            client = hop
            if not is_trusted_proxy(hop):
                break
    return client


_NO_REQUEST = RequestContext()
_current: ContextVar[RequestContext | None] = ContextVar("akrim_request", default=None)


def current_request() -> RequestContext:
    return _current.get() or _NO_REQUEST


@contextmanager
def request_context(request_id: str = "", ip: str | None = None) -> Iterator[None]:
    token = _current.set(RequestContext(request_id=request_id, ip=ip))
    try:
        yield
    finally:
        _current.reset(token)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        incoming = request.headers.get("X-Request-ID", "")
        if (
            incoming
            and _REQUEST_ID_RE.match(incoming)
            and is_trusted_proxy(request.META.get("REMOTE_ADDR", ""))
        ):
            request_id = incoming
        else:
            request_id = uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]  # for logs and audit
        ip = client_ip(request)
        with request_context(request_id, None if ip == UNKNOWN_ADDRESS else ip):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class IdleSessionMiddleware:
    """The idle timeout (SESSION_COOKIE_AGE) without a session write on every request.

    Django's SESSION_SAVE_EVERY_REQUEST writes the session row on every request to push its
    expiry forward: an UPDATE in a savepoint, three round trips of the few an API request
    makes (docs/performance.md, "Per-request overhead"). Here a signed-in session is written
    only when its last write is more than SESSION_TOUCH_SECONDS old, so a session still
    ends after SESSION_COOKIE_AGE without a request, give or take that minute. Install
    right after SessionMiddleware (its response is handled before the session is saved)."""

    KEY = "_touched"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.modified:
            return response
        if session.session_key is None or session.is_empty():
            return response
        now = int(time.time())
        if now - session.get(self.KEY, 0) >= settings.SESSION_TOUCH_SECONDS:
            session[self.KEY] = now  # marks it modified: SessionMiddleware saves it
        return response
