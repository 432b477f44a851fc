"""The annual situation report (*Lägesbild*): builds, frozen figures and the report itself.

A `ReportBuild` row is the only state the browser sees while Celery works (never
`AsyncResult`). Its figures are computed in the database in one snapshot and frozen, so
published numbers never drift; small cells are suppressed before anything leaves akrim.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.models import DerivedObjectPermission
from network.states import StateMachine
from reports.querysets import AnnualReportQuerySet, ReportBuildQuerySet

NETWORK = "network"


class BuildStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


ACTIVE = [BuildStatus.QUEUED, BuildStatus.RUNNING]


class ReportBuild(models.Model):
    """One build of a year's figures, for the whole network or for one agency's own data."""

    year = models.PositiveSmallIntegerField(_("year"))
    scope = models.CharField(
        _("scope"),
        max_length=20,
        default=NETWORK,
        help_text=_("'network' for the whole network, else the agency code."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=BuildStatus, default=BuildStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    suppressed_below = models.PositiveSmallIntegerField(default=5)
    # Suppressed figures: the only figures that ever leave akrim.
    figures = models.JSONField(default=dict, blank=True)
    # Unsuppressed counts, kept for the suppression audit and never served.
    raw_figures = models.JSONField(default=dict, blank=True)
    # The year before, counted and suppressed in the same snapshot: the report's "last
    # year" column (docs/reports.md "Comparison with last year").
    previous_figures = models.JSONField(default=dict, blank=True)
    pdf = models.FileField(upload_to="reports/", blank=True)

    objects = ReportBuildQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        # Role capabilities, named apart from the model's object permissions so guardian's
        # default `get_objects_for_user` reads no role as "every build" (docs/access.md,
        # "django-guardian").
        permissions = [
            ("build_network_report", _("Can build the network's annual report")),
            ("work_on_report_builds", _("Can see report builds")),
        ]
        verbose_name = _("report build")
        verbose_name_plural = _("report builds")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "scope"],
                condition=Q(status__in=["queued", "running"]),
                name="one_active_build_per_year_and_scope",
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100), name="build_progress_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.scope} {self.status}"


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FIGURES_FROZEN = "figures_frozen", _("Figures frozen")
    AGENCY_REVIEW = "agency_review", _("Agency review")
    DECIDED = "decided", _("Decided by the steering group")
    SUBMITTED = "submitted", _("Submitted to the ministry")
    PUBLISHED = "published", _("Published")


REPORT_TRANSITIONS = {
    "draft": {"figures_frozen"},
    "figures_frozen": {"agency_review", "draft"},
    "agency_review": {"decided", "figures_frozen"},
    "decided": {"submitted"},
    "submitted": {"published"},
    "published": set(),
}

REPORT_STATES = StateMachine(REPORT_TRANSITIONS, choices=ReportState, field="state")


class AnnualReport(models.Model):
    """The network's report for a year: its text, the build whose figures it publishes, and
    its way from draft to publication (who moved it, and when)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    state = models.CharField(
        _("state"), max_length=20, choices=ReportState, default=ReportState.DRAFT
    )
    build = models.ForeignKey(
        ReportBuild, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(_("summary"), blank=True)
    method = models.TextField(_("definition and method"), blank=True)
    risk_environments = models.TextField(_("risk environments"), blank=True)
    outlook = models.TextField(_("outlook"), blank=True)
    history = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = AnnualReportQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        # Role capabilities, named apart from the model's object permissions so guardian's
        # default `get_objects_for_user` reads no role as "every annual report" (docs/access.md,
        # "django-guardian").
        permissions = [
            ("work_on_annual_reports", _("Can see annual reports")),
            ("edit_annual_reports", _("Can edit annual reports")),
        ]

    def __str__(self) -> str:
        return f"Lägesbild {self.year}"


# The figures the network published for years before akrim (docs/reports.md).
HISTORY_KEYS = [
    ("inspections_total", _("Joint controls")),
    ("inspections_with_findings", _("Controls with findings")),
    ("employers_controlled", _("Companies controlled")),
    ("employers_with_findings", _("Companies with findings")),
    ("persons_checked_total", _("Persons checked")),
    ("referrals_total", _("Victim referrals")),
]


class PublishedFigure(models.Model):
    """A figure the network published for a year (e.g. 161 joint controls in 2017), with
    where it was published. The trend uses it for years without data in akrim; every output
    marks it as published, not counted (docs/reports.md "History")."""

    year = models.PositiveSmallIntegerField(_("year"))
    key = models.CharField(_("figure"), max_length=40, choices=HISTORY_KEYS)
    value = models.PositiveIntegerField(_("value"))
    source = models.CharField(_("source"), max_length=300)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["year", "key"]
        verbose_name = _("published figure")
        verbose_name_plural = _("published figures")
        constraints = [
            models.UniqueConstraint(fields=["year", "key"], name="published_figure_once")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.key} {self.value}"


# --- guardian's rows: derived in the database ----------------------------------------------
#
# Guardian's direct-FK models of report builds and annual reports are unmanaged models over
# SQL views (reports migration `0005_guardian_rows_derived`): a row (user, permission,
# object) exists exactly when reports/policies.py allows the action, capabilities included,
# from the active memberships, their agencies (the coordinating agency's flag, the agency's
# code as a build's scope) and the role capabilities. Nothing writes them, so they cannot
# drift. docs/access.md, "django-guardian".


class ReportBuildUserObjectPermission(DerivedObjectPermission):
    content_object = models.ForeignKey(
        ReportBuild, on_delete=models.DO_NOTHING, db_constraint=False, related_name="derived_perms"
    )

    class Meta(DerivedObjectPermission.Meta):
        db_table = "reports_access_reportbuild"


class AnnualReportUserObjectPermission(DerivedObjectPermission):
    content_object = models.ForeignKey(
        AnnualReport, on_delete=models.DO_NOTHING, db_constraint=False, related_name="derived_perms"
    )

    class Meta(DerivedObjectPermission.Meta):
        db_table = "reports_access_annualreport"
