"""Page-numbered lists whose count is capped (issue 8: no list counts every row it could show).

Django's Paginator runs `SELECT COUNT(*)` over the whole filtered list to number the pages;
on a table that grows with every read (the audit trail) that cost grows without bound.
`CappedPaginator` counts at most `cap` rows (`COUNT(*)` over a `LIMIT cap + 1` subquery) and
says whether it stopped there; pages past the cap are reached by filtering instead.
"""

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
