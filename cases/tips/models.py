"""Tips from the public, the spam counter, and the links from a tip to an employer."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.coordination.models import Case
from cases.employers import matching
from cases.employers.models import Employer
from cases.tips.querysets import TipQuerySet
from network.models import DerivedObjectPermission


class Observation(models.TextChoices):
    """What a member of the public may have seen, in plain words drawn from the ILO
    indicators of forced labour (docs/architecture.md "Standards")."""

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
    # Comparison keys (cases/employers/matching.py), set by save(): how a tip without an organisation
    # number finds its candidate employers. Phone numbers come from the description.
    name_key = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    address_key = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    phone_keys = models.CharField(max_length=200, blank=True, editable=False)

    objects = TipQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("tip")
        verbose_name_plural = _("tips")
        # `triage_tip` is the object permission (the policy's answer for one tip); the
        # plural codenames are role capabilities, so guardian's default `get_objects_for_user`
        # reads no role as "every tip" (docs/access.md, "django-guardian").
        permissions = [
            ("triage_tip", _("Can triage this tip")),
            ("work_on_tips", _("Can see tips forwarded to the agency")),
            ("triage_tips", _("Can triage tips from the public")),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
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
    decision is one audit event (cases.tips.services.decide_employer_link). Undone links return
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


# --- guardian's rows: derived in the database ----------------------------------------------
#
# Guardian's direct-FK model of tips is an unmanaged model over a SQL view (cases migration
# `0014_guardian_rows_derived`): a row (user, permission, object) exists exactly when
# cases/tips/policies.py allows the action, capabilities included, from the active
# memberships, their agencies, the role capabilities and the tip's `forwarded_to`. Nothing
# writes them, so they cannot drift. docs/access.md, "django-guardian".


class TipUserObjectPermission(DerivedObjectPermission):
    content_object = models.ForeignKey(
        Tip, on_delete=models.DO_NOTHING, db_constraint=False, related_name="derived_perms"
    )

    class Meta(DerivedObjectPermission.Meta):
        db_table = "cases_access_tip"
