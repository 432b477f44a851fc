"""Employers and coordination cases, and the grants that let other agencies see a case.

A case belongs to the agency that opened it. Another agency sees it only through a share,
and a named person only through a personal grant (or break-the-glass). Shares and personal
grants *are* django-guardian direct foreign-key permission rows that also carry the legal
basis, the reason, who granted them and when they end: one source of truth, nothing that can
drift from the permission table.
"""

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cases.coordination.querysets import AccessReviewQuerySet, CaseQuerySet
from cases.employers.models import Employer
from cases.grants import ActiveGroupGrants, ActiveUserGrants, GrantFields
from network.models import DerivedObjectPermission, PrivateFile, TimelineNote, YearCounter


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


class Sensitivity(models.TextChoices):
    NORMAL = "normal", _("Normal")
    SENSITIVE = "sensitive", _("Sensitive")
    SECRET = "secret", _("Secret (OSL)")


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

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        # `share_case` is the object permission (a row on one case, cases/grants.py); the
        # plural codenames are role capabilities, never rows, so guardian's default
        # `get_objects_for_user` reads no role as "every case" (docs/access.md).
        permissions = [
            ("share_case", _("Can share this case")),
            ("export_case", _("Can export case lists")),
            ("break_glass_case", _("Can open a case outside scope with a justification")),
            ("work_on_cases", _("Can work with cases")),
            ("edit_cases", _("Can edit cases")),
            ("share_cases", _("Can share cases with other agencies")),
        ]
        indexes = [
            models.Index(fields=["owner_agency", "-id"], name="case_owner_recent"),
            models.Index(fields=["employer", "-id"], name="case_employer_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class CaseGroupObjectPermission(GrantFields, GroupObjectPermissionBase):
    """A share of a case with an agency (its group): the `view_case` row records the share
    (legal basis, reason, expiry); an edit share adds a `change_case` row `part_of` it. The
    owning agency's own rows (`owner`) are not a share (cases/grants.py)."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")

    # guardian reads `objects`: shares and grants in force only (cases/grants.py).
    objects: ClassVar[ActiveGroupGrants] = ActiveGroupGrants()
    all_grants: ClassVar[models.Manager[Any]] = models.Manager()

    class Meta(GroupObjectPermissionBase.Meta):
        default_manager_name = "objects"
        verbose_name = _("case share")
        verbose_name_plural = _("case shares")
        indexes = [
            models.Index(fields=["group", "content_object"], name="caseshare_group_case"),
            # visible_to: an agency's shares in force as an index-only scan, `part_of` too
            # (the in-force condition asks it, cases.grants.in_force), the owner rows left
            # out as the case policy leaves them out (docs/performance.md, "First pages").
            models.Index(
                fields=["group", "permission", "content_object", "expires_at", "part_of"],
                condition=models.Q(owner=False),
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

    # guardian reads `objects`: shares and grants in force only (cases/grants.py).
    objects: ClassVar[ActiveUserGrants] = ActiveUserGrants()
    all_grants: ClassVar[models.Manager[Any]] = models.Manager()

    class Meta(UserObjectPermissionBase.Meta):
        default_manager_name = "objects"
        verbose_name = _("personal case grant")
        verbose_name_plural = _("personal case grants")
        indexes = [
            models.Index(fields=["user", "content_object"], name="casegrant_user_case"),
            # visible_to: a user's personal grants in force as an index-only scan, `part_of`
            # too (cases.grants.in_force; docs/performance.md).
            models.Index(
                fields=["user", "permission", "content_object", "expires_at", "part_of"],
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
        # Role capabilities, named apart from the model's object permissions so guardian's
        # default `get_objects_for_user` reads no role as "every review" (docs/access.md,
        # "django-guardian").
        permissions = [
            ("work_on_access_reviews", _("Can see break-the-glass reviews")),
            ("edit_access_reviews", _("Can review break-the-glass access")),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.case.reference} {self.verdict}"


# --- guardian's rows: derived in the database ----------------------------------------------
#
# Guardian's direct-FK model of break-the-glass reviews is an unmanaged model over a SQL
# view (cases migration `0014_guardian_rows_derived`): a row (user, permission, object)
# exists exactly when `AccessReviewPolicy` allows the action, capabilities included, from
# the active memberships, the role capabilities and the review's agency and user. Nothing
# writes them, so they cannot drift. docs/access.md, "django-guardian".


class AccessReviewUserObjectPermission(DerivedObjectPermission):
    content_object = models.ForeignKey(
        AccessReview, on_delete=models.DO_NOTHING, db_constraint=False, related_name="derived_perms"
    )

    class Meta(DerivedObjectPermission.Meta):
        db_table = "cases_access_accessreview"
