"""The tip triage queue's table (drawn by network/tables.py)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from network.tables import Table, cell, moment


class TipTable(Table):
    caption = _("Tips from the public")
    empty_sentence = _("No tips here.")
    css_class = "tip-queue"

    received = moment("received_at", _("Received"))
    code = tables.Column(verbose_name=_("Code"))
    workplace = cell("cases/cells/tip_workplace.html", _("Workplace"), "tip")
    county = tables.Column(verbose_name=_("County"), accessor="county__name", default="–")
    industry = tables.Column(verbose_name=_("Industry"), accessor="get_industry_display")
    outcome = tables.Column(verbose_name=_("Outcome"), accessor="get_outcome_display")

    def render_code(self, record, value):
        return format_html(
            '<a href="{}">{}</a>', reverse("tips:tip_detail", args=[record.pk]), value
        )
