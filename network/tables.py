"""The one way a list page is made: a django-tables2 `Table` per list (each app's `tables.py`)
drawn by `templates/includes/table.html`, and `TableListView`, which finds the rows
(`get_queryset`, starting at `visible_to(user)`), filters them with the app's FilterSet,
sorts them by a whitelisted column and pages them with a keyset cursor
(`network.pagination.keyset_page`). docs/architecture.md, "List pages", says how to add one.

Sorting: `?sort=<column>` or `?sort=-<column>` for a column declared `orderable=True`; its
`order_by` names one non-null field (the tests check that), and the id follows in the same
direction, so the order is total and the keyset cursor follows it. Any other `sort` value is
ignored (the default order), like a cursor that does not fit. An old numbered `?page=N`
redirects to the first page with the other parameters.
"""

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import django_tables2 as tables
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from network.filters import DefaultedFilterSet
from network.mixins import CapabilityRequiredMixin
from network.pagination import keyset_page

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Table(tables.Table):  # type: ignore[misc]  # django-tables2 is untyped
    """The base of every list's table: accessible markup (a caption, `<th scope="col">`,
    sort links with `aria-sort`), an empty state, the keyset pager. A subclass sets
    `caption`, `empty_sentence` (a sentence: nothing matches) and `css_class`."""

    caption: "StrOrPromise" = ""
    empty_sentence: "StrOrPromise" = _("Nothing matches.")
    css_class = ""  # the list's own class next to "list-table" (the journeys find it by it)

    def row_class(self, record: Any) -> str:
        """A class for one row (e.g. "overdue")."""
        return ""

    def __init__(self, data: Any, **kwargs: Any) -> None:
        # django-tables2 does not inherit an inner Meta: the defaults of every list are here.
        kwargs.setdefault("template_name", "includes/table.html")
        kwargs.setdefault("orderable", False)  # sortable only where a column says so
        kwargs.setdefault("empty_text", self.empty_sentence)
        kwargs.setdefault("attrs", {"class": f"list-table {self.css_class}".strip()})
        kwargs.setdefault("row_attrs", {"class": lambda record: self.row_class(record)})
        super().__init__(data, **kwargs)

    # Set by TableListView for the template.
    headers: list[dict[str, Any]]
    next_before: str | None = None
    paged = False
    clear_url = ""

    @classmethod
    def sort_fields(cls) -> dict[str, str]:
        """The whitelist: each sortable column's name and the one field it sorts by."""
        fields = {}
        for name, column in cls.base_columns.items():
            if column.orderable:
                order_by = column.order_by or (column.accessor or name,)
                (field,) = order_by  # one field: the cursor carries one value and the id
                fields[name] = str(field).replace(".", "__")
        return fields


def cell(template_name: str, verbose_name: "StrOrPromise", record: str, **kwargs: Any) -> Any:
    """A column drawn by a small template that gets the row as `record` (e.g. "case"), so an
    app's existing snippets (`cases/_status.html`) draw the cell. The template decides what an
    empty value looks like."""
    kwargs.setdefault("empty_values", ())
    return tables.TemplateColumn(
        template_name=template_name, verbose_name=verbose_name, context_object_name=record, **kwargs
    )


def moment(
    field: str, verbose_name: "StrOrPromise", *, time: bool = True, orderable: bool = True
) -> Any:
    """A column of the date (`time=False`) or date and time in `field`, in the language's
    format; sorted by the field itself where orderable. A date is never broken over two
    lines; the time may go below its date when the table is short of room
    (templates/includes/cells/datetime.html)."""
    return tables.TemplateColumn(
        template_name="includes/cells/datetime.html" if time else "includes/cells/date.html",
        accessor=field,
        verbose_name=verbose_name,
        orderable=orderable,
        order_by=(field,) if orderable else None,
        attrs={} if time else {"td": {"class": "nowrap"}},
    )


def sort_order(
    table_class: type[Table], value: str, default: Sequence[str]
) -> tuple[Sequence[str], str]:
    """The keyset order for `?sort=<value>` and the sort it stands for ("" = the default):
    (field, id) in the column's direction, or `default` for anything not on the whitelist."""
    name = value.removeprefix("-")
    field = table_class.sort_fields().get(name)
    if field is None:
        return default, ""
    sign = "-" if value.startswith("-") else ""
    return (f"{sign}{field}", f"{sign}id"), value


def _query(params: QueryDict, **changes: str | None) -> str:
    query = params.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    return f"?{query.urlencode()}" if query else "?"


def headers(table: Table, params: QueryDict, sort: str) -> list[dict[str, Any]]:
    """Each column's header: the sort link of a sortable one (ascending first, then the other
    way; back to page one) and `aria-sort` on the sorted one."""
    sortable = table.sort_fields()
    result = []
    for column in table.columns:
        header: dict[str, Any] = {"column": column, "href": "", "aria_sort": ""}
        if column.name in sortable:
            if sort == column.name:
                header["aria_sort"] = "ascending"
                header["href"] = _query(params, sort=f"-{column.name}", before=None)
            else:
                if sort == f"-{column.name}":
                    header["aria_sort"] = "descending"
                header["href"] = _query(params, sort=column.name, before=None)
        result.append(header)
    return result


class TableListView(CapabilityRequiredMixin, TemplateView):
    """A list page: the rows the user may see (`get_queryset`, starting at `visible_to`),
    filtered by the app's FilterSet (the one its API list uses) when it has one, sorted by
    `?sort=` or `default_order`, in keyset pages. The template gets `table` (draw it with
    `{% render_table table %}`), `filter`, the page's rows under `context_object_name`,
    `next_before`, `paged` and `filtering`."""

    table_class: type[Table]
    filterset_class: Any = None  # a django-filter FilterSet (an untyped library); optional
    context_object_name = "rows"
    page_size = 50
    # The order without `?sort=`: fields of the rows (none null), ending with the id.
    default_order: Sequence[str] = ("-id",)
    # Where a list has it, a method: `newest(count)`, the rows of `get_queryset()` as far as
    # their `count` newest by id, by a cheaper statement (`network.pagination.keyset_page`).
    # Not used with a FilterSet that has defaults: those filter when no filter is asked.
    newest: Callable[[int], models.QuerySet[Any]] | None = None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "page" in request.GET:
            # A numbered page from before the keyset pager (a bookmark, a link in a mail):
            # there are no page numbers to go to, so the first page, with the link's filters
            # and sort. Never an error, like a cursor that does not fit.
            query = _query(request.GET, page=None)
            return HttpResponseRedirect(request.path + (query if query != "?" else ""))
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> models.QuerySet[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define get_queryset()")

    def get_filterset(self) -> Any:  # a FilterSet, or None for a list without filters
        if self.filterset_class is None:
            return None
        kwargs: dict[str, Any] = {"queryset": self.get_queryset(), "request": self.request}
        if issubclass(self.filterset_class, DefaultedFilterSet):
            kwargs["with_defaults"] = True  # the page's defaults, never the API's
        return self.filterset_class(self.request.GET, **kwargs)

    def page_rows(self, rows: models.QuerySet[Any]) -> models.QuerySet[Any]:
        """The filtered rows as the page shows them (a hook to annotate before paging)."""
        return rows

    def decorate(self, rows: list[Any]) -> list[Any]:
        """The page's rows before they are drawn (a hook to add what a fixed number of
        queries can fetch for the whole page)."""
        return rows

    def get_table_kwargs(self) -> dict[str, Any]:
        return {}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filterset = self.get_filterset()
        if filterset is None:
            rows = self.get_queryset()
        else:
            rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        params = self.request.GET
        order, sort = sort_order(self.table_class, params.get("sort", ""), self.default_order)
        newest = self.newest
        if getattr(filterset, "defaults", None):
            newest = None
        page = keyset_page(
            self.page_rows(rows),
            params,
            order=order,
            size=self.page_size,
            newest=None if newest is None else (lambda count: self.page_rows(newest(count))),
        )
        page_rows = self.decorate(page.rows)
        table = self.table_class(page_rows, **self.get_table_kwargs())
        table.headers = headers(table, params, sort)
        table.next_before = page.next_before
        table.paged = page.paged
        if page.filtering:
            table.clear_url = _query(QueryDict(mutable=True), sort=sort or None)
        context.update(
            table=table,
            filter=filterset,
            next_before=page.next_before,
            paged=page.paged,
            filtering=page.filtering,
            sort=sort,
        )
        context[self.context_object_name] = page_rows
        return context


class AuditEventTable(Table):
    """The audit trail (network/views.py `AuditEventListView`): sentences, never action codes
    (network/audit_text.py describes each row before it is drawn)."""

    caption = _("Audit events")
    empty_sentence = _("No events match.")
    css_class = "audit-table"

    at = moment("at", _("Time"))
    user = cell("network/cells/audit_user.html", _("User"), "event")
    action = cell("network/cells/audit_action.html", _("Action"), "event")
    object = cell("network/_audit_object.html", _("Object"), "event")
    purpose = cell("network/cells/audit_purpose.html", _("Purpose or legal basis"), "event")
    reviewed = cell("network/cells/audit_reviewed.html", _("Reviewed"), "event")
