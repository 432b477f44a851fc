"""The tables of the inspection pages (drawn by network/tables.py)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from network.tables import Table, cell


class InspectionTable(Table):
    caption = _("Inspections")
    empty_sentence = _("No inspections match.")

    reference = tables.Column(
        verbose_name=_("Reference"), orderable=True, attrs={"td": {"class": "nowrap"}}
    )
    planned = tables.TemplateColumn(
        template_name="includes/cells/date.html",
        accessor="planned_date",
        verbose_name=_("Planned"),
        orderable=True,
        order_by=("planned_date",),
        attrs={"td": {"class": "nowrap"}},
    )
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
