"""Employers and coordination cases, and the grants that let other agencies see a case.

A case belongs to the agency that opened it. Another agency sees it only through a share,
and a named person only through a personal grant (or break-the-glass). Shares and personal
grants *are* django-guardian direct foreign-key permission rows that also carry the legal
basis, the reason, who granted them and when they end: one source of truth, nothing that can
drift from the permission table.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from cases.querysets import AccessReviewQuerySet, CaseQuerySet


class LegalForm(models.TextChoices):
    """Legal form, derived from the group digit (first digit) of the organisationsnummer."""

    ESTATE = "dodsbo", _("Estate of a deceased person")
    PUBLIC = "offentlig", _("State, region or municipality")
    FOREIGN = "utlandsk", _("Foreign company")
    LIMITED = "aktiebolag", _("Limited company")
    SIMPLE_PARTNERSHIP = "enkelt_bolag", _("Simple partnership")
    ECONOMIC_ASSOCIATION = "ekonomisk_forening", _("Economic or housing association")
    NON_PROFIT = "ideell_forening", _("Non-profit association or foundation")
    PARTNERSHIP = "handelsbolag", _("Trading or limited partnership")
    SOLE_TRADER = "enskild_firma", _("Sole trader")
    OTHER = "ovrig", _("Other")


class Employer(models.Model):
    """An organisation met in the network's work, keyed by its organisationsnummer.

    Registry data: every signed-in member may see and register employers. What the agencies
    know *about* an employer lives in cases and inspections, which are protected."""

    orgnr = models.CharField(_("organisation number"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)
    legal_form = models.CharField(_("legal form"), max_length=30, choices=LegalForm)
    is_sole_trader = models.BooleanField(
        _("sole trader"),
        default=False,
        help_text=_("The number is the owner's personal identity number."),
    )
    sni_codes = models.JSONField(_("SNI codes"), default=list, blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "orgnr"]
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(orgnr__regex=r"^[0-9]{10}$"), name="employer_orgnr_10_digits"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.formatted_orgnr})"

    @property
    def formatted_orgnr(self) -> str:
        return f"{self.orgnr[:6]}-{self.orgnr[6:]}"


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


class Sensitivity(models.TextChoices):
    NORMAL = "normal", _("Normal")
    SENSITIVE = "sensitive", _("Sensitive")
    SECRET = "secret", _("Secret (OSL)")


class LegalBasis(models.TextChoices):
    """Why information may cross from one agency to another (DESIGN.md legal basis codes)."""

    AKRIM = "uppgiftsskyldighet_akrim", _("Duty to share for joint workplace controls")
    LAW_ENFORCEMENT = (
        "uppgiftsskyldighet_brottsbekampning",
        _("Duty to inform law enforcement"),
    )
    OSL_10_15A = "osl_10_15a", _("OSL 10:15 a (general secrecy-breaking rule)")
    OSL_10_27 = "osl_10_27", _("OSL 10:27 (general clause)")
    CONSENT = "samtycke", _("Consent")
    OTHER = "annan", _("Other statute")
    BREAK_THE_GLASS = "break_the_glass", _("Break-the-glass (urgent need, reviewed afterwards)")


# What a share or personal grant may cite (break-the-glass is granted only by itself).
SHAREABLE_LEGAL_BASES = [(b.value, b.label) for b in LegalBasis if b != LegalBasis.BREAK_THE_GLASS]


class CaseSequence(models.Model):
    """The last reference number used per year. Locked row by row so numbers are gap-free
    and unique even when many cases are opened at once."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Case(models.Model):
    """A coordination case (*samverkansärende*) about an employer, owned by one agency."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    employer = models.ForeignKey(
        Employer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("employer"),
    )
    owner_agency = models.ForeignKey(
        "network.Agency",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("owner agency"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus, default=CaseStatus.OPEN
    )
    sensitivity = models.CharField(
        _("sensitivity"), max_length=20, choices=Sensitivity, default=Sensitivity.NORMAL
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    history = HistoricalRecords(
        excluded_fields=["updated_at", "version"], user_model=settings.AUTH_USER_MODEL
    )
    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [
            ("share_case", _("Can share cases with other agencies")),
            ("export_case", _("Can export case lists")),
            ("break_glass_case", _("Can open a case outside scope with a justification")),
        ]
        indexes = [
            models.Index(fields=["owner_agency", "-id"], name="case_owner_recent"),
            models.Index(fields=["employer", "-id"], name="case_employer_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class GrantFields(models.Model):
    """What every grant on a case records besides the permission itself."""

    legal_basis = models.CharField(_("legal basis"), max_length=40, choices=LegalBasis)
    reason = models.TextField(_("reason"))
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.expires_at is None or self.expires_at > timezone.now()


class CaseGroupObjectPermission(GrantFields, GroupObjectPermissionBase):
    """A share of a case with an agency (its group): `view_case`, plus `change_case` for an
    edit share. Both rows of one share carry the same legal basis, reason and expiry."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("case share")
        verbose_name_plural = _("case shares")
        indexes = [models.Index(fields=["group", "content_object"], name="caseshare_group_case")]

    def __str__(self) -> str:
        return f"{self.content_object_id} -> {self.group_id} ({self.legal_basis})"


class CaseUserObjectPermission(GrantFields, UserObjectPermissionBase):
    """A personal grant on a case to a named user, including break-the-glass access."""

    content_object = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="personal_grants"
    )

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("personal case grant")
        verbose_name_plural = _("personal case grants")
        indexes = [models.Index(fields=["user", "content_object"], name="casegrant_user_case")]

    def __str__(self) -> str:
        return f"{self.content_object_id} -> user {self.user_id} ({self.legal_basis})"


class CaseNote(models.Model):
    """One entry on a case's timeline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("network.Agency", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self) -> str:
        return f"{self.case.reference} {self.created_at:%Y-%m-%d}"


def attachment_path(instance, filename):
    # Never the uploader's file name on disk: it may carry anything.
    return f"cases/{instance.case_id}/{instance.sha256}"


class CaseAttachment(models.Model):
    """A file on a case. Stored in private storage (outside any web root) and served only by
    a permission-checked, audited view."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class AccessReview(models.Model):
    """A break-the-glass access waiting for (or given) an auditor's verdict. Lives with the
    requester's agency: that agency's auditors review it."""

    class Verdict(models.TextChoices):
        PENDING = "pending", _("Not reviewed")
        JUSTIFIED = "justified", _("Justified")
        UNJUSTIFIED = "unjustified", _("Not justified")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access_reviews")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("network.Agency", on_delete=models.PROTECT, related_name="+")
    justification = models.TextField(_("justification"))
    requested_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    verdict = models.CharField(
        _("verdict"), max_length=20, choices=Verdict, default=Verdict.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("comment"), blank=True)

    objects = AccessReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("break-the-glass review")
        verbose_name_plural = _("break-the-glass reviews")

    def __str__(self) -> str:
        return f"{self.user} {self.case.reference} {self.verdict}"
