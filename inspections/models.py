"""Joint, unannounced workplace controls and what each agency found and decided there.

Secrecy is the point: a planned inspection is visible only to the coordinating agency's
coordinators and the agencies assigned to it, and stays so after it is performed. Each
finding and decision belongs to the agency that recorded it.
"""

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.employers import matching
from inspections.choices import (
    TRAFFICKING_CATEGORIES,
    AssignmentStatus,
    DecisionStatus,
    DecisionType,
    EmployerRole,
    FindingCategory,
    FollowUpStatus,
    ImportStatus,
    InspectionStatus,
    OperationStatus,
    ParticipationMode,
    ReportedLaw,
    RightToWork,
    Scope,
    SelectionBasis,
    Severity,
    WorkplaceType,
)
from inspections.querysets import (
    DecisionQuerySet,
    FindingQuerySet,
    FollowUpQuerySet,
    ImportJobQuerySet,
    InspectionQuerySet,
    OperationQuerySet,
    RankingFactQuerySet,
)
from network.models import BilingualName, DerivedObjectPermission, PrivateFile, YearCounter

SNI_CODE = RegexValidator(r"^[0-9]{2}(\.[0-9]{1,3})?$", _("Enter an SNI code such as 56.100."))
MUNICIPALITY_CODE = RegexValidator(r"^[0-9]{4}$", _("Enter the four-digit municipality code."))


class OperationSequence(YearCounter):
    """Last operation number per year (locked per row: gap-free, safe under concurrency)."""


class ControlOperation(models.Model):
    """A planned joint control effort (*kontrollinsats*), e.g. a week of building-site
    controls in a region, under which individual inspections are carried out."""

    # "KI-2026-000004": numbered like inspections and cases (network.services.next_reference),
    # by the year the operation starts. The published figures name operations by it
    # (docs/reports.md), so it never changes once given.
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope, default=Scope.REGIONAL)
    centre = models.ForeignKey(
        "network.Centre", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    focus_sni = models.JSONField(_("focus industries (SNI)"), default=list, blank=True)
    selection_basis = models.CharField(_("selection basis"), max_length=30, choices=SelectionBasis)
    coordinating_agency = models.ForeignKey(
        "network.Agency", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=OperationStatus, default=OperationStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = OperationQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "-id"]
        verbose_name = _("control operation")
        verbose_name_plural = _("control operations")
        # Role capabilities, named apart from the model's object permissions so guardian's
        # default `get_objects_for_user` reads no role as "every operation" (docs/access.md,
        # "django-guardian").
        permissions = [
            ("work_on_control_operations", _("Can see control operations")),
            ("edit_control_operations", _("Can plan and move control operations")),
            # object permission: the policy's "add_inspection" (guardian's derived rows)
            ("add_inspection_controloperation", _("Can plan inspections into this operation")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="operation_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class Workplace(models.Model):
    """The place controlled: a building site, premises, a vehicle, a field."""

    name = models.CharField(_("name"), max_length=200)
    street_address = models.CharField(_("address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    municipality = models.CharField(
        _("municipality code"), max_length=4, validators=[MUNICIPALITY_CODE]
    )
    county = models.ForeignKey(
        "network.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("county")
    )
    sni = models.CharField(_("SNI code"), max_length=6, validators=[SNI_CODE])
    workplace_type = models.CharField(
        _("workplace type"), max_length=20, choices=WorkplaceType, default=WorkplaceType.PREMISES
    )
    # Street address as a comparison key (cases/employers/matching.py): tips are matched to workplaces on it.
    address_key = models.CharField(max_length=200, blank=True, editable=False, db_index=True)

    class Meta:
        verbose_name = _("workplace")
        verbose_name_plural = _("workplaces")
        indexes = [models.Index(fields=["county", "sni"], name="workplace_county_sni")]

    def __str__(self) -> str:
        return f"{self.name}, {self.city or self.municipality}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.address_key = matching.address_key(self.street_address)
        super().save(*args, **kwargs)

    @property
    def sni_section(self) -> str:
        from network.sni import section_of

        return section_of(self.sni)


class InspectionSequence(YearCounter):
    """Last inspection number per year (locked per row: gap-free, safe under concurrency)."""


class Inspection(models.Model):
    """One joint control of one workplace on one day (*kontroll*)."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    operation = models.ForeignKey(
        ControlOperation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("control operation"),
    )
    workplace = models.ForeignKey(
        Workplace, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("workplace")
    )
    employers = models.ManyToManyField(
        "cases.Employer", through="InspectionEmployer", related_name="inspections"
    )
    coordinating_agency = models.ForeignKey(
        "network.Agency", on_delete=models.PROTECT, related_name="+"
    )
    planned_date = models.DateField(_("planned date"))
    unannounced = models.BooleanField(_("unannounced"), default=True)
    selection_basis = models.CharField(
        _("selection basis"),
        max_length=30,
        choices=SelectionBasis,
        blank=True,
        help_text=_("Why this workplace was chosen; empty: the operation's selection basis."),
    )
    # The public tip the control was planned from (cases/tips/services.py,
    # link_planned_inspection): the tip's page links here and its history names the control.
    tip = models.ForeignKey(
        "cases.Tip",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("tip"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=InspectionStatus, default=InspectionStatus.PLANNED
    )
    status_reason = models.TextField(_("reason"), blank=True)
    performed_on = models.DateField(_("performed on"), null=True, blank=True)
    persons_checked = models.PositiveIntegerField(_("persons checked"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-planned_date", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        # `perform_inspection` is the object permission (the policy's answer for one
        # inspection); the plural codenames are role capabilities, so guardian's default
        # `get_objects_for_user` reads no role as "every inspection" (docs/access.md,
        # "django-guardian").
        permissions = [
            ("coordinate_inspection", _("Can plan inspections and assign agencies")),
            ("perform_inspection", _("Can record this inspection as performed")),
            ("work_on_inspections", _("Can work with inspections")),
            ("edit_inspections", _("Can edit inspections")),
            ("perform_inspections", _("Can record an inspection as performed")),
            # object permissions of the policy's other actions (guardian's derived rows)
            ("add_result_inspection", _("Can record results of this inspection")),
            ("add_followup_inspection", _("Can add follow-ups to this inspection")),
            ("add_attachment_inspection", _("Can attach files to this inspection")),
        ]
        indexes = [
            models.Index(fields=["coordinating_agency", "-id"], name="inspection_coord_recent"),
            models.Index(fields=["performed_on"], name="inspection_performed_on"),
            models.Index(fields=["planned_date"], name="inspection_planned_date"),
            models.Index(fields=["workplace", "performed_on"], name="inspection_workplace_done"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=["performed", "documented", "closed"])
                | models.Q(performed_on__isnull=False),
                name="inspection_performed_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.workplace.name}"


class InspectionEmployer(models.Model):
    """An employer met at the inspection, and its role at the workplace."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE)
    employer = models.ForeignKey("cases.Employer", on_delete=models.PROTECT)
    role = models.CharField(
        _("role"), max_length=20, choices=EmployerRole, default=EmployerRole.EMPLOYER
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "employer"], name="inspection_employer_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.employer_id} {self.role}"


class AgencyAssignment(models.Model):
    """An agency's part in an inspection: on site, from the desk, or in planning only."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="assignments")
    agency = models.ForeignKey("network.Agency", on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(_("participation"), max_length=20, choices=ParticipationMode)
    status = models.CharField(
        _("answer"), max_length=20, choices=AssignmentStatus, default=AssignmentStatus.PENDING
    )
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    results_submitted_at = models.DateTimeField(
        _("results submitted"),
        null=True,
        blank=True,
        help_text=_("When the agency said its findings (or that it had none) are complete."),
    )
    # The coordinator may stop waiting for an agency that will not report (it left the site
    # early, its part ended in planning): the inspection is documented without it.
    results_waived_at = models.DateTimeField(_("marked as not reporting"), null=True, blank=True)
    results_waived_reason = models.TextField(_("why it does not report"), blank=True)

    class Meta:
        ordering = ["agency__code"]
        # `respond_agencyassignment` is the object permission (the policy's answer for one
        # assignment); the plural codenames are role capabilities, so guardian's default
        # `get_objects_for_user` reads no role as "every assignment" (docs/access.md,
        # "django-guardian").
        permissions = [
            ("respond_agencyassignment", _("Can accept or decline this assignment")),
            ("respond_to_assignments", _("Can accept or decline assignments")),
        ]
        verbose_name = _("agency assignment")
        verbose_name_plural = _("agency assignments")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "agency"], name="assignment_once")
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.agency_id} {self.mode}"


class Finding(models.Model):
    """A deviation (*avvikelse*) found by one agency at an inspection. Shared with the other
    agencies taking part (duty to share for joint controls) unless marked secret."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    agency = models.ForeignKey("network.Agency", on_delete=models.PROTECT, related_name="+")
    # Which of the employers met the finding concerns (empty: the site as such). The
    # Lägesbild counts companies by it (docs/reports.md).
    employer = models.ForeignKey(
        "cases.Employer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("employer"),
    )
    category = models.CharField(_("category"), max_length=40, choices=FindingCategory)
    description = models.TextField(_("description"), blank=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity, default=Severity.MEDIUM
    )
    legal_reference = models.CharField(_("legal reference"), max_length=200, blank=True)
    secret = models.BooleanField(
        _("secret"),
        default=False,
        help_text=_("Only your own agency sees a secret finding until it is disclosed."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["inspection_id", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        # Role capabilities, named apart from the model's object permissions so guardian's
        # default `get_objects_for_user` reads no role as "every finding" (docs/access.md,
        # "django-guardian").
        permissions = [
            ("work_on_findings", _("Can see findings")),
            # object permissions of the policy's actions (guardian's derived rows)
            ("disclose_finding", _("Can disclose this finding")),
            ("add_decision_finding", _("Can record decisions on this finding")),
        ]
        indexes = [models.Index(fields=["inspection", "agency"], name="finding_inspection_agency")]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.agency_id} {self.category}"

    @property
    def is_trafficking_indicator(self) -> bool:
        """A sign of trafficking or exploitation: the finding offers a victim referral."""
        return self.category in TRAFFICKING_CATEGORIES


class FindingDisclosure(models.Model):
    """A recorded disclosure of a secret finding to another agency, with its legal basis."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="disclosures")
    agency = models.ForeignKey("network.Agency", on_delete=models.PROTECT, related_name="+")
    legal_basis = models.CharField(_("legal basis"), max_length=40)
    reason = models.TextField(_("reason"))
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    disclosed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        constraints = [
            models.UniqueConstraint(fields=["finding", "agency"], name="disclosure_once")
        ]

    def __str__(self) -> str:
        return f"{self.finding_id} -> {self.agency_id}"


class Decision(models.Model):
    """What an agency decided on its finding: an injunction, a fee, a police report, ..."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="decisions")
    agency = models.ForeignKey("network.Agency", on_delete=models.PROTECT, related_name="+")
    type = models.CharField(_("decision type"), max_length=40, choices=DecisionType)
    amount_sek = models.DecimalField(
        _("amount (SEK)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    decided_on = models.DateField(_("decided on"), default=timezone.localdate)
    status = models.CharField(
        _("status"), max_length=20, choices=DecisionStatus, default=DecisionStatus.DECIDED
    )
    law = models.CharField(
        _("law"),
        max_length=30,
        choices=ReportedLaw,
        blank=True,
        help_text=_("For police reports and reports for prosecution: the law concerned."),
    )
    external_reference = models.CharField(_("agency case number"), max_length=100, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["finding_id", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        # Role capabilities, named apart from the model's object permissions so guardian's
        # default `get_objects_for_user` reads no role as "every decision" (docs/access.md,
        # "django-guardian").
        permissions = [
            ("work_on_decisions", _("Can see decisions")),
            ("edit_decisions", _("Can change decisions")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_sek__isnull=True) | models.Q(amount_sek__gte=0),
                name="decision_amount_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.finding_id} {self.type}"


class PersonCount(models.Model):
    """People checked at an inspection, as counts only: no names are kept here."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="person_counts"
    )
    agency = models.ForeignKey("network.Agency", on_delete=models.PROTECT, related_name="+")
    right_to_work = models.CharField(_("right to work"), max_length=30, choices=RightToWork)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    count = models.PositiveIntegerField(_("count"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("persons checked")
        verbose_name_plural = _("persons checked")
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "agency", "right_to_work", "nationality"],
                name="person_count_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.right_to_work} {self.nationality} {self.count}"


class FollowUp(models.Model):
    """Work after the visit (*efterarbete*): a task with an owner and a due date."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="follow_ups")
    finding = models.ForeignKey(
        Finding, on_delete=models.CASCADE, null=True, blank=True, related_name="follow_ups"
    )
    agency = models.ForeignKey("network.Agency", on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField(_("task"), max_length=200)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=FollowUpStatus, default=FollowUpStatus.OPEN
    )
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        # Role capabilities, named apart from the model's object permissions so guardian's
        # default `get_objects_for_user` reads no role as "every follow-up" (docs/access.md,
        # "django-guardian").
        permissions = [
            ("work_on_follow_ups", _("Can see follow-ups")),
            ("edit_follow_ups", _("Can complete follow-ups")),
        ]

    def __str__(self) -> str:
        return self.title


class InspectionAttachment(PrivateFile):
    """A file from a control (photos, a copy of the staff register). Seen by whoever sees
    the inspection."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="attachments")
    agency = models.ForeignKey("network.Agency", on_delete=models.PROTECT, related_name="+")

    class Meta(PrivateFile.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    @property
    def storage_folder(self) -> str:
        return f"inspections/{self.inspection_id}"


class ImportJob(models.Model):
    """A coordinator's spreadsheet of planned inspections, checked (dry run) or imported by
    the worker (inspections/imports.py): the row holds the file, the status and progress the
    page polls, and the outcome. Importing 5,000 rows must not hold a web request, so the
    request only stores the file and queues the job; the job writes all rows or none."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey("network.Agency", on_delete=models.PROTECT, related_name="+")
    dry_run = models.BooleanField(_("check only"), default=True)
    filename = models.CharField(_("file"), max_length=200)
    # The uploaded file (at most imports.MAX_BYTES); emptied once its rows are imported.
    data = models.BinaryField(editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus, default=ImportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    # The request that asked, so that the worker's audit events carry its id and address.
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"row", "field", "message"}]
    preview = models.JSONField(default=list, blank=True)
    created = models.JSONField(default=list, blank=True)  # references of the new inspections
    error = models.TextField(_("error"), blank=True)  # why the file as a whole was refused

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        default_permissions = ()
        verbose_name = _("inspection import")
        verbose_name_plural = _("inspection imports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=100),
                name="importjob_progress_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in {ImportStatus.READY, ImportStatus.FAILED}

    @property
    def ok(self) -> bool:
        return self.status == ImportStatus.READY and not self.errors


class IndustryRisk(BilingualName):
    """One row of the network's joint risk assessment (*riskvärdering*): an industry, the SNI
    codes it covers and the weight its risk carries in the risk ranking (0–10).

    Coordinators maintain the table; the seed is the five industries that Lägesbild 2021
    found most at risk (construction, restaurants, transport, cleaning, care). A workplace
    takes the weight of the most specific prefix that matches its SNI code."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    sni_prefixes = models.JSONField(_("SNI codes"), default=list)
    weight = models.PositiveSmallIntegerField(
        _("weight"), validators=[MaxValueValidator(10)], help_text=_("0 (no risk) to 10.")
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-weight", "key"]
        verbose_name = _("industry risk")
        verbose_name_plural = _("industry risks")


class RankingScope(models.Model):
    """What both kinds of ranking facts carry: the inspection, where it was, when it was
    performed, and how the row's agency sees it (the rule of `RankingFactQuerySet`)."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    workplace = models.ForeignKey(
        Workplace,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    county = models.ForeignKey(
        "network.County",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    assigned = models.BooleanField(default=False)
    coordinating = models.BooleanField(default=False)
    performed_on = models.DateField(null=True)

    objects = RankingFactQuerySet.as_manager()

    class Meta:
        abstract = True


class RankingFact(RankingScope):
    """What the risk ranking needs of one inspection as one agency may see it: a derived
    copy of `Inspection.visible_to` and `Finding.visible_to` (inspections/facts.py keeps it
    exact), so that ranking a centre of 100,000 workplaces reads one indexed table instead
    of probing assignments and disclosures row by row (bench/risk.py, docs/performance.md).

    One row per agency that is assigned to (and has not declined) or coordinates the
    inspection, and one *network row* (agency empty) per inspection of a joint control with
    non-secret findings: only its count reaches a ranking, as "signals from another agency"."""

    agency = models.ForeignKey(
        "network.Agency",
        on_delete=models.DO_NOTHING,
        null=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    sni = models.CharField(max_length=6)  # the workplace's: weighed by the risk table
    status = models.CharField(max_length=20)
    planned_date = models.DateField()
    # Findings the agency may read, by severity, and the decisions on them.
    n_high = models.PositiveIntegerField(default=0)
    n_medium = models.PositiveIntegerField(default=0)
    n_low = models.PositiveIntegerField(default=0)
    n_decisions = models.PositiveIntegerField(default=0)
    # Non-secret findings of a joint control (the same for every agency that sees it).
    n_joint = models.PositiveIntegerField(default=0)

    class Meta:
        # Only `inspection` cascades (indexed): a workplace, employer, agency or county with
        # facts cannot be deleted anyway (protected by its inspections), so the others need
        # neither a cascade scan nor an index of their own.
        # Derived rows, rebuilt in bulk: no foreign-key triggers (Django still cascades).
        default_permissions = ()
        # Covering (PostgreSQL): a ranking reads its rows from the index alone.
        indexes = [
            models.Index(
                fields=["agency", "county", "workplace"],
                include=[
                    "sni",
                    "assigned",
                    "coordinating",
                    "status",
                    "planned_date",
                    "performed_on",
                    "n_high",
                    "n_medium",
                    "n_low",
                    "n_decisions",
                    "n_joint",
                ],
                name="rankingfact_scope",
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "agency"], name="rankingfact_once"),
            models.UniqueConstraint(
                fields=["inspection"],
                condition=models.Q(agency__isnull=True),
                name="rankingfact_network_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.agency_id or 'network'}"


class RankingEmployerFact(RankingScope):
    """An employer met at an inspection, as one agency may see it (see `RankingFact`): the
    ranking's "employers with findings elsewhere" without joining every inspection's
    employers on every request."""

    agency = models.ForeignKey(
        "network.Agency",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    employer = models.ForeignKey(
        "cases.Employer",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    has_findings = models.BooleanField(default=False)  # the agency may read one there

    class Meta:
        default_permissions = ()
        indexes = [
            models.Index(
                fields=["agency", "county", "workplace"],
                include=["employer", "assigned", "coordinating", "performed_on", "has_findings"],
                name="rankingemployerfact_scope",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "agency", "employer"], name="rankingemployerfact_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.agency_id} {self.employer_id}"


class RankingStale(models.Model):
    """An inspection whose ranking facts are out of date: marked in the transaction that
    changes it (inspections/facts.py), rebuilt by the next ranking or the minute task."""

    inspection_id = models.BigIntegerField(primary_key=True)
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return str(self.inspection_id)


# --- guardian's rows of the joint controls: derived in the database --------------------------
#
# django-guardian lists objects from its direct foreign-key models (`get_objects_for_user`
# reads `objects.filter(user=...)`). For the joint controls every relation the policy knows
# (membership, role capabilities, coordination, assignments, operations, disclosures) is
# already a row of its own, so these models are SQL views over those rows (migration
# `0011_guardian_rows_derived`, made again on network's capability view by `0012`): a row
# (user, permission, object) exists exactly when the policy (inspections/policies.py)
# allows the action, capabilities included. Nothing writes them, so they cannot drift;
# `assign_perm` on them fails (a relation is not a grant). The base is
# `network.models.DerivedObjectPermission`.
# docs/access.md, "django-guardian".


class InspectionUserObjectPermission(DerivedObjectPermission):
    content_object = models.ForeignKey(
        Inspection, on_delete=models.DO_NOTHING, db_constraint=False, related_name="derived_perms"
    )

    class Meta(DerivedObjectPermission.Meta):
        db_table = "inspections_access_inspection"


class ControlOperationUserObjectPermission(DerivedObjectPermission):
    content_object = models.ForeignKey(
        ControlOperation,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="derived_perms",
    )

    class Meta(DerivedObjectPermission.Meta):
        db_table = "inspections_access_controloperation"


class AgencyAssignmentUserObjectPermission(DerivedObjectPermission):
    content_object = models.ForeignKey(
        AgencyAssignment,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="derived_perms",
    )

    class Meta(DerivedObjectPermission.Meta):
        db_table = "inspections_access_agencyassignment"


class FindingUserObjectPermission(DerivedObjectPermission):
    content_object = models.ForeignKey(
        Finding, on_delete=models.DO_NOTHING, db_constraint=False, related_name="derived_perms"
    )

    class Meta(DerivedObjectPermission.Meta):
        db_table = "inspections_access_finding"


class DecisionUserObjectPermission(DerivedObjectPermission):
    content_object = models.ForeignKey(
        Decision, on_delete=models.DO_NOTHING, db_constraint=False, related_name="derived_perms"
    )

    class Meta(DerivedObjectPermission.Meta):
        db_table = "inspections_access_decision"


class FollowUpUserObjectPermission(DerivedObjectPermission):
    content_object = models.ForeignKey(
        FollowUp, on_delete=models.DO_NOTHING, db_constraint=False, related_name="derived_perms"
    )

    class Meta(DerivedObjectPermission.Meta):
        db_table = "inspections_access_followup"
