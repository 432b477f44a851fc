"""The report pages' tables (drawn by network/tables.py)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from network.tables import Table, cell, moment


class BuildTable(Table):
    """The builds of the figures on the report page, newest request first: each row links to
    the build (its progress while it runs, the report when ready)."""

    caption = _("Builds")
    empty_sentence = _("No builds yet.")
    css_class = "build-table"

    year = tables.Column(verbose_name=_("Year"), orderable=True)
    scope = cell("reports/cells/build_scope.html", _("Scope"), "build")
    status = cell("reports/cells/build_status.html", _("Status"), "build")
    requested = moment("requested_at", _("Requested"))

    def render_year(self, record, value):
        return format_html(
            '<a href="{}">{}</a>', reverse("reports:build_detail", args=[record.pk]), value
        )
