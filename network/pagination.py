"""List paging: keyset pages for the list pages, and page-numbered lists whose count is capped.

Django's Paginator runs `SELECT COUNT(*)` over the whole filtered list to number the pages;
on a table that grows with every read (the audit trail) that cost grows without bound.
`CappedPaginator` counts at most `cap` rows (`COUNT(*)` over a `LIMIT cap + 1` subquery) and
says whether it stopped there; pages past the cap are reached by filtering instead.
"""

import datetime
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple, cast
from urllib.parse import quote, unquote

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
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


# Query parameters that move through a list rather than filter it.
NOT_FILTERS = frozenset({"before", "sort"})


def _key(field: str) -> tuple[str, bool]:
    """("planned_date", True) for "-planned_date": the field and whether it descends."""
    return field.lstrip("-"), field.startswith("-")


def _value(row: Any, name: str) -> object:
    """The row's value of an order key, across relations ("employer__name")."""
    for part in name.split("__"):
        row = getattr(row, part)
    return row


def _encode(value: object) -> str:
    text = value.isoformat() if isinstance(value, datetime.date) else str(value)
    return quote(text, safe="").replace("_", "%5F")  # "_" joins the values


def _after(rows: QuerySet[Any], order: Sequence[str], values: Sequence[str]) -> QuerySet[Any]:
    """The rows that come after `values` in `order`, compared as a tuple: for keys k1..kn,
    (k1 past v1) or (k1 = v1 and k2 past v2) or ... ("past" is < for a descending key)."""
    keys = [_key(field) for field in order]
    condition = Q()
    for n, (name, descending) in enumerate(keys):
        step = Q(**{f"{name}__{'lt' if descending else 'gt'}": values[n]})
        for earlier, (earlier_name, _desc) in enumerate(keys[:n]):
            step &= Q(**{earlier_name: values[earlier]})
        condition |= step
    return rows.filter(condition)


def keyset_page(
    rows: QuerySet[Any],
    params: Mapping[str, str],
    *,
    order: Sequence[str] = ("-id",),
    size: int = 50,
    newest: Callable[[int], QuerySet[Any]] | None = None,
) -> KeysetPage:
    """One page of a list in `order` (fields of the rows, none of them null, "-" for
    descending; the last one is "id" or "-id", the tiebreak that makes the order total),
    with a keyset cursor (`?before=`): the cost of a page does not grow with how far one
    has paged, and nothing is counted.

    The cursor is the order's values of the last row shown, joined by "_" (each value
    percent-quoted): "<id>" for the order ("-id",), "<date>_<id>" for ("-planned_date",
    "-id"). A bare "<id>" (an older link) still works under a longer order: the row's
    values are looked up (one query). A cursor that cannot be read is ignored (the first
    page), never an error. Every list page goes through here (`network/tables.py`,
    `TableListView`); `templates/includes/table.html` draws the links.

    `newest(count)`, where a list has it: a queryset whose rows, newest first and cut at
    `count`, are those of `rows` when nothing filters them; it answers the first page in the
    order ("-id",) when no filter is asked (the case list's `CasePolicy.newest`, which reads
    each relation of the scope by its index: docs/performance.md, "First pages")."""
    filtering = any(value for key, value in params.items() if key not in NOT_FILTERS)
    if not order or _key(order[-1])[0] not in ("id", "pk"):
        raise ValueError(f"A keyset order ends with the id tiebreak, not {order!r}")
    cursor = params.get("before", "")
    values: list[Any] | None = [unquote(part) for part in cursor.split("_")] if cursor else None
    if values is not None and len(values) == 1 and len(order) > 1:
        pk = values[0]
        found = (
            rows.filter(pk=int(pk)).values_list(*[_key(f)[0] for f in order]).first()
            if pk.isascii() and pk.isdigit()
            else None
        )
        values = list(found) if found is not None else None
    paged = False
    if values is not None and len(values) == len(order):
        try:
            rows = _after(rows, order, values)
            paged = True
        except (ValidationError, ValueError, TypeError):
            pass  # a cursor that does not fit this order: the first page
    if newest is not None and not cursor and not filtering and tuple(order) == ("-id",):
        rows = newest(size + 1)
    page = list(rows.order_by(*order)[: size + 1])
    last = page[size - 1] if len(page) > size else None
    next_before = (
        None if last is None else "_".join(_encode(_value(last, _key(field)[0])) for field in order)
    )
    return KeysetPage(
        rows=page[:size],
        next_before=next_before,
        paged=paged,
        filtering=filtering,
    )
