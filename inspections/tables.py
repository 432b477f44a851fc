"""The tables of the inspection pages (drawn by network/tables.py)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from network.tables import Table, cell, moment


class InspectionTable(Table):
    caption = _("Inspections")
    empty_sentence = _("No inspections match.")
    css_class = "inspection-table"

    reference = tables.Column(
        verbose_name=_("Reference"), orderable=True, attrs={"td": {"class": "nowrap"}}
    )
    planned = moment("planned_date", _("Planned"), time=False)
    workplace = cell("inspections/cells/workplace.html", _("Workplace"), "inspection")
    county = tables.Column(verbose_name=_("County"), accessor="workplace__county__name")
    sni = cell("inspections/cells/sni.html", _("Industry"), "inspection")
    status = cell("inspections/_status.html", _("Status"), "inspection")
    mine = cell(
        "inspections/_my_assignment.html",
        _("Your agency"),
        "inspection",
        empty_values=(),
    )

    def render_reference(self, record, value):
        return format_html(
            '<a href="{}">{}</a>', reverse("inspections:inspection_detail", args=[record.pk]), value
        )


class FollowUpTable(Table):
    """The follow-ups of visible inspections; the Done button only for the own agency's open
    ones (the page's `may_complete`, `my_agency_id`; the service checks it again)."""

    caption = _("Follow-ups")
    empty_sentence = _("No follow-ups here.")
    css_class = "follow-up-table"

    title = tables.Column(verbose_name=_("Task"), orderable=True)
    inspection = cell("inspections/cells/follow_up_inspection.html", _("Inspection"), "follow_up")
    agency = cell("inspections/cells/follow_up_agency.html", _("Agency"), "follow_up")
    status = cell("inspections/cells/follow_up_status.html", _("Status"), "follow_up")
    due = cell(
        "inspections/cells/follow_up_due.html",
        _("Due date"),
        "follow_up",
        orderable=True,
        order_by=("due_date",),
        attrs={"td": {"class": "nowrap"}},
    )
    assignee = tables.Column(
        verbose_name=_("Assignee"), accessor="assignee__get_username", default="–"
    )
    done = cell("inspections/cells/follow_up_done.html", _("Done"), "follow_up")

    def row_class(self, record):
        overdue = record.status == "open" and record.due_date < timezone.localdate()
        return "follow-up overdue" if overdue else "follow-up"


class OperationTable(Table):
    """The operations board: each operation a card (`inspections/_operation_cards.html`,
    since a card holds its counts, its answers table and its buttons, which a row cannot on a
    tablet); the columns are what the cards can be sorted by and name the sort links. The
    view's `decorate` adds the counts and the answers."""

    caption = _("Control operations")
    empty_sentence = _("No control operations match.")
    css_class = "operations"

    period = tables.Column(
        verbose_name=_("Period"),
        accessor="period_start",
        orderable=True,
        order_by=("period_start",),
    )
    title = tables.Column(verbose_name=_("Title"), orderable=True)
    reference = tables.Column(verbose_name=_("Reference"), orderable=True)
    status = tables.Column(verbose_name=_("Status"), accessor="get_status_display")

    def __init__(self, data, **kwargs):
        kwargs.setdefault("template_name", "inspections/_operation_cards.html")
        super().__init__(data, **kwargs)
