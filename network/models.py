"""The agency network: who the agencies and their people are, and the audit trail.

Everything else in akrim hangs off these models: an object's visibility is derived from the
agencies and roles recorded here, and every reason to see something ends up in AuditEvent.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase
from knox.models import AbstractAuthToken

from network.querysets import AuditEventQuerySet, MembershipQuerySet


class Role(models.TextChoices):
    """What a person does in the network. Each role is a Django group carrying capabilities."""

    STAFF = "staff", _("Caseworker / inspector")
    COORDINATOR = "coordinator", _("Coordinator")
    ANALYST = "analyst", _("Analyst")
    AUDITOR = "auditor", _("Log auditor")
    ADMIN = "admin", _("Agency administrator")


def _english() -> bool:
    """Whether the active language is English (else Swedish, the default)."""
    return (get_language() or "sv").startswith("en")


class BilingualName(models.Model):
    """Swedish and English names; `name` follows the active language, Swedish first."""

    name_sv = models.CharField(_("name (Swedish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if _english() and self.name_en:
            return self.name_en
        return self.name_sv

    @staticmethod
    def name_in_sql(path: str = "") -> models.Expression | models.F:
        """`name` as SQL, for an aggregate's `values()` that has no objects to ask: the
        row's English name where the active language is English and it has one, the Swedish
        otherwise. `path`: the relation to the named model, e.g. "agency__"."""
        swedish = models.F(f"{path}name_sv")
        if _english():
            return Coalesce(NullIf(models.F(f"{path}name_en"), models.Value("")), swedish)
        return swedish


class Agency(BilingualName):
    """A public body taking part in the network. Agencies are data, not an enum: bodies such
    as Kronofogden or a municipality can be added without a code change."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    is_coordinator = models.BooleanField(_("coordinating agency"), default=False)
    is_national_coordinator = models.BooleanField(
        _("national coordinator for victims"),
        default=False,
        help_text=_(
            "Follows every victim referral in the country and may be named its case owner."
        ),
    )
    is_network_member = models.BooleanField(_("member of the network"), default=True)
    active = models.BooleanField(_("active"), default=True)
    group = models.OneToOneField(
        Group,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="agency",
        help_text=_("Group used for object-level grants to the whole agency."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    @property
    def group_name(self) -> str:
        return f"agency:{self.code}"


class County(models.Model):
    """A Swedish county (län), keyed by its two-digit länskod as used in official statistics."""

    code = models.CharField(_("county code"), max_length=2, unique=True)
    iso_code = models.CharField(_("ISO 3166-2 code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{2}$"), name="county_code_two_digits"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Centre(models.Model):
    """One of the seven regional centres against work-life crime, where joint controls are
    planned. Each sits in a police region and covers that region's counties."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    city = models.CharField(_("city"), max_length=100)
    police_region = models.CharField(_("police region"), max_length=50)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    counties = models.ManyToManyField(County, related_name="centres", verbose_name=_("counties"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("regional centre")
        verbose_name_plural = _("regional centres")

    def __str__(self) -> str:
        return self.name


class RoleGroup(models.Model):
    """The Django group behind a role. Capabilities (model permissions) are put on it by
    `network.services.sync_role_groups` from the registry in `network.permissions`."""

    role = models.CharField(_("role"), max_length=20, choices=Role, unique=True)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="role")

    class Meta:
        ordering = ["role"]
        verbose_name = _("role group")
        verbose_name_plural = _("role groups")

    def __str__(self) -> str:
        return self.get_role_display()


# knox ships no type information, so django-stubs cannot resolve its token's reverse relation.
class User(AbstractUser):  # type: ignore[django-manager-missing]
    """A person who signs in. Their agency and roles are on `membership`."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        # django-stubs types the inherited Meta's names as str; Django takes lazy text.
        verbose_name = _("user")  # type: ignore[assignment]
        verbose_name_plural = _("users")  # type: ignore[assignment]

    @cached_property
    def active_membership(self) -> "Membership | None":
        """The user's membership if it is active, else None (one query, cached per instance)."""
        return Membership.objects.filter(user=self, active=True).select_related("agency").first()

    @property
    def agency(self) -> Agency | None:
        membership = self.active_membership
        return membership.agency if membership else None

    @property
    def roles(self) -> list[str]:
        membership = self.active_membership
        return list(membership.roles) if membership else []

    def has_role(self, *roles: str) -> bool:
        return bool(set(self.roles) & set(roles))


class Membership(models.Model):
    """A user's place in the network: one agency, one or more roles, optionally a centre.

    Group membership (agency group and role groups) follows from this row and is kept in step
    by `network.services.set_membership`; nobody edits a user's groups by hand."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("agency")
    )
    roles = models.JSONField(_("roles"), default=list)
    centre = models.ForeignKey(
        Centre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("regional centre"),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["agency__code", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user.username} ({self.agency.code})"

    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in self.roles if r in Role.values]


class ApiToken(AbstractAuthToken):  # type: ignore[misc]  # knox: no type information
    """An API token (django-rest-knox: only a SHA-512 digest is stored, it expires after
    `AKRIM_TOKEN_HOURS`). It remembers whether a second factor was verified when it was
    issued, so that it stops working once its user needs one (network.tokens); every token
    of a user is revoked when their password, activity or roles change."""

    two_factor = models.BooleanField(_("issued after two-factor login"), default=False)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.token_key}… ({self.user_id})"


class Contact(models.Model):
    """A contact person for the network's work at an agency, listed in the directory."""

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("agency")
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["agency__code", "order", "name"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.code})"


class AuditEvent(models.Model):
    """One recorded action: who did what to which object, for which purpose or legal basis.

    Append-only: a trigger created by migration 0002 makes the database refuse UPDATE and
    DELETE on this table, on PostgreSQL and SQLite alike. Actor name and agency code are
    copied so the trail stays readable if a user or agency is renamed later."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_username = models.CharField(_("user"), max_length=150, blank=True)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    agency_code = models.CharField(_("agency"), max_length=20, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    purpose = models.TextField(_("purpose or legal basis"), blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    changes = models.JSONField(_("changed fields"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["agency", "-at"], name="audit_agency_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username or '-'} {self.action}"


class AuditEventReview(models.Model):
    """An auditor's note that they reviewed an event (*logguppföljning*). Kept beside the
    event, because the event itself can never be changed."""

    event = models.OneToOneField(AuditEvent, on_delete=models.PROTECT, related_name="review")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("log review")
        verbose_name_plural = _("log reviews")

    def __str__(self) -> str:
        return f"{self.event_id} {self.reviewer_id}"


class WorkerHeartbeat(models.Model):
    """The last time a Celery worker ran the beat-scheduled heartbeat task. The health page
    reads it, so an operator can see at a glance whether background work is flowing."""

    name = models.CharField(max_length=50, unique=True)
    at = models.DateTimeField()
    hostname = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"


class OutboxMessage(models.Model):
    """An e-mail akrim has decided to send, stored in the same transaction as the change that
    caused it. Beat's `network.tasks.send_outbox` sends it later, so neither a Redis outage
    nor an SMTP outage can fail a committed request or lose its message (docs/operations.md,
    *E-mail outbox*). A message is claimed (pending → sending) before it is handed to the mail
    server and never claimed again once sent: each message goes out at most once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Could not be sent")

    kind = models.CharField(_("kind"), max_length=60)
    subject = models.CharField(_("subject"), max_length=250)
    body = models.TextField(_("text"))
    html_body = models.TextField(_("HTML text"), blank=True)
    from_email = models.CharField(_("sender"), max_length=250)
    to = models.JSONField(_("recipients"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["created_at", "id"]
        indexes = [
            # The sender's only question: which pending messages are due, oldest first.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(status="pending"),
                name="outbox_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


# --- shapes shared by the apps (abstract: each app keeps its own table) -----------------


class YearCounter(models.Model):
    """The last reference number used in a year. Taken with `network.services.next_reference`,
    which locks the year's row, so numbers are gap-free and unique under concurrency."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class TimelineNote(models.Model):
    """An entry on an object's timeline: who wrote it, for which agency, and when."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.author_id} {self.created_at:%Y-%m-%d}"


def private_file_path(instance: "PrivateFile", filename: str) -> str:
    """`<folder>/<sha256>`: never the uploader's file name on disk, which may carry anything."""
    return f"{instance.storage_folder}/{instance.sha256}"


class PrivateFile(models.Model):
    """A file kept in private storage (outside any web root), checked on upload by
    `network.files.check_upload` and served only by permission-checked, audited views.
    Subclasses say where they live with `storage_folder`."""

    file = models.FileField(upload_to=private_file_path, max_length=300)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.filename

    @property
    def storage_folder(self) -> str:
        raise NotImplementedError


# --- guardian's derived rows ---------------------------------------------------------------
#
# django-guardian lists objects from its direct foreign-key models (`get_objects_for_user`
# reads `objects.filter(user=...)`). Where every relation a policy knows is already a row of
# its own (memberships, role capabilities, assignments, the object's columns), guardian's
# direct-FK model of that policy's model is an unmanaged model over a SQL view, a subclass
# of this one: a row (user, permission, object) exists exactly when the policy allows the
# action, capabilities included. The views are written in the apps' migrations, on the
# capability view `network_access_capability` (network migration
# `0010_access_capability_view`). Nothing writes them, so they cannot drift; `assign_perm`
# on them fails (a relation is not a grant). docs/access.md, "django-guardian".


class DerivedObjectPermission(UserObjectPermissionBase):
    """One derived row. Its key is the whole row written out ("user:permission:object"):
    each view yields a (user, permission, object) once. Deleting a user, a permission or an
    object leaves the view alone (DO_NOTHING: the row is gone with what it was derived
    from)."""

    # Not a CompositePrimaryKey: guardian's `get_objects_for_user` selects an annotation
    # of these rows in a subquery, which Django counts as the composite key's columns.
    id = models.CharField(primary_key=True, max_length=64, editable=False)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    # guardian's checker reaches the rows from the permission, by its reverse relation
    permission = models.ForeignKey(
        "auth.Permission", on_delete=models.DO_NOTHING, db_constraint=False
    )

    class Meta(UserObjectPermissionBase.Meta):
        abstract = True
        managed = False
        default_permissions = ()
