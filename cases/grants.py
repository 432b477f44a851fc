"""What shares and personal grants have in common, in every domain of `cases`.

A share (an agency's group) or a personal grant (a named user) is written as django-guardian
direct foreign-key permission rows, through guardian's own `assign_perm` / `remove_perm`
(`write_grant`, `revoke_grant`). One row per share or grant records the legal basis, the
reason, who granted it and until when; a further permission of the same share (change for an
edit share) is a row of its own that points to that record (`part_of`) and copies nothing.

Guardian's `get_objects_for_user` reads these tables through the models' `objects` manager,
and akrim's guardian backend (network.backends.GrantChecker) asks the same rows; that manager
leaves out expired rows, so guardian never answers yes for a share or grant that has run out. The owner agency holds rows of its own on every
case (`owner`), written when the case is created. Why: docs/access.md, "django-guardian".
"""

from collections.abc import Sequence
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.managers import GroupObjectPermissionManager, UserObjectPermissionManager
from guardian.shortcuts import assign_perm, remove_perm

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


def active(prefix: str = "", now=None) -> Q:
    """Rows (or, with a prefix, related rows) that have not expired."""
    now = now or timezone.now()
    return Q(**{f"{prefix}expires_at__isnull": True}) | Q(**{f"{prefix}expires_at__gt": now})


def in_force(model, now=None) -> Q:
    """The rows of a grant model in force: not expired, and a further permission (`part_of`)
    only while the record it belongs to is in force.

    The record is probed by its key (EXISTS), not listed (`part_of IN (every record in
    force)`): inside a case scope a list is a subplan per case row, the first page of 50 is
    then planned at hundreds of thousands of cost units and PostgreSQL JIT-compiles it on
    every request (docs/performance.md, "Speed where people wait")."""
    now = now or timezone.now()
    record = model.all_grants.filter(
        active(now=now), pk=OuterRef("part_of_id"), part_of__isnull=True
    )
    return active(now=now) & (Q(part_of__isnull=True) | Q(Exists(record)))


class _ActiveRows(models.Manager[Any]):
    """Only rows in force (`in_force`). The parent's expiry is asked as a subquery, not a
    join, so the rows guardian reads stay one per permission."""

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().filter(in_force(self.model))


class ActiveUserGrants(_ActiveRows, UserObjectPermissionManager):
    pass


class ActiveGroupGrants(_ActiveRows, GroupObjectPermissionManager):
    pass


class GrantFields(models.Model):
    """What every grant on a case records besides the permission itself.

    The record of a share or grant is its first permission's row (view); a further permission
    of the same share points to it with `part_of` and leaves these fields empty."""

    legal_basis = models.CharField(_("legal basis"), max_length=40, choices=LegalBasis, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    part_of = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("part of"),
        help_text="The row recording the share or grant this further permission belongs to.",
    )
    owner = models.BooleanField(
        _("owner agency"),
        default=False,
        db_default=False,  # rows written in bulk (bench/generate.py) are no owner rows
        help_text="A row of the owning agency, written with the case: not a share.",
    )

    # Declared on each grant model: `objects` holds the rows in force, `all_grants` every row.
    objects: ClassVar[models.Manager[Any]]
    all_grants: ClassVar[models.Manager[Any]]

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
    # View rows are records (never `part_of` another row): `all_grants` with the expiry
    # keeps the plan of the index (docs/performance.md).
    return model.all_grants.filter(active(now=now), permission_id=Subquery(view))


def _holder_field(model) -> str:
    return "user" if any(f.name == "user" for f in model._meta.fields) else "group"


def write_grant[G: GrantFields](
    model: type[G],
    obj: models.Model,
    holder: Any,
    codenames: Sequence[str],
    *,
    fields: dict[str, Any],
    actor: Any = None,
    owner: bool = False,
) -> G:
    """Write one share or personal grant through guardian's `assign_perm`.

    `codenames` are the permissions given, the first one (view) carrying the record: legal
    basis, reason, expiry, who and when. The others point to it. Granting again replaces
    what the holder had on the object (an expired row first, then permissions no longer
    given), so a holder has one share or grant per object."""
    field = _holder_field(model)
    app = obj._meta.app_label
    mine = {field: holder, "content_object": obj}
    in_force = model.objects.filter(**mine).values("pk")
    model.all_grants.filter(**mine).exclude(pk__in=in_force).delete()
    for row in model.objects.filter(**mine).exclude(permission__codename__in=codenames):
        remove_perm(f"{app}.{row.permission.codename}", holder, obj)
    record = assign_perm(f"{app}.{codenames[0]}", holder, obj)
    if not isinstance(record, model):  # with an object, guardian returns the row it wrote
        raise TypeError(f"assign_perm wrote no {model.__name__} row")
    values = {
        "legal_basis": "",
        "reason": "",
        "expires_at": None,
        **fields,
        "granted_by": actor,
        "granted_at": timezone.now(),
        "part_of": None,
        "owner": owner,
    }
    for name, value in values.items():
        setattr(record, name, value)
    record.save()
    for codename in codenames[1:]:
        part = assign_perm(f"{app}.{codename}", holder, obj)
        model.all_grants.filter(pk=part.pk).update(
            part_of=record,
            legal_basis="",
            reason="",
            expires_at=None,
            granted_by=actor,
            granted_at=record.granted_at,
            owner=owner,
        )
    return record


def revoke_grant(model, obj, holder) -> None:
    """End a holder's share or grant on an object at once: each permission through guardian's
    `remove_perm`, and whatever had already expired with it."""
    field = _holder_field(model)
    app = obj._meta.app_label
    mine = {field: holder, "content_object": obj}
    for row in model.objects.filter(**mine).select_related("permission"):
        remove_perm(f"{app}.{row.permission.codename}", holder, obj)
    model.all_grants.filter(**mine).delete()


OWNER_PERMISSIONS = ("view_case", "change_case", "share_case")


def write_owner_rows(case) -> None:
    """The owning agency's rows on its case, so guardian knows the owner as the policy does."""
    from django.apps import apps  # grants sit below the domains (pyproject.toml)

    group = case.owner_agency.group
    if group is None:
        return
    shares = apps.get_model("cases", "CaseGroupObjectPermission")
    write_grant(shares, case, group, OWNER_PERMISSIONS, fields={}, owner=True)


def _owner_rows_on_create(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        write_owner_rows(instance)


models.signals.post_save.connect(
    _owner_rows_on_create, sender="cases.Case", dispatch_uid="cases.grants.owner_rows"
)


# What the agencies that hold a referral (referring, receiving, national coordinator) may do
# to it, as rows: the relation. What each role may do is the capability (cases/permissions.py).
REFERRAL_HOLDER_PERMISSIONS = (
    "view_victimreferral",
    "change_victimreferral",
    "reveal_victimreferral",
    "share_victimreferral",
)


def _referral_holder_groups(referral) -> set[int]:
    """The groups of the agencies that hold the referral: the referring and the receiving
    agency and every national coordinator for victims (`Agency.is_national_coordinator`)."""
    from django.apps import apps

    agency = apps.get_model("network", "Agency")
    holders = Q(pk__in=[referral.referring_agency_id, referral.receiving_agency_id]) | Q(
        is_national_coordinator=True
    )
    return set(
        agency.objects.filter(holders, group__isnull=False).values_list("group_id", flat=True)
    )


def write_referral_holder_rows(referrals) -> None:
    """Make the holders' rows (`owner=True`) on each referral what its relations are now:
    rows for a group that no longer holds it go, a new holder gets view, change, reveal and
    share (the view row the record, the others `part_of` it, as the owner rows of a case).
    Called when a referral is created or changes hands and when an agency becomes or stops
    being the national coordinator; a share the new holder had is replaced by its rows."""
    from django.apps import apps

    rows = apps.get_model("cases", "ReferralGroupObjectPermission")
    perms = dict(
        Permission.objects.filter(
            content_type__app_label="cases", codename__in=REFERRAL_HOLDER_PERMISSIONS
        ).values_list("codename", "pk")
    )
    for referral in referrals:
        wanted = _referral_holder_groups(referral)
        mine = rows.all_grants.filter(content_object_id=referral.pk)
        mine.filter(owner=True).exclude(group_id__in=wanted).delete()
        have = set(mine.filter(owner=True).values_list("group_id", flat=True))
        new = wanted - have
        if not new:
            continue
        mine.filter(group_id__in=new).delete()  # a share of a new holder becomes its rows
        view, *others = REFERRAL_HOLDER_PERMISSIONS
        records = rows.all_grants.bulk_create(
            rows(content_object_id=referral.pk, group_id=g, permission_id=perms[view], owner=True)
            for g in sorted(new)
        )
        rows.all_grants.bulk_create(
            rows(
                content_object_id=referral.pk,
                group_id=record.group_id,
                permission_id=perms[codename],
                owner=True,
                part_of=record,
            )
            for record in records
            for codename in others
        )


def _referral_rows_on_save(sender, instance, created, raw=False, **kwargs):
    """Rows when a referral is created or its referring or receiving agency changes."""
    if raw:
        return
    now = (instance.referring_agency_id, instance.receiving_agency_id)
    if created or getattr(instance, "_holders_at_load", now) != now:
        write_referral_holder_rows([instance])
    instance._holders_at_load = now


def _referral_holders_at_load(sender, instance, **kwargs):
    # From __dict__: a deferred field is not loaded for this.
    instance._holders_at_load = (
        instance.__dict__.get("referring_agency_id"),
        instance.__dict__.get("receiving_agency_id"),
    )


def _national_coordinator_at_load(sender, instance, **kwargs):
    instance._national_at_load = instance.__dict__.get("is_national_coordinator")


def _national_coordinator_rows_on_save(sender, instance, created, raw=False, **kwargs):
    """An agency that becomes or stops being the national coordinator gains or loses its
    rows on every referral (other holders' rows are left as they are)."""
    if raw:
        return
    was = None if created else getattr(instance, "_national_at_load", None)
    if bool(was) == bool(instance.is_national_coordinator) or instance.group_id is None:
        instance._national_at_load = instance.is_national_coordinator
        return
    from django.apps import apps

    referral = apps.get_model("cases", "VictimReferral")
    write_referral_holder_rows(
        referral.objects.only("pk", "referring_agency_id", "receiving_agency_id").iterator()
    )
    instance._national_at_load = instance.is_national_coordinator


models.signals.post_init.connect(
    _referral_holders_at_load,
    sender="cases.VictimReferral",
    dispatch_uid="cases.grants.referral_holders_at_load",
)
models.signals.post_save.connect(
    _referral_rows_on_save,
    sender="cases.VictimReferral",
    dispatch_uid="cases.grants.referral_rows",
)
models.signals.post_init.connect(
    _national_coordinator_at_load,
    sender="network.Agency",
    dispatch_uid="cases.grants.national_coordinator_at_load",
)
models.signals.post_save.connect(
    _national_coordinator_rows_on_save,
    sender="network.Agency",
    dispatch_uid="cases.grants.national_coordinator_rows",
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
