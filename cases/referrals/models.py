"""Victim referrals, their shares, reflection periods and support measures."""

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cases.grants import ActiveGroupGrants, ActiveUserGrants, GrantFields
from cases.referrals.querysets import VictimReferralQuerySet
from network.models import TimelineNote, YearCounter


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
    """The ILO's 11 indicators of forced labour (docs/architecture.md "Standards")."""

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
    """HTCDS TypeOfExploitation (IOM HTCDS v2.0), plus the Swedish legal type."""

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
    """HTCDS MethodsOfControl (IOM HTCDS v2.0)."""

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
    """The referral's path (the Swedish national referral mechanism, docs/architecture.md "Standards"), with ASCII codes."""

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
    # ISO 3166-1 alpha-2; pages show the country's name in the reader's language.
    nationality = CountryField(_("nationality"), blank=True)
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
        # view_, change_, reveal_ and share_victimreferral are object permissions (rows on one
        # referral, cases/grants.py); the rest are role capabilities, never rows
        # (docs/access.md, "django-guardian").
        permissions = [
            ("reveal_identity", _("Can reveal a referred person's identity")),
            ("reveal_victimreferral", _("Can see the identity of this referral's person")),
            ("share_victimreferral", _("Can share this referral")),
            ("work_on_referrals", _("Can work with referrals")),
            ("edit_referrals", _("Can work referrals (status, consent, support)")),
            ("share_referrals", _("Can share referrals")),
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

    # guardian reads `objects`: shares and grants in force only (cases/grants.py).
    objects: ClassVar[ActiveGroupGrants] = ActiveGroupGrants()
    all_grants: ClassVar[models.Manager[Any]] = models.Manager()

    class Meta(GroupObjectPermissionBase.Meta):
        default_manager_name = "objects"
        verbose_name = _("referral share")
        verbose_name_plural = _("referral shares")

    def __str__(self) -> str:
        return f"{self.content_object_id} -> {self.group_id} ({self.legal_basis})"


class ReferralUserObjectPermission(GrantFields, UserObjectPermissionBase):
    """A personal grant on a referral to a named user. Declared so guardian never falls back
    to generic rows; every referral list asks it (`visible_to`), though no service grants one
    yet."""

    content_object = models.ForeignKey(
        VictimReferral, on_delete=models.CASCADE, related_name="personal_grants"
    )

    # guardian reads `objects`: shares and grants in force only (cases/grants.py).
    objects: ClassVar[ActiveUserGrants] = ActiveUserGrants()
    all_grants: ClassVar[models.Manager[Any]] = models.Manager()

    class Meta(UserObjectPermissionBase.Meta):
        default_manager_name = "objects"
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
