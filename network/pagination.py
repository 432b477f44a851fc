"""List paging: keyset pages for the list pages, and page-numbered lists whose count is capped.

Django's Paginator runs `SELECT COUNT(*)` over the whole filtered list to number the pages;
on a table that grows with every read (the audit trail) that cost grows without bound.
`CappedPaginator` counts at most `cap` rows (`COUNT(*)` over a `LIMIT cap + 1` subquery) and
says whether it stopped there; pages past the cap are reached by filtering instead.
"""

from typing import NamedTuple

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    cap = 10_000

    @cached_property
    def _counted(self) -> int:
        rows = self.object_list[: self.cap + 1]
        return rows.count() if hasattr(rows, "query") else len(rows)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @cached_property
    def capped(self) -> bool:
        """True when there are more rows than were counted."""
        return self._counted > self.cap


class KeysetPage(NamedTuple):
    rows: list
    next_before: int | None  # the id to continue below, None on the last page
    paged: bool  # past the first page
    filtering: bool  # any filter in use (the filter panel stays open)


def keyset_page(rows, params, *, size: int = 50) -> KeysetPage:
    """One page of a list, newest first, with a keyset cursor (`?before=<id>`): the cost of a
    page does not grow with how far one has paged, and nothing is counted. Every list page
    goes through here; `templates/includes/keyset_pager.html` draws its links."""
    before = params.get("before", "")
    paged = before.isascii() and before.isdigit()
    if paged:
        rows = rows.filter(id__lt=int(before))
    page = list(rows.order_by("-id")[: size + 1])
    return KeysetPage(
        rows=page[:size],
        next_before=page[size - 1].id if len(page) > size else None,
        paged=paged,
        filtering=any(value for key, value in params.items() if key != "before"),
    )
