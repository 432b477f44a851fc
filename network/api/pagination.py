"""Cursor pagination for every list: `{"next", "previous", "results"}`.

Cursors stay fast on big tables (no OFFSET, no exact COUNT) and stable while rows are added.
"""

from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CodeCursorPagination(IdCursorPagination):
    """For reference data keyed by a stable code (agencies, counties)."""

    ordering = "code"
