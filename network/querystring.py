"""What a query string may carry, checked once for every page and API call.

A NUL character reaches no legitimate filter, but PostgreSQL refuses it in any string it is
given, so a filter that passes it on (the tip queue, the risk candidates, the exports) turned
`?q=%00` into a server error. Refusing it here, with a 400 that names the parameter, closes
that for every view at once (docs/security.md, V5; tests/fuzz/).

`audited_filters` is what an export records of the filters it was given: only the names its
FilterSet knows, each value bounded, so a caller cannot write arbitrary text into the audit
trail through the query string.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponseBase, JsonResponse, QueryDict
from django.utils.translation import gettext as _
from django.views.defaults import bad_request

FILTER_VALUE_LIMIT = 200


def _first_bad_parameter(query: QueryDict) -> str | None:
    for key, values in query.lists():
        if "\x00" in key:  # the name itself is unusable: the request as a whole is refused
            return "non_field_errors"
        if any("\x00" in value for value in values):
            return key
    return None


class QueryStringMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        name = _first_bad_parameter(request.GET)
        if name is None:
            return self.get_response(request)
        message = _("Null characters are not allowed.")
        if request.path.startswith("/api/"):
            return JsonResponse({name: [message]}, status=400)
        return bad_request(request, ValueError(message))


def audited_filters(params: Mapping[str, Any], filterset_class: Any) -> dict[str, str]:
    """The known filters among `params` (a QueryDict or dict), values cut to a bounded length."""
    known = set(filterset_class.base_filters)
    return {
        key: str(value)[:FILTER_VALUE_LIMIT]
        for key, value in params.items()
        if key in known and value not in ("", None)
    }
