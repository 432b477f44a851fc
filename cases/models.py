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

from cases import matching
from cases.querysets import (
    AccessReviewQuerySet,
    CaseQuerySet,
    TipQuerySet,
    VictimReferralQuerySet,
)
from network.models import PrivateFile, TimelineNote, YearCounter


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
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # Comparison keys (cases.matching), kept in step by save(): tips are matched on these.
    name_key = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    address_key = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    phone_key = models.CharField(max_length=12, blank=True, editable=False)
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

    def save(self, *args, **kwargs):
        self.name_key = matching.name_key(self.name)
        self.address_key = matching.address_key(self.street_address)
        self.phone_key = matching.phone_key(self.phone)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *MATCH_KEYS_EMPLOYER}
        super().save(*args, **kwargs)

    @property
    def formatted_orgnr(self) -> str:
        return f"{self.orgnr[:6]}-{self.orgnr[6:]}"


MATCH_KEYS_EMPLOYER = ("name_key", "address_key", "phone_key")


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


class CaseSequence(YearCounter):
    """The last reference number used per year. Locked row by row so numbers are gap-free
    and unique even when many cases are opened at once."""


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
        indexes = [
            models.Index(fields=["group", "content_object"], name="caseshare_group_case"),
            # visible_to: an agency's active shares as an index-only scan (issue 8).
            models.Index(
                fields=["group", "permission", "content_object", "expires_at"],
                name="caseshare_perf_visible",
            ),
        ]

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
        indexes = [
            models.Index(fields=["user", "content_object"], name="casegrant_user_case"),
            # visible_to: a user's active personal grants as an index-only scan (issue 8).
            models.Index(
                fields=["user", "permission", "content_object", "expires_at"],
                name="casegrant_perf_visible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.content_object_id} -> user {self.user_id} ({self.legal_basis})"


class CaseNote(TimelineNote):
    """One entry on a case's timeline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")

    class Meta(TimelineNote.Meta):
        verbose_name = _("note")
        verbose_name_plural = _("notes")


class CaseAttachment(PrivateFile):
    """A file on a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")

    class Meta(PrivateFile.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    @property
    def storage_folder(self) -> str:
        return f"cases/{self.case_id}"


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


# --- victim referrals -------------------------------------------------------------------


class ReceivingBody(models.TextChoices):
    NSPM_SUPPORT_LINE = "nspm_stodtelefon", _("NSPM support line (Jämställdhetsmyndigheten)")
    REGIONAL_COORDINATOR = "regionkoordinator", _("Regional anti-trafficking coordinator")
    SOCIAL_SERVICES = "socialtjanst", _("Social services")
    POLICE = "polis", _("Police")
    MIGRATION_AGENCY = "migrationsverket", _("Migration Agency")
    NATIONAL_SUPPORT_PROGRAMME = "plattformen_nsp", _("National support programme (NSP)")
    OTHER = "ovrig", _("Other")


# The network agency that receives a referral sent to a body, where there is one.
RECEIVING_AGENCY_OF = {
    "nspm_stodtelefon": "jamy",
    "polis": "polis",
    "migrationsverket": "migr",
}


class IdentifierType(models.TextChoices):
    PERSONNUMMER = "personnummer", _("Personal identity number")
    SAMORDNINGSNUMMER = "samordningsnummer", _("Coordination number")
    PASSPORT = "passport", _("Passport")
    NONE = "none", _("None")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class ProtectedIdentity(models.TextChoices):
    NONE = "none", _("None")
    SECRECY_MARKING = "sekretessmarkering", _("Secrecy marking")
    PROTECTED_REGISTRATION = "skyddad_folkbokforing", _("Protected population registration")
    FICTITIOUS = "fingerade", _("Fictitious identity")


class IloIndicator(models.TextChoices):
    """The ILO's 11 indicators of forced labour (reference §3.3)."""

    ABUSE_OF_VULNERABILITY = "abuse_of_vulnerability", _("Abuse of vulnerability")
    DECEPTION = "deception", _("Deception")
    RESTRICTION_OF_MOVEMENT = "restriction_of_movement", _("Restriction of movement")
    ISOLATION = "isolation", _("Isolation")
    PHYSICAL_SEXUAL_VIOLENCE = "physical_sexual_violence", _("Physical and sexual violence")
    INTIMIDATION_THREATS = "intimidation_threats", _("Intimidation and threats")
    RETENTION_OF_ID_DOCUMENTS = "retention_of_id_documents", _("Retention of identity documents")
    WITHHOLDING_OF_WAGES = "withholding_of_wages", _("Withholding of wages")
    DEBT_BONDAGE = "debt_bondage", _("Debt bondage")
    ABUSIVE_CONDITIONS = (
        "abusive_working_living_conditions",
        _("Abusive working and living conditions"),
    )
    EXCESSIVE_OVERTIME = "excessive_overtime", _("Excessive overtime")


class ExploitationType(models.TextChoices):
    """HTCDS TypeOfExploitation (reference §3.5, §6.5), plus the Swedish legal type."""

    FORCED_LABOUR = "ForcedLabour", _("Forced labour")
    SEXUAL_EXPLOITATION = "SexualExploitation", _("Sexual exploitation")
    CHILD_LABOUR = "ChildLabour", _("Child labour")
    FORCED_MARRIAGE = "ForcedMarriage", _("Forced marriage")
    SERVITUDE = "Servitude", _("Servitude")
    FORCED_MILITARY = "ForcedMilitaryByNonStateActors", _("Forced military (non-state)")
    ORGAN_REMOVAL = "OrganRemoval", _("Organ removal")
    FORCED_BEGGING = "ForcedBegging", _("Forced begging")
    FORCED_ADOPTION = "ForcedAdoption", _("Forced adoption")
    SURROGACY = "Surrogacy", _("Surrogacy")
    UNREASONABLE_CONDITIONS = (
        "UnreasonableConditions",
        _("Work under manifestly unreasonable conditions (BrB 4:1 b)"),
    )
    OTHER = "Other", _("Other")


class MethodOfControl(models.TextChoices):
    """HTCDS MethodsOfControl (reference §3.5)."""

    PHYSICAL_THREATS = "PhysicalThreats", _("Physical threats")
    THREATS_LAW_ENFORCEMENT = "ThreatsLawEnforcement", _("Threats of law enforcement")
    THREATENS_FAMILY = "ThreatensChildrenFamily", _("Threatens children or family")
    DEBT_BONDAGE = "DebtBondage", _("Debt bondage")
    FALSE_PROMISES = "FalsePromises", _("False promises")
    PHYSICAL_ABUSE = "PhysicalAbuse", _("Physical abuse")
    SEXUAL_ABUSE = "SexualAbuse", _("Sexual abuse")
    TAKES_EARNINGS = "TakesEarnings", _("Takes earnings")
    RESTRICTS_FINANCIAL_ACCESS = "RestrictsFinancialAccess", _("Restricts financial access")
    RESTRICTS_MEDICAL_CARE = "RestrictsMedicalCare", _("Restricts medical care")
    WITHHOLDS_NECESSITIES = "WithholdsNecessities", _("Withholds necessities")
    PSYCHOLOGICAL_ABUSE = "PsychologicalAbuse", _("Psychological abuse")
    PSYCHOACTIVE_SUBSTANCE = "PsychoactiveSubstance", _("Psychoactive substances")
    EXCESSIVE_WORKING_HOURS = "ExcessiveWorkingHours", _("Excessive working hours")
    WITHHOLDS_DOCUMENTS = "WithholdsDocuments", _("Withholds documents")
    OTHER = "Other", _("Other")


class ReferralStatus(models.TextChoices):
    """The referral's path (reference §6.6), with ASCII codes."""

    IDENTIFIED = "identified", _("Identified")
    SAFEGUARDING = "safeguarding", _("Child safeguarding")
    SUPPORT_CONTACTED = "support_contacted", _("Support contacted")
    ASSESSMENT = "assessment", _("Assessment")
    REFLECTION_PERIOD = "reflection_period", _("Reflection period")
    SUPPORT_ONGOING = "support_ongoing", _("Support ongoing")
    REPORTED_TO_POLICE = "reported_to_police", _("Reported to the police")
    INVESTIGATION = "investigation", _("Preliminary investigation")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit for cooperation")
    TRIAL_CONCLUDED = "trial_concluded", _("Trial concluded")
    RETURN = "return", _("Return programme")
    CLOSED = "closed", _("Closed")
    CLOSED_REFERRED = "closed_referred", _("Closed, referred on")
    NOT_A_VICTIM = "not_a_victim", _("Not a victim")
    LOST_CONTACT = "lost_contact", _("Contact lost")


class ReferralSequence(YearCounter):
    """Last referral number per year (locked per row: gap-free, safe under concurrency)."""


class VictimReferral(models.Model):
    """A presumed victim of trafficking or exploitation, referred for support.

    The most sensitive record in akrim. Identity fields (identifier, name, birth date) are
    masked everywhere unless revealed by someone with the capability, for a stated purpose,
    and are anonymised after the retention period; the statistical fields stay. A referral
    never requires a police report or a personnummer."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    origin = models.CharField(
        _("origin"),
        max_length=20,
        choices=[("inspection", _("Joint inspection")), ("other", _("Other"))],
        default="other",
    )
    origin_reference = models.CharField(_("origin reference"), max_length=40, blank=True)
    referring_agency = models.ForeignKey(
        "network.Agency", on_delete=models.PROTECT, related_name="+"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    receiving_body = models.CharField(_("receiving body"), max_length=30, choices=ReceivingBody)
    receiving_agency = models.ForeignKey(
        "network.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case owner"),
    )
    # The person. Identity fields are the ones masked and later anonymised.
    identifier_type = models.CharField(
        _("identifier type"), max_length=20, choices=IdentifierType, default=IdentifierType.NONE
    )
    identifier = models.CharField(_("identifier"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex, default=Sex.UNKNOWN)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    language = models.CharField(_("language"), max_length=40, blank=True)
    protected_identity = models.CharField(
        _("protected identity"),
        max_length=30,
        choices=ProtectedIdentity,
        default=ProtectedIdentity.NONE,
    )
    is_child = models.BooleanField(_("child"), default=False)
    indicators = models.JSONField(_("ILO indicators"), default=list, blank=True)
    exploitation_types = models.JSONField(_("exploitation types"), default=list, blank=True)
    methods_of_control = models.JSONField(_("methods of control"), default=list, blank=True)
    industry_sni = models.CharField(_("industry (SNI)"), max_length=6, blank=True)
    # Consent per purpose; a withdrawal keeps its date.
    consent_support = models.BooleanField(_("consent to support"), default=False)
    consent_sharing = models.BooleanField(_("consent to sharing"), default=False)
    consent_statistics = models.BooleanField(_("consent to statistics"), default=False)
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    consent_withdrawn = models.JSONField(
        _("consent withdrawn"), default=dict, blank=True, help_text="purpose -> ISO date"
    )
    police_report_made = models.BooleanField(_("police report made"), default=False)
    status = models.CharField(
        _("status"), max_length=30, choices=ReferralStatus, default=ReferralStatus.IDENTIFIED
    )
    legal_hold = models.BooleanField(
        _("legal hold"),
        default=False,
        help_text=_("Keeps the personal data past the retention period (e.g. a pending trial)."),
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = VictimReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("victim referral")
        verbose_name_plural = _("victim referrals")
        permissions = [
            ("reveal_identity", _("Can reveal a referred person's identity")),
            ("share_victimreferral", _("Can share referrals")),
            ("export_victimreferral", _("Can export referrals (HTCDS)")),
            ("view_referral_statistics", _("Can see referral statistics")),
        ]
        indexes = [
            models.Index(fields=["referring_agency", "-id"], name="referral_agency_recent"),
            models.Index(fields=["receiving_agency", "-id"], name="referral_receiver_recent"),
        ]

    def __str__(self) -> str:
        return self.reference


class ReferralGroupObjectPermission(GrantFields, GroupObjectPermissionBase):
    """A share of a referral with an agency, on a recorded legal basis (direct-FK guardian)."""

    content_object = models.ForeignKey(
        VictimReferral, on_delete=models.CASCADE, related_name="shares"
    )

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("referral share")
        verbose_name_plural = _("referral shares")

    def __str__(self) -> str:
        return f"{self.content_object_id} -> {self.group_id} ({self.legal_basis})"


class ReferralUserObjectPermission(GrantFields, UserObjectPermissionBase):
    """Declared so guardian never falls back to generic rows for referrals; unused so far."""

    content_object = models.ForeignKey(
        VictimReferral, on_delete=models.CASCADE, related_name="personal_grants"
    )

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("personal referral grant")
        verbose_name_plural = _("personal referral grants")

    def __str__(self) -> str:
        return f"{self.content_object_id} -> user {self.user_id}"


class ReflectionPeriod(models.Model):
    """An application for a 30-day reflection period (*betänketid*), decided by
    Migrationsverket (Aliens Act 5:15)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    referral = models.ForeignKey(
        VictimReferral, on_delete=models.CASCADE, related_name="reflection_periods"
    )
    APPLICANTS = [
        ("socialnamnd", _("Social welfare committee")),
        ("fu_ledare", _("Head of investigation")),
    ]
    applicant = models.CharField(_("applicant"), max_length=30, choices=APPLICANTS)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.SUBMITTED)
    submitted_on = models.DateField(_("submitted on"))
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    migration_agency_reference = models.CharField(max_length=40, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_on", "-id"]
        verbose_name = _("reflection period")
        verbose_name_plural = _("reflection periods")

    def __str__(self) -> str:
        return f"{self.referral_id} {self.status}"


class SupportMeasure(models.Model):
    """Support given to the person: MMM (municipal), NSP, the return programme, other."""

    referral = models.ForeignKey(
        VictimReferral, on_delete=models.CASCADE, related_name="support_measures"
    )
    PROGRAMMES = [("mmm", "MMM"), ("nsp", "NSP"), ("amp", "ÅMP"), ("other", _("Other"))]
    programme = models.CharField(_("programme"), max_length=20, choices=PROGRAMMES)
    kind = models.CharField(_("kind of support"), max_length=100)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("support measure")
        verbose_name_plural = _("support measures")

    def __str__(self) -> str:
        return f"{self.programme} {self.kind}"


class ReferralNote(TimelineNote):
    """The referral's timeline (anonymised with the person's data)."""

    referral = models.ForeignKey(VictimReferral, on_delete=models.CASCADE, related_name="notes")

    class Meta(TimelineNote.Meta):
        verbose_name = _("referral note")
        verbose_name_plural = _("referral notes")


# --- public tips ------------------------------------------------------------------------


class Observation(models.TextChoices):
    """What a member of the public may have seen, in plain words drawn from the ILO
    indicators of forced labour (reference §3.3)."""

    LIVES_AT_WORKPLACE = "lives_at_workplace", _("People seem to live at the workplace")
    PASSPORTS_KEPT = "passports_kept", _("Passports or ID papers are kept by the employer")
    VERY_LONG_HOURS = "very_long_hours", _("Very long hours, late nights or every day")
    LITTLE_OR_NO_PAY = "little_or_no_pay", _("Little or no pay, or pay held back")
    DEBTS = "debts", _("Workers owe the employer money")
    THREATS = "threats", _("Threats, violence or fear")
    CANNOT_LEAVE = "cannot_leave", _("Workers cannot come and go freely")
    ISOLATED = "isolated", _("Workers are kept away from others")
    UNSAFE = "unsafe", _("Dangerous work without protection")
    NOT_REGISTERED = "not_registered", _("More people working than seem to be registered")


class TipIndustry(models.TextChoices):
    CONSTRUCTION = "construction", _("Construction")
    RESTAURANT = "restaurant", _("Restaurant or café")
    CLEANING = "cleaning", _("Cleaning")
    TRANSPORT = "transport", _("Transport")
    BEAUTY = "beauty", _("Beauty or nail salon")
    CAR_CARE = "car_care", _("Car wash or garage")
    CARE = "care", _("Care or personal assistance")
    AGRICULTURE = "agriculture", _("Farming, forestry or berries")
    OTHER = "other", _("Other or do not know")


class TipOutcome(models.TextChoices):
    NEW = "new", _("New")
    DISMISSED = "dismissed", _("Dismissed")
    EMPLOYER_LINKED = "employer_linked", _("Linked to an employer")
    CASE_CREATED = "case_created", _("Case opened")
    PROPOSED = "proposed", _("Proposed for an inspection")
    FORWARDED = "forwarded", _("Forwarded to an agency")


class Tip(models.Model):
    """A tip from the public about a workplace where people may be exploited.

    Anonymous by default. Everything the sender wrote is stored as text and only ever shown
    escaped. Visible to the coordinators of Arbetsmiljöverket and of the regional centres,
    and to the agency a coordinator forwards it to."""

    code = models.CharField(_("tip code"), max_length=20, unique=True, editable=False)
    employer_name = models.CharField(_("employer"), max_length=200, blank=True)
    orgnr = models.CharField(_("organisation number"), max_length=10, blank=True)
    address = models.CharField(_("workplace address"), max_length=200)
    municipality = models.CharField(_("municipality"), max_length=100)
    county = models.ForeignKey(
        "network.County", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    industry = models.CharField(_("industry"), max_length=20, choices=TipIndustry)
    observations = models.JSONField(_("what was seen"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    seen_when = models.CharField(_("when"), max_length=100, blank=True)
    contact_name = models.CharField(_("name"), max_length=200, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(max_length=5, default="sv")
    received_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=TipOutcome, default=TipOutcome.NEW
    )
    dismiss_reason = models.TextField(_("reason"), blank=True)
    employer = models.ForeignKey(
        Employer, on_delete=models.SET_NULL, null=True, blank=True, related_name="tips"
    )
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="tips"
    )
    forwarded_to = models.ForeignKey(
        "network.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    # Comparison keys (cases.matching), set by save(): how a tip without an organisation
    # number finds its candidate employers. Phone numbers come from the description.
    name_key = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    address_key = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    phone_keys = models.CharField(max_length=200, blank=True, editable=False)

    objects = TipQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("tip")
        verbose_name_plural = _("tips")
        permissions = [("triage_tip", _("Can triage tips from the public"))]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") is None:  # triage saves its own fields only
            self.name_key = matching.name_key(self.employer_name)
            self.address_key = matching.address_key(self.address)
            self.phone_keys = matching.phone_keys(f"{self.employer_name} {self.description}")[:200]
        super().save(*args, **kwargs)


class LinkStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    UNDONE = "undone", _("Decision undone")


class EmployerLink(models.Model):
    """A coordinator's decision that a tip naming no organisation number is (confirmed) or is
    not (rejected) about a registered employer.

    Linked, not merged: the tip keeps what the sender wrote; the link can be undone, and every
    decision is one audit event (cases.services.decide_employer_link). Undone links return
    the tip to the employer's candidate list."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="links")
    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="employer_links")
    status = models.CharField(_("status"), max_length=20, choices=LinkStatus)
    reasons = models.JSONField(_("matched on"), default=list)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("employer link")
        verbose_name_plural = _("employer links")
        constraints = [
            models.UniqueConstraint(fields=["employer", "tip"], name="employer_link_once")
        ]

    def __str__(self) -> str:
        return f"{self.tip} → {self.employer} ({self.status})"


class TipDrop(models.Model):
    """Submissions dropped silently (honeypot filled, sent too fast), counted per day and
    reason: what the spam protection catches, without storing any of it."""

    day = models.DateField()
    reason = models.CharField(max_length=20)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "reason"], name="tip_drop_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.reason} {self.count}"
