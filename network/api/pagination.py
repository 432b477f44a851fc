"""Cursor pagination for every list: `{"next", "previous", "results"}`.

Cursors stay fast on big tables (no OFFSET, no exact COUNT) and stable while rows are added.
A cursor comes back from the client, so it is checked before use: a position that is not a
value of the ordering field (a tampered or foreign cursor) answers 404 "Invalid cursor", as
an undecodable one does in DRF, never a server error from the database.
"""

from collections.abc import Callable, Sequence
from typing import cast

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Field, Model, QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.views import APIView

POSITION_LIMIT = 200


class IdCursorPagination(CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset[M: Model, R](
        self,
        queryset: QuerySet[M, R] | Sequence[R],
        request: Request,
        view: APIView | None = None,
        newest: Callable[[int], QuerySet[M, R]] | None = None,
    ) -> list[R] | None:
        """`newest(count)`, where a list has it: a queryset whose rows, newest first and cut at
        `count`, are those of `queryset`, by a cheaper statement. It answers the first page
        in the default order (no cursor, `-id`), which is most of the requests a list gets;
        the case list's (`CasePolicy.newest`) reads each relation of the scope by its index
        instead of hashing the agency's shares (docs/performance.md, "First pages")."""
        rows = cast(QuerySet[M, R], queryset)  # our lists are querysets
        self._model = rows.model
        if (
            newest is not None
            and view is not None
            and self.cursor_query_param not in request.query_params
            and self.get_ordering(request, rows, view) == ("-id",)
        ):
            size = self.get_page_size(request)
            if size:  # the page and the one row past it, as DRF reads them
                queryset = newest(size + 1)
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Request) -> Cursor | None:
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            self._check_position(str(cursor.position))  # text from the query (stubs: int)
        return cursor

    def _check_position(self, position: str) -> None:
        ordering = self.ordering if isinstance(self.ordering, str) else self.ordering[0]
        invalid = NotFound(self.invalid_cursor_message)
        if "\x00" in position or len(position) > POSITION_LIMIT:
            raise invalid
        try:
            field = self._model._meta.get_field(ordering.lstrip("-"))
        except FieldDoesNotExist:
            return  # an annotation: its type is not known here; length and NUL were checked
        if not isinstance(field, Field):
            return  # a reverse relation: never an ordering here
        try:
            value = field.to_python(position)
            if hasattr(field, "get_prep_value"):
                field.get_prep_value(value)
        except (ValidationError, ValueError, TypeError, OverflowError):
            raise invalid from None


class CodeCursorPagination(IdCursorPagination):
    """For reference data keyed by a stable code (agencies, counties)."""

    ordering = "code"
