"""The tables of the coordination pages (drawn by network/tables.py)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from network.tables import Table, cell


class CaseTable(Table):
    caption = _("Cases")
    empty_sentence = _("No cases match.")

    reference = tables.Column(
        verbose_name=_("Reference"), orderable=True, attrs={"td": {"class": "nowrap"}}
    )
    title = tables.Column(verbose_name=_("Title"), orderable=True)
    employer = cell("cases/cells/case_employer.html", _("Employer"), "case")
    owner_agency = cell("cases/cells/case_owner.html", _("Owner"), "case")
    status = cell("cases/_status.html", _("Status"), "case")
    updated = tables.TemplateColumn(
        template_name="includes/cells/datetime.html",
        accessor="updated_at",
        verbose_name=_("Updated"),
        orderable=True,
        order_by=("updated_at",),
        attrs={"td": {"class": "nowrap"}},
    )

    def render_reference(self, record, value):
        return format_html(
            '<a href="{}">{}</a>', reverse("cases:case_detail", args=[record.pk]), value
        )
