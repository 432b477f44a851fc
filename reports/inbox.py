"""Report builds on the start page (registered with `network.inbox`): the builds the person
asked for that finished in the last week, ready or failed, counted from `visible_to(user)`."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from network.inbox import SHOWN, item, provider
from reports.models import BuildStatus, ReportBuild

RECENT = timedelta(days=7)


@provider(order=60)
def finished_builds(user, today):
    finished = ReportBuild.objects.visible_to(user).filter(
        requested_by=user,
        status__in=[BuildStatus.READY, BuildStatus.FAILED],
        finished_at__gte=timezone.now() - RECENT,
    )
    count = finished.count()
    text = ngettext(
        "%(n)s Lägesbild build you asked for has finished this week.",
        "%(n)s Lägesbild builds you asked for have finished this week.",
        count,
    ) % {"n": count}

    def label(build):
        words = {
            BuildStatus.READY: _("Lägesbild %(year)s, ready %(date)s"),
            BuildStatus.FAILED: _("Lägesbild %(year)s, failed %(date)s"),
        }
        return words[build.status] % {
            "year": build.year,
            "date": date_format(timezone.localtime(build.finished_at), "j F H:i"),
        }

    return [
        item(
            "builds_finished",
            text,
            count,
            reverse("reports:report_home"),
            urgent=finished.filter(status=BuildStatus.FAILED).exists(),
            rows=finished.order_by("-finished_at", "-id")[:SHOWN],
            label=label,
            link=lambda build: reverse("reports:build_detail", args=[build.pk]),
        )
    ]
