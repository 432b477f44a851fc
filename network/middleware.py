"""Request context for the audit trail: a request id and the client address.

The id is the incoming `X-Request-ID` when it looks sane, otherwise it is generated. Any
client can send that header (no proxy vouches for it), so the id only ties log lines and
audit events together and is never trusted for a decision. It is echoed in the response so an operator can find every audit event (and log
line) of one request. Celery tasks and commands run outside a request: their events carry
no request id unless the caller sets one with `request_context(...)`.
"""

import re
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

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
