"""What cases and tips ask of a person on their start page (registered with `network.inbox`).

Every count starts at `visible_to(user)`: a share counts only on a case the person can open,
a tip only where `Tip.objects.visible_to` lets them triage it.
"""

from datetime import datetime, timedelta
from typing import cast

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.coordination.models import (
    AccessReview,
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
)
from cases.grants import LegalBasis
from cases.tips.models import Tip, TipOutcome
from cases.tips.policies import is_tip_coordinator
from network.inbox import SHOWN, item, provider

WEEK = timedelta(days=7)


@provider(order=40)
def new_tips(user, today):
    """New tips from the public: those of the coordinator's centre, or all for the
    coordinating agency's coordinators without a centre."""
    if not is_tip_coordinator(user):
        return []
    tips = Tip.objects.visible_to(user).filter(outcome=TipOutcome.NEW)
    url = f"{reverse('tips:tip_list')}?outcome=new"
    centre = user.active_membership.centre
    if centre is not None:
        tips = tips.filter(county__in=centre.counties.all())
        url += f"&centre={centre.code}"
        text = ngettext(
            "%(n)s new tip from the public in %(centre)s is waiting for triage.",
            "%(n)s new tips from the public in %(centre)s are waiting for triage.",
            tips.count(),
        )
    else:
        text = ngettext(
            "%(n)s new tip from the public is waiting for triage.",
            "%(n)s new tips from the public are waiting for triage.",
            tips.count(),
        )
    count = tips.count()
    rows = tips.order_by("received_at", "id")[:SHOWN]
    return [
        item(
            "new_tips",
            text % {"n": count, "centre": centre.name if centre else ""},
            count,
            url,
            rows=rows,
            label=lambda tip: (
                _("%(place)s, received %(date)s")
                % {
                    "place": tip.employer_name or tip.municipality,
                    "date": date_format(timezone.localtime(tip.received_at), "j F"),
                }
            ),
            link=lambda tip: reverse("tips:tip_detail", args=[tip.pk]),
        )
    ]


@provider(order=50)
def expiring_access(user, today):
    """Shares and personal grants on visible cases that end within a week: those the
    person's agency gave (it owns the case) and those it or the person received.
    Break-the-glass access is short by design and reviewed elsewhere, so it is left out."""
    if not user.has_perm("cases.work_on_cases"):
        return []
    membership = user.active_membership
    now = timezone.now()
    ending = Q(
        expires_at__gt=now,
        expires_at__lte=now + WEEK,
        permission__codename="view_case",
        content_object__in=Case.objects.visible_to(user).values("pk"),
    )
    own = Q(content_object__owner_agency_id=membership.agency_id)
    shares = CaseGroupObjectPermission.objects.filter(
        ending, own | Q(group_id=membership.agency.group_id)
    )
    grants = CaseUserObjectPermission.objects.filter(ending, own | Q(user=user)).exclude(
        legal_basis=LegalBasis.BREAK_THE_GLASS
    )
    count = shares.count() + grants.count()
    if not count:
        return []
    rows = sorted(
        [
            *shares.select_related("content_object").order_by("expires_at")[:SHOWN],
            *grants.select_related("content_object").order_by("expires_at")[:SHOWN],
        ],
        key=lambda grant: cast(datetime, grant.expires_at),  # `ending` excludes no expiry
    )
    text = ngettext(
        "%(n)s share or access to a case ends within a week.",
        "%(n)s shares or accesses to cases end within a week.",
        count,
    ) % {"n": count}
    return [
        item(
            "access_expiring",
            text,
            count,
            reverse("cases:case_list"),
            rows=rows,
            label=lambda grant: (
                _("%(case)s, ends %(date)s")
                % {
                    "case": grant.content_object.reference,
                    "date": date_format(timezone.localtime(grant.expires_at), "j F"),
                }
            ),
            link=lambda grant: reverse("cases:case_detail", args=[grant.content_object_id]),
        )
    ]


@provider(order=80)
def access_reviews(user, today):
    """Break-the-glass openings by the auditor's agency's users, not yet reviewed."""
    pending = AccessReview.objects.visible_to(user).filter(verdict=AccessReview.Verdict.PENDING)
    count = pending.count()
    text = ngettext(
        "%(n)s break-the-glass opening is waiting for your review.",
        "%(n)s break-the-glass openings are waiting for your review.",
        count,
    ) % {"n": count}
    return [item("access_reviews", text, count, reverse("cases:review_list"), urgent=True)]
