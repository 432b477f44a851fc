"""The referral list's table (drawn by network/tables.py). No identity field is a column,
masked or not (cases/referrals/views.py `LIST_FIELDS`)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from network.tables import Table, cell, moment


class ReferralTable(Table):
    caption = _("Referrals")
    empty_sentence = _("No referrals match.")
    css_class = "referral-table"

    reference = tables.Column(
        verbose_name=_("Reference"), orderable=True, attrs={"td": {"class": "nowrap"}}
    )
    created = moment("created_at", _("Created"), time=False)
    status = cell("cases/referral_status.html", _("Status"), "referral")
    receiving_body = tables.Column(
        verbose_name=_("Receiving body"), accessor="get_receiving_body_display"
    )
    sex = tables.Column(verbose_name=_("Sex"), accessor="get_sex_display")
    nationality = cell("cases/cells/referral_nationality.html", _("Nationality"), "referral")
    birth_year = cell("cases/cells/referral_birth_year.html", _("Year of birth"), "referral")
    child = cell("cases/cells/referral_child.html", _("Child"), "referral")

    def render_reference(self, record, value):
        return format_html(
            '<a href="{}">{}</a>', reverse("referrals:referral_detail", args=[record.pk]), value
        )
