"""What joint controls ask of a person on their start page (registered with `network.inbox`).

Every count starts at `visible_to(user)`: an assignment counts only where its inspection is
visible, a follow-up only where `FollowUp.objects.visible_to` lets the person read it.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from inspections.choices import (
    AssignmentStatus,
    FollowUpStatus,
    InspectionStatus,
    ParticipationMode,
)
from inspections.models import AgencyAssignment, FollowUp, Inspection
from network.inbox import SHOWN, item, provider

# Inspections whose results may still be reported: the visit is due or done, not yet closed.
OPEN_FOR_RESULTS = [InspectionStatus.PLANNED, InspectionStatus.STAFFED, InspectionStatus.PERFORMED]

# "This week": the next seven days, today included.
WEEK = timedelta(days=6)


def _inspection_label(inspection) -> str:
    return _("%(workplace)s, %(date)s") % {
        "workplace": inspection.workplace.name,
        "date": date_format(inspection.planned_date, "j F"),
    }


def _detail(inspection) -> str:
    return reverse("inspections:inspection_detail", args=[inspection.pk])


def _my_assignments(user):
    visible = Inspection.objects.visible_to(user).values("pk")
    return AgencyAssignment.objects.filter(
        agency_id=user.active_membership.agency_id, inspection__in=visible
    )


def _inspections_item(key, assignments, text, *, urgent=False, link=_detail):
    """One inbox line about the inspections of `assignments`: their count in a sentence
    (`text(count)`), the first few by planned date, each linked."""
    count = assignments.count()
    rows = (
        Inspection.objects.filter(pk__in=assignments.values("inspection_id"))
        .select_related("workplace")
        .order_by("planned_date", "id")[:SHOWN]
    )
    return item(
        key,
        text(count),
        count,
        reverse("inspections:inspection_list"),
        urgent=urgent,
        rows=rows,
        label=_inspection_label,
        link=link,
    )


@provider(order=10)
def assignments(user, today):
    """Participation requests to answer (staff), and answers the coordinator awaits."""
    items = []
    if user.has_perm("inspections.respond_to_assignments"):
        pending = _my_assignments(user).filter(status=AssignmentStatus.PENDING)
        items.append(
            _inspections_item(
                "assignments_to_answer",
                pending,
                lambda n: (
                    ngettext(
                        "%(n)s request to take part in a control is waiting for your agency's "
                        "answer.",
                        "%(n)s requests to take part in a control are waiting for your agency's "
                        "answer.",
                        n,
                    )
                    % {"n": n}
                ),
            )
        )
    if user.has_perm("inspections.coordinate_inspection"):
        agency_id = user.active_membership.agency_id
        awaited = AgencyAssignment.objects.filter(
            status=AssignmentStatus.PENDING,
            inspection__in=Inspection.objects.visible_to(user)
            .filter(coordinating_agency_id=agency_id)
            .exclude(status=InspectionStatus.CANCELLED)
            .values("pk"),
        ).exclude(agency_id=agency_id)
        items.append(
            _inspections_item(
                "answers_awaited",
                awaited,
                lambda n: (
                    ngettext(
                        "%(n)s agency has not yet answered a request to take part in your "
                        "controls.",
                        "%(n)s answers from agencies to take part in your controls are awaited.",
                        n,
                    )
                    % {"n": n}
                ),
            )
        )
    return items


@provider(order=20)
def results_to_report(user, today):
    """Controls the person's agency accepted, whose day has come, with results not yet sent."""
    if not user.has_perm("inspections.add_finding"):
        return []
    waiting = _my_assignments(user).filter(
        status=AssignmentStatus.ACCEPTED,
        mode__in=[ParticipationMode.ON_SITE, ParticipationMode.DESK],
        results_submitted_at__isnull=True,
        inspection__status__in=OPEN_FOR_RESULTS,
        inspection__planned_date__lte=today,
    )
    return [
        _inspections_item(
            "results_to_report",
            waiting,
            lambda n: (
                ngettext(
                    "%(n)s control is waiting for your agency's results.",
                    "%(n)s controls are waiting for your agency's results.",
                    n,
                )
                % {"n": n}
            ),
            urgent=True,
            link=lambda inspection: reverse("inspections:inspection_results", args=[inspection.pk]),
        )
    ]


@provider(order=30)
def follow_ups(user, today):
    """The agency's open follow-ups: overdue ones, and those due in the coming week."""
    if not user.has_perm("inspections.work_on_follow_ups"):
        return []
    mine = FollowUp.objects.visible_to(user).filter(
        agency_id=user.active_membership.agency_id, status=FollowUpStatus.OPEN
    )
    url = reverse("inspections:follow_up_list")
    overdue = mine.filter(due_date__lt=today)
    due = mine.filter(due_date__gte=today, due_date__lte=today + WEEK)
    items = []
    for key, rows, urgent, singular, plural, list_url in (
        (
            "follow_ups_overdue",
            overdue,
            True,
            "%(n)s follow-up of your agency is overdue.",
            "%(n)s follow-ups of your agency are overdue.",
            f"{url}?show=overdue",
        ),
        (
            "follow_ups_due",
            due,
            False,
            "%(n)s follow-up of your agency is due within a week.",
            "%(n)s follow-ups of your agency are due within a week.",
            f"{url}?show=mine",
        ),
    ):
        count = rows.count()
        shown = rows.select_related("inspection").order_by("due_date", "id")[:SHOWN]
        items.append(
            item(
                key,
                ngettext(singular, plural, count) % {"n": count},
                count,
                list_url,
                urgent=urgent,
                rows=shown,
                label=lambda follow_up: (
                    _("%(task)s (due %(date)s)")
                    % {"task": follow_up.title, "date": date_format(follow_up.due_date, "j F")}
                ),
                link=lambda follow_up: _detail(follow_up.inspection),
            )
        )
    return items
