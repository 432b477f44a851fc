"""The employer registry (see docs/architecture.md)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.employers import matching
from network.models import DerivedObjectPermission
from network.querysets import ScopedQuerySet


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


class EmployerQuerySet(ScopedQuerySet):
    """`visible_to(user)` is the employer policy (cases/employers/policies.py)."""


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
    # Comparison keys (cases/employers/matching.py), kept in step by save(): tips are matched on these.
    name_key = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    address_key = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    phone_key = models.CharField(max_length=12, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = EmployerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "orgnr"]
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        # Role capabilities, named apart from the model's object permissions so guardian's
        # default `get_objects_for_user` reads no role as "every employer" (docs/access.md,
        # "django-guardian").
        permissions = [
            ("work_on_employers", _("Can look up employers")),
        ]
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


# --- guardian's rows: derived in the database ----------------------------------------------
#
# Guardian's direct-FK model of employers is an unmanaged model over a SQL view (cases
# migration `0014_guardian_rows_derived`): a row (user, permission, employer) exists exactly
# when cases/employers/policies.py allows the action: an active member with the capability,
# for every employer (registry data). Nothing writes them, so they cannot drift.
# docs/access.md, "django-guardian".


class EmployerUserObjectPermission(DerivedObjectPermission):
    content_object = models.ForeignKey(
        Employer, on_delete=models.DO_NOTHING, db_constraint=False, related_name="derived_perms"
    )

    class Meta(DerivedObjectPermission.Meta):
        db_table = "cases_access_employer"
