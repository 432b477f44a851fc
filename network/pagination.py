"""List paging: keyset pages for the list pages, and page-numbered lists whose count is capped.

Django's Paginator runs `SELECT COUNT(*)` over the whole filtered list to number the pages;
on a table that grows with every read (the audit trail) that cost grows without bound.
`CappedPaginator` counts at most `cap` rows (`COUNT(*)` over a `LIMIT cap + 1` subquery) and
says whether it stopped there; pages past the cap are reached by filtering instead.
"""

import datetime
from collections.abc import Mapping
from typing import Any, NamedTuple, cast

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet, Subquery
from django.utils.functional import cached_property


class CappedPaginator(Paginator[Any]):
    cap = 10_000

    @cached_property
    def _counted(self) -> int:
        rows = self.object_list[: self.cap + 1]
        return cast(QuerySet[Any], rows).count() if hasattr(rows, "query") else len(rows)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @cached_property
    def capped(self) -> bool:
        """True when there are more rows than were counted."""
        return self._counted > self.cap


class KeysetPage(NamedTuple):
    rows: list[Any]
    next_before: str | None  # the cursor to continue below, None on the last page
    paged: bool  # past the first page
    filtering: bool  # any filter in use (the filter panel stays open)


def _cursor(value: str, by_date: bool) -> tuple[datetime.date | None, int] | None:
    """`?before=`: "<id>", or "<date>_<id>" of the last row shown when the list is ordered by
    a date first (a bare id still works there, from older links); None when absent or
    malformed."""
    day, _sep, pk = value.rpartition("_")
    if not (pk.isascii() and pk.isdigit()) or (day and not by_date):
        return None
    if not day:
        return (None, int(pk))
    try:
        return (datetime.date.fromisoformat(day), int(pk))
    except ValueError:
        return None


def keyset_page(
    rows: QuerySet[Any], params: Mapping[str, str], *, size: int = 50, date_field: str = ""
) -> KeysetPage:
    """One page of a list, newest first (by `date_field` then id, or by id), with a keyset
    cursor (`?before=`): the cost of a page does not grow with how far one has paged, and
    nothing is counted. Every list page goes through here (`FilteredListView`);
    `templates/includes/keyset_pager.html` draws its links."""
    cursor = _cursor(params.get("before", ""), bool(date_field))
    if cursor is not None:
        day, pk = cursor
        if not date_field:
            rows = rows.filter(id__lt=pk)
        else:
            bound: object = day
            if day is None:
                bound = Subquery(rows.model.objects.filter(pk=pk).values(date_field)[:1])
            rows = rows.filter(
                Q(**{f"{date_field}__lt": bound}) | Q(**{date_field: bound, "id__lt": pk})
            )
    order = [f"-{date_field}", "-id"] if date_field else ["-id"]
    page = list(rows.order_by(*order)[: size + 1])
    last = page[size - 1] if len(page) > size else None
    if last is None:
        next_before = None
    elif date_field:
        next_before = f"{getattr(last, date_field).isoformat()}_{last.id}"
    else:
        next_before = str(last.id)
    return KeysetPage(
        rows=page[:size],
        next_before=next_before,
        paged=cursor is not None,
        filtering=any(value for key, value in params.items() if key != "before"),
    )
