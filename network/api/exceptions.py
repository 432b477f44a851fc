"""One place that turns errors from services into the API's error contract.

400 `{"field": ["message"]}` for bad input (Django ValidationError from a service included),
403 for a forbidden action on a visible object, 404 for anything out of scope, 409 for a
stale `version`. Never a stack trace.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from network.exceptions import StaleVersion


class Conflict(exceptions.APIException):
    """Somebody else saved the object after the client read it."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Someone else has changed this in the meantime. Reload and try again.")
    default_code = "stale_version"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, StaleVersion):
        return Response(
            {"version": [str(Conflict.default_detail)], "current": exc.current_version},
            status=Conflict.status_code,
        )
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(_nest(exc.message_dict))
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    if isinstance(exc, exceptions.ParseError):
        # A body that is not JSON (or not valid multipart) is wrong as a whole: say so in the
        # 400 shape every other bad input has, not DRF's bare {"detail"}.
        exc = exceptions.ValidationError({"non_field_errors": [str(exc.detail)]})
    return drf_exception_handler(exc, context)


def _nest(errors: dict[str, Any]) -> dict[str, Any]:
    """{"person.identifier": [...]} -> {"person": {"identifier": [...]}}, the shape DRF gives
    nested serializers, so a service's error names the same field as the request did."""
    nested: dict[str, Any] = {}
    for key, messages in errors.items():
        target = nested
        *parents, leaf = key.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = messages
    return nested
