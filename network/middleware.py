"""Request context for the audit trail: a request id and the client address.

The id comes from a trusted proxy's `X-Request-ID` when it looks sane, otherwise it is
generated. It is echoed in the response so an operator can find every audit event (and log
line) of one request. Celery tasks and commands run outside a request: their events carry
no request id unless the caller sets one with `request_context(...)`.
"""

import re
import time
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None


_NO_REQUEST = RequestContext()
_current: ContextVar[RequestContext | None] = ContextVar("akrim_request", default=None)


def current_request() -> RequestContext:
    return _current.get() or _NO_REQUEST


@contextmanager
def request_context(request_id: str = "", ip: str | None = None):
    token = _current.set(RequestContext(request_id=request_id, ip=ip))
    try:
        yield
    finally:
        _current.reset(token)


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        with request_context(request_id, request.META.get("REMOTE_ADDR") or None):
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

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
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
