"""The tables of the coordination pages (drawn by network/tables.py)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from network.tables import Table, cell, moment


class CaseTable(Table):
    caption = _("Cases")
    empty_sentence = _("No cases match.")
    css_class = "case-table"

    reference = tables.Column(
        verbose_name=_("Reference"), orderable=True, attrs={"td": {"class": "nowrap"}}
    )
    title = tables.Column(verbose_name=_("Title"), orderable=True)
    employer = cell("cases/cells/case_employer.html", _("Employer"), "case")
    owner_agency = cell("cases/cells/case_owner.html", _("Owner"), "case")
    status = cell("cases/_status.html", _("Status"), "case")
    updated = moment("updated_at", _("Updated"))

    def render_reference(self, record, value):
        return format_html(
            '<a href="{}">{}</a>', reverse("cases:case_detail", args=[record.pk]), value
        )


class ReviewTable(Table):
    """Break-the-glass accesses to review: unreviewed ones first; the verdict form in the row
    of a pending one for an auditor who may decide (cases/coordination/views.py)."""

    caption = _("Break-the-glass reviews")
    empty_sentence = _("No break-the-glass accesses to review.")
    css_class = "review-table"

    user = cell("cases/cells/review_user.html", _("User"), "review")
    case = tables.Column(verbose_name=_("Case"), accessor="case__reference")
    requested = moment("requested_at", _("Requested"))
    expires = moment("expires_at", _("Access until"), orderable=False)
    justification = tables.Column(verbose_name=_("Justification"), attrs={"td": {"class": "prose"}})
    verdict = cell("cases/cells/review_verdict.html", _("Verdict"), "review")

    def row_class(self, record):
        return "review review-pending" if record.verdict == "pending" else "review"
