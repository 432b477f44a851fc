"""A clean 503 while the database cannot be reached.

When PostgreSQL is down (restarting, failing over, out of connections) every request that
touches it raises OperationalError or InterfaceError. Without this module the person would get
the generic "technical error" page, or in the API a bare 500, and an operator could not tell
an outage from a bug. Here such a request answers 503 with Retry-After: a static Swedish page
(English underneath, like the other error pages) that needs neither the database nor the
session, or `{"detail": ...}` for the API. No stack trace is shown; the error is logged.

Two ways in, because Django turns exceptions into responses in two places:
- `DatabaseOutageMiddleware.process_exception` for exceptions raised by a view (DEBUG or not);
- `server_error`, the project's `handler500`, for exceptions raised by middleware (the session
  or the user being loaded, the session being saved) after the view has returned.
"""

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30

# The page must render when nothing else works: no database, no session, no template context
# processors, and even no static-files manifest. This is the last resort if the template fails.
_FALLBACK = (
    '<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Tillfälligt avbrott'
    " · akrim</title></head><body><h1>Tillfälligt avbrott</h1><p>akrim kan inte nå sin databas"
    " just nu. Ingenting du skickade har sparats till hälften. Försök igen om en stund.</p>"
    '<p lang="en">akrim cannot reach its database right now. Please try again shortly.</p>'
    "</body></html>"
)


def is_database_outage(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, DATABASE_DOWN):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def outage_response(request: HttpRequest, exc: BaseException | None = None) -> HttpResponse:
    logger.error(
        "database unavailable, answering 503 to %s %s (request %s): %s",
        request.method,
        request.path,
        getattr(request, "request_id", "-"),
        exc,
    )
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": "Databasen går inte att nå just nu. Försök igen om en stund."},
            status=503,
        )
    else:
        body: str
        try:
            body = render_to_string("503.html")
        except Exception:  # a missing static manifest must not turn a 503 into a 500
            body = _FALLBACK
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """Turns a database outage met inside a view into a 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: BaseException
    ) -> HttpResponse | None:
        if is_database_outage(exception):
            return outage_response(request, exception)
        return None


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: a 503 when the uncaught exception is a database outage, else the usual 500."""
    exc = sys.exc_info()[1]
    if is_database_outage(exc):
        return outage_response(request, exc)
    return defaults.server_error(request, template_name=template_name)
