"""What shares and personal grants have in common, in every domain of `cases`.

A share (an agency's group) or a personal grant (a named user) is a django-guardian direct
foreign-key permission row that also records the legal basis, the reason, who granted it and
until when. Cases and referrals both share this way, so the fields, the legal bases and the
check of a grant's reason live here once.
"""

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MIN_REASON = 10
MIN_BALANCING = 40  # osl_10_15a: the reason must record a balancing of interests


class LegalBasis(models.TextChoices):
    """Why information may cross from one agency to another (the codes are stored; docs/access.md explains each)."""

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


def active_grants(model, now=None):
    """Grant rows of `model` that have not expired, for the view permission.

    The permission is a scalar subquery (evaluated once), not a join, so the grant index
    (holder, permission, case, expiry) answers it alone (docs/performance.md)."""
    now = now or timezone.now()
    view = Permission.objects.filter(codename="view_case").order_by().values("pk")[:1]
    return model.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now), permission_id=Subquery(view)
    )


def validate_grant(legal_basis: str, reason: str, expires_at) -> dict:
    errors = {}
    if legal_basis not in dict(SHAREABLE_LEGAL_BASES):
        errors["legal_basis"] = [_("Choose the legal basis for sharing.")]
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        errors["reason"] = [_("Describe the reason for sharing (at least 10 characters).")]
    elif legal_basis == LegalBasis.OSL_10_15A and len(reason) < MIN_BALANCING:
        errors["reason"] = [
            _(
                "For OSL 10:15 a, record the balancing of interests: why the interest of "
                "disclosure outweighs the interest secrecy protects (at least 40 characters)."
            )
        ]
    elif legal_basis == LegalBasis.OTHER and not any(ch.isdigit() for ch in reason):
        errors["reason"] = [_("For another statute, name it (e.g. SFS number and section).")]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = [_("The end date must be in the future.")]
    if errors:
        raise ValidationError(errors)
    return {"legal_basis": legal_basis, "reason": reason, "expires_at": expires_at}
