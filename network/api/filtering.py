"""The API lists' filter backend: django-filter's, not run when no filter is asked for.

django-filter builds the list's FilterSet on every request, with a deep copy of its filters
and a Django form, and validates the form, even when the query string names no filter
(the first page of a list, the most frequent request there is): about a seventh of the case
list's Python per request (docs/performance.md, "d: the stack per request"). A FilterSet
whose filters all leave the list as it is when not given does nothing then, so here it is
not built at all.

That holds for every FilterSet the API uses: `tests/network/test_filtering.py` runs each
one with an empty query string and checks that it is valid and leaves the SQL unchanged. A
filter that filters when it is *not* given (a default, a checkbox read as False) makes that
test fail; it would have to be given explicitly, or the FilterSet left out of this shortcut.
"""

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.request import Request
from rest_framework.views import APIView


def names_a_filter(query: Any, filterset_class: Any) -> bool:
    """Whether a parameter in `query` may be read by one of the FilterSet's filters: its name
    starts with the filter's (the widgets of range filters read `<name>_min` and the like)."""
    names = tuple(filterset_class.base_filters)
    return any(key.startswith(names) for key in query)


class FilterBackend(DjangoFilterBackend):  # type: ignore[misc]  # django-filter: untyped
    def filter_queryset(
        self, request: Request, queryset: QuerySet[Any], view: APIView
    ) -> QuerySet[Any]:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not names_a_filter(
            request.query_params, filterset_class
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)  # type: ignore[no-any-return]
