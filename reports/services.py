"""Requesting and running Lägesbild builds, and moving the annual report along its states.

The build follows reference/django-practice.md §C: a row is the state; the task claims it
with a conditional UPDATE so a redelivered task never builds twice; figures are read in
one snapshot; the figures, the PDF and "ready" are written in one transaction.
"""

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, overload

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from network.models import Agency, Centre, User
from network.policies import record_read, require
from network.services import record_event
from reports import figures, rendering, suppression
from reports.models import (
    ACTIVE,
    HISTORY_KEYS,
    NETWORK,
    REPORT_STATES,
    AnnualReport,
    BuildStatus,
    PublishedFigure,
    ReportBuild,
)
from reports.policies import report_scopes
from reports.tasks import build_lagesbild

if TYPE_CHECKING:
    from network.http import AnyUser

logger = logging.getLogger(__name__)


def _is_stale(build: ReportBuild, now: datetime) -> bool:
    """A running build whose worker has not reported for a while was lost (killed, OOM)."""
    limit = timedelta(seconds=settings.AKRIM_BUILD_STALE_SECONDS)
    last_sign = build.heartbeat_at or build.started_at or build.requested_at
    return build.status == BuildStatus.RUNNING and last_sign < now - limit


def request_build(
    *, year: int, scope: str = NETWORK, actor: User | None, enqueue: bool = True
) -> tuple[ReportBuild, bool]:
    """Queue a build (or return the one already under way). A build abandoned by a lost
    worker is marked failed and a new one queued. `actor=None` is the system (Celery beat,
    the command); `enqueue=False` leaves running it to the caller."""
    if actor is not None and scope not in report_scopes(actor):
        raise PermissionDenied
    if scope != NETWORK and not Agency.objects.filter(code=scope).exists():
        raise ValidationError({"scope": [_("Unknown agency: %(code)s.") % {"code": scope}]})
    this_year = timezone.localdate().year
    if not 2000 <= year <= this_year:
        raise ValidationError({"year": [_("Choose a year from 2000 to %(y)s.") % {"y": this_year}]})
    now = timezone.now()
    with transaction.atomic():
        active = (
            ReportBuild.objects.select_for_update()
            .filter(year=year, scope=scope, status__in=ACTIVE)
            .first()
        )
        if active is not None and _is_stale(active, now):
            fail_build(active.pk, _("The worker building this report was lost. Built again."))
            active = None
        if active is not None:
            return active, False
        try:
            with transaction.atomic():
                build = ReportBuild.objects.create(
                    year=year,
                    scope=scope,
                    requested_by=actor,
                    suppressed_below=settings.AKRIM_SUPPRESS_BELOW,
                )
        except IntegrityError:
            # Someone requested the same build at the same moment: theirs is the one.
            return ReportBuild.objects.get(year=year, scope=scope, status__in=ACTIVE), False
        record_event("report.requested", actor=actor, obj=build, purpose=f"{year} {scope}")
        if enqueue:
            build_lagesbild.delay_on_commit(build.pk)  # type: ignore[attr-defined]  # Celery 5.4+
        return build, True


def claim_build(build_id: int) -> bool:
    """Take a queued build for this worker; False if another delivery already has it."""
    now = timezone.now()
    return bool(
        ReportBuild.objects.filter(pk=build_id, status=BuildStatus.QUEUED).update(
            status=BuildStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            stage="claimed",
            progress=1,
        )
    )


def release_build(build_id: int) -> None:
    """Give a claimed build back to the queue (before retrying a transient error)."""
    ReportBuild.objects.filter(pk=build_id, status=BuildStatus.RUNNING).update(
        status=BuildStatus.QUEUED, stage="waiting to retry"
    )


def _progress(build_id: int, progress: int, stage: str) -> None:
    ReportBuild.objects.filter(pk=build_id, status=BuildStatus.RUNNING).update(
        progress=progress, stage=stage, heartbeat_at=timezone.now()
    )


@overload
def _snapshot_figures(year: int, scope: str) -> dict[str, Any]: ...
@overload
def _snapshot_figures(
    year: int, scope: str, *, previous: Literal[True]
) -> tuple[dict[str, Any], dict[str, Any]]: ...
def _snapshot_figures(
    year: int, scope: str, *, previous: bool = False
) -> dict[str, Any] | tuple[dict[str, Any], dict[str, Any]]:
    """All figures from one consistent snapshot of the database: a REPEATABLE READ
    transaction on PostgreSQL. (Called inside an outer transaction, as in tests, the outer
    one's snapshot rules: the isolation level can only be set first thing.) With
    `previous`, the year before's figures too, from the same snapshot."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        if previous:
            return figures.compute(year, scope), figures.compute(year - 1, scope)
        return figures.compute(year, scope)


def publish(raw: dict[str, Any], *, k: int, year: int) -> dict[str, Any]:
    """The figures as the Lägesbild publishes them: small cells hidden, with the centres'
    counties as the links that secondary suppression must respect."""
    centre_counties = {
        c.code: [county.code for county in c.counties.all()]
        for c in Centre.objects.prefetch_related("counties")
    }
    return suppression.suppress(raw, k, centre_counties=centre_counties, year=year)


def published_figures(year: int, scope: str = NETWORK) -> dict[str, Any]:
    """A year's figures as a build would publish them now (one snapshot, the same
    suppression): what dashboards read between builds."""
    return publish(_snapshot_figures(year, scope), k=settings.AKRIM_SUPPRESS_BELOW, year=year)


def run_build(build_id: int) -> ReportBuild:
    """Compute, suppress, render and freeze a claimed build."""
    build = ReportBuild.objects.get(pk=build_id)
    _progress(build_id, 10, "reading figures")
    raw, raw_before = _snapshot_figures(build.year, build.scope, previous=True)
    _progress(build_id, 50, "suppressing small cells")
    build.raw_figures = raw
    build.figures = publish(raw, k=build.suppressed_below, year=build.year)
    build.previous_figures = publish(raw_before, k=build.suppressed_below, year=build.year - 1)
    _progress(build_id, 60, "drawing charts and PDF")
    report = (
        AnnualReport.objects.filter(year=build.year).first() if build.scope == NETWORK else None
    )
    build.finished_at = timezone.now()  # the frozen date the PDF states
    pdf = rendering.as_pdf(build, report)
    _progress(build_id, 90, "saving")
    with transaction.atomic():
        locked = ReportBuild.objects.select_for_update().get(pk=build_id)
        if locked.status != BuildStatus.RUNNING:
            return locked  # failed or taken back meanwhile: do not overwrite
        locked.figures, locked.raw_figures = build.figures, raw
        locked.previous_figures = build.previous_figures
        locked.pdf.save(
            f"lagesbild-{build.year}-{build.scope}-{build_id}.pdf", ContentFile(pdf), save=False
        )
        locked.status, locked.progress, locked.stage = BuildStatus.READY, 100, "ready"
        locked.finished_at = build.finished_at
        locked.save()
    return locked


def fail_build(build_id: int, message: str) -> None:
    ReportBuild.objects.filter(pk=build_id, status__in=ACTIVE).update(
        status=BuildStatus.FAILED, error=message[:2000], finished_at=timezone.now(), stage="failed"
    )


def fail_stale_builds() -> int:
    """Beat's watchdog: running builds whose worker went silent become failed, so the
    browser never spins for ever."""
    now = timezone.now()
    stale = [
        b.pk for b in ReportBuild.objects.filter(status=BuildStatus.RUNNING) if _is_stale(b, now)
    ]
    for build_id in stale:
        fail_build(build_id, _("The worker building this report was lost. Request it again."))
    # A build still queued that long may never have reached Redis (sent after commit while
    # Redis was away for longer than the send is retried): send it again. Harmless when the
    # first message is still waiting, because only one delivery can claim the row.
    waiting = ReportBuild.objects.filter(
        status=BuildStatus.QUEUED,
        requested_at__lt=now - timedelta(seconds=settings.AKRIM_BUILD_STALE_SECONDS),
    ).values_list("pk", flat=True)
    for build_id in list(waiting):
        build_lagesbild.delay(build_id)
    return len(stale)


def record_download(build: ReportBuild, *, fmt: str, actor: User) -> None:
    """A build's figures leave akrim: recorded with the basis the policy gives."""
    record_read(actor, build, action="report.downloaded", route="download", changes={"format": fmt})


# --- the annual report ------------------------------------------------------------------


@transaction.atomic
def update_report_text(
    report: AnnualReport, *, version: int, texts: dict[str, str], actor: User
) -> AnnualReport:
    from network.exceptions import StaleVersion

    require(actor, "change", report)
    locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if locked.version != version:
        raise StaleVersion(locked.version)
    if locked.state not in {"draft", "figures_frozen", "agency_review"}:
        raise ValidationError({"state": [_("A decided report can no longer be edited.")]})
    for field in ("summary", "method", "risk_environments", "outlook"):
        if field in texts:
            setattr(locked, field, texts[field])
    locked.version += 1
    locked.save()
    record_event("report.text_updated", actor=actor, obj=locked, changes={"fields": sorted(texts)})
    return locked


@transaction.atomic
def move_report(report: AnnualReport, *, state: str, actor: User) -> AnnualReport:
    """Move the report one step; freezing takes the newest ready network build's figures."""
    require(actor, "change", report)
    locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
    REPORT_STATES.check(locked.state, state)
    if state == "figures_frozen":
        build = (
            ReportBuild.objects.filter(year=locked.year, scope=NETWORK, status=BuildStatus.READY)
            .order_by("-finished_at")
            .first()
        )
        if build is None:
            raise ValidationError({"state": [_("Build the figures for the year first.")]})
        locked.build = build
    locked.history = [
        *locked.history,
        {"from": locked.state, "to": state, "by": actor.username, "at": timezone.now().isoformat()},
    ]
    locked.state = state
    locked.version += 1
    locked.save()
    record_event("report.state_changed", actor=actor, obj=locked, changes={"state": state})
    return locked


def get_or_create_report(year: int) -> AnnualReport:
    report, _created = AnnualReport.objects.get_or_create(year=year)
    return report


# --- published history ----------------------------------------------------------------------


def may_enter_history(user: "AnyUser") -> bool:
    """Those who build the network's report (Arbetsmiljöverket's analysts and coordinators)."""
    return "network" in report_scopes(user) and user.has_perm("reports.edit_annual_reports")


@transaction.atomic
def save_published_figure(
    *, year: int, key: str, value: int, source: str, actor: User | None
) -> PublishedFigure:
    """Record (or correct) a figure the network published for a year before akrim.
    `actor=None` is the loading command."""
    if actor is not None and not may_enter_history(actor):
        raise PermissionDenied
    errors = {}
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not 2000 <= year <= this_year:
        errors["year"] = [_("Choose a year from 2000 to %(y)s.") % {"y": this_year}]
    if key not in dict(HISTORY_KEYS):
        errors["key"] = [_("Choose one of the figures.")]
    if not isinstance(value, int) or value < 0:
        errors["value"] = [_("Enter a whole number of at least 0.")]
    if not (source or "").strip():
        errors["source"] = [_("Say where the figure was published.")]
    if errors:
        raise ValidationError(errors)
    figure, created = PublishedFigure.objects.update_or_create(
        year=year,
        key=key,
        defaults={"value": value, "source": source.strip(), "entered_by": actor},
    )
    record_event(
        "report.history_entered",
        actor=actor,
        obj=figure,
        changes={"year": year, "key": key, "value": value, "created": created},
    )
    return figure


def load_published_history(
    rows: Iterable[Mapping[str, str | None]], *, actor: User | None = None
) -> int:
    """Rows of year, key, value, source (the CSV of `load_published_history`): all or
    nothing, errors named by line."""
    with transaction.atomic():
        count = 0
        for line, row in enumerate(rows, start=2):
            try:
                save_published_figure(
                    year=int(row.get("year") or 0),
                    key=(row.get("key") or "").strip(),
                    value=int(row.get("value") or -1),
                    source=row.get("source") or "",
                    actor=actor,
                )
            except (ValueError, ValidationError) as error:
                detail = "; ".join(
                    f"{k}: {' '.join(v)}"
                    for k, v in getattr(error, "message_dict", {"value": [str(error)]}).items()
                )
                raise ValidationError(
                    _("Line %(n)s: %(detail)s") % {"n": line, "detail": detail}
                ) from None
            count += 1
        return count
