"""Every write to employers and cases: atomic, audited, with the acting user as `actor`.

Each service asks the case policy itself (`require(actor, action, case)`,
cases/coordination/policies.py) and never trusts its caller: 404 for a case the actor cannot
see, 403 for one they see but may not change. A child (note, file, share, grant) is written
only with the case's right for it (docs/access.md, "Case").
"""

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import grants, permissions
from cases.coordination.filters import CaseFilterSet
from cases.coordination.models import (
    AccessReview,
    Case,
    CaseAttachment,
    CaseGroupObjectPermission,
    CaseNote,
    CaseSequence,
    CaseStatus,
    CaseUserObjectPermission,
    Sensitivity,
)
from cases.employers.models import Employer
from cases.grants import (
    LegalBasis,
    validate_grant,
)
from network import exports
from network.exceptions import StaleVersion
from network.files import attach
from network.models import Agency, AuditEvent, User
from network.policies import record_read, require
from network.querystring import audited_filters
from network.services import next_reference, record_event
from network.states import StateMachine
from network.validation import require_member

# Allowed status changes: open -> in progress -> closed, closing early, and reopening.
TRANSITIONS = {
    CaseStatus.OPEN: {CaseStatus.IN_PROGRESS, CaseStatus.CLOSED},
    CaseStatus.IN_PROGRESS: {CaseStatus.OPEN, CaseStatus.CLOSED},
    CaseStatus.CLOSED: {CaseStatus.OPEN},
}
CASE_STATES = StateMachine(TRANSITIONS, choices=CaseStatus)
EDITABLE_FIELDS = ("title", "summary", "employer", "status", "sensitivity")
MIN_JUSTIFICATION = 30
BREAK_THE_GLASS_HOURS = 24


# --- cases ------------------------------------------------------------------------------


@transaction.atomic
def open_case(
    *,
    title: str,
    summary: str = "",
    employer: Employer | None = None,
    sensitivity: str = Sensitivity.NORMAL,
    owner_agency: Agency | None = None,
    actor: User,
) -> Case:
    """Open a case owned by the actor's agency (or, from tip triage, by the agency the
    coordinator chooses)."""
    member = require_member(actor)
    if not actor.has_perm("cases.add_case"):
        raise PermissionDenied(_("You may not open cases."))
    agency = owner_agency or member
    if not title.strip():
        raise ValidationError({"title": [_("Enter a title.")]})
    now = timezone.now()
    case = Case(
        reference=next_reference(CaseSequence, "AK", timezone.localdate(now).year),
        title=title.strip(),
        summary=summary,
        employer=employer,
        owner_agency=agency,
        sensitivity=sensitivity,
        created_by=actor,
        created_at=now,
    )
    case.save()
    record_event("case.created", actor=actor, obj=case, purpose=case.reference)
    return case


@transaction.atomic
def update_case(case: Case, *, version: int, changes: dict[str, Any], actor: User) -> Case:
    """Change fields of a case the actor may edit, if nobody else saved it since `version`.

    The row is locked, so of two updates carrying the same version exactly one wins and
    the other gets StaleVersion without changing anything."""
    require(actor, "change", case, _("You may not change this case."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: [_("This field cannot be changed.")] for field in unknown})
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.version != version:
        raise StaleVersion(locked.version)
    diff = {}
    for field, value in changes.items():
        old = getattr(locked, field)
        if old != value:
            diff[field] = [_plain(old), _plain(value)]
            setattr(locked, field, value)
    if "status" in diff:
        CASE_STATES.check(diff["status"][0], locked.status)
        locked.closed_at = timezone.now() if locked.status == CaseStatus.CLOSED else None
    if not diff:
        return locked
    if "title" in diff and not locked.title.strip():
        raise ValidationError({"title": [_("Enter a title.")]})
    locked.version = version + 1
    locked.save()
    record_event("case.updated", actor=actor, obj=locked, changes=diff)
    return locked


def _plain(value: Any) -> Any:  # a model field value of any type
    if isinstance(value, Employer):
        return value.orgnr
    return value


@transaction.atomic
def add_note(case: Case, *, text: str, actor: User) -> CaseNote:
    """A note on the case's timeline, by anyone who sees the case and may write notes."""
    agency = require_member(actor)
    require(actor, "add_note", case, _("You may not add notes to this case."))
    if not text.strip():
        raise ValidationError({"text": [_("Write something in the note.")]})
    note = CaseNote.objects.create(case=case, author=actor, agency=agency, text=text.strip())
    record_event("case.note_added", actor=actor, obj=case, changes={"note": note.pk})
    return note


@transaction.atomic
def add_attachment(case: Case, *, upload: UploadedFile[bytes], actor: User) -> CaseAttachment:
    """Store a file on a case after checking its size, its type and its first bytes."""
    require(actor, "add_attachment", case, _("You may not attach files to this case."))
    attachment = attach(CaseAttachment(case=case, uploaded_by=actor), upload)
    record_event(
        "case.attachment_added",
        actor=actor,
        obj=case,
        changes={
            "attachment": attachment.pk,
            "filename": attachment.filename,
            "size": attachment.size,
        },
    )
    return attachment


def record_attachment_download(
    attachment: CaseAttachment, *, actor: User, route: str = ""
) -> AuditEvent:
    """A download is a read of the case, recorded with the basis that allowed it."""
    return record_read(
        actor,
        attachment.case,
        require(actor, "view", attachment.case),
        action="case.attachment_downloaded",
        route=route,
        changes={"attachment": attachment.pk, "filename": attachment.filename},
    )


def export_cases_csv(cases: QuerySet[Case], *, actor: User, filters: dict[str, Any]) -> str:
    """The visible cases as CSV (network/exports.py); audited."""
    if not actor.has_perm("cases.export_case"):
        raise PermissionDenied
    rows = [
        [
            case.reference,
            case.title,
            case.status,
            case.owner_agency.code,
            case.employer.orgnr if case.employer else "",
            case.created_at.isoformat(),
        ]
        for case in cases.select_related("owner_agency", "employer").iterator(chunk_size=500)
    ]
    record_event(
        "case.exported",
        actor=actor,
        object_type="cases.case",
        # Only the list's own filters, bounded: the query string is the caller's text.
        changes={"filters": audited_filters(filters, CaseFilterSet), "rows": len(rows)},
    )
    return exports.csv_text(
        ["reference", "title", "status", "owner_agency", "employer", "created_at"], rows
    )


# --- shares and grants ------------------------------------------------------------------


def _perm(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="cases", codename=codename)


def _write_grant_rows[G: (CaseGroupObjectPermission, CaseUserObjectPermission)](
    model: type[G],
    *,
    case: Case,
    holder: Group | User,
    access: str,
    fields: dict[str, Any],
    actor: User,
) -> G:
    """One share or grant through guardian (cases/grants.py): view always, change for edit
    access, the view row recording it. Re-granting replaces."""
    if access not in {"view", "edit"}:
        raise ValidationError({"access": [_("Choose view or edit.")]})
    wanted = ["view_case"] + (["change_case"] if access == "edit" else [])
    return grants.write_grant(model, case, holder, wanted, fields=fields, actor=actor)


@transaction.atomic
def share_case(
    case: Case,
    *,
    agency: Agency,
    access: str,
    legal_basis: str,
    reason: str,
    expires_at: datetime | None = None,
    actor: User,
) -> CaseGroupObjectPermission:
    """Share a case with another agency on a recorded legal basis (owner agency only)."""
    if not permissions.can_share(actor, case):
        raise PermissionDenied(_("Only the owner agency may share this case."))
    if agency.pk == case.owner_agency_id:
        raise ValidationError({"agency": [_("The case already belongs to this agency.")]})
    if not agency.active or agency.group is None:
        raise ValidationError({"agency": [_("Choose an active agency.")]})
    fields = validate_grant(legal_basis, reason, expires_at)
    share = _write_grant_rows(
        CaseGroupObjectPermission,
        case=case,
        holder=agency.group,
        access=access,
        fields=fields,
        actor=actor,
    )
    record_event(
        "case.shared",
        actor=actor,
        obj=case,
        purpose=f"{legal_basis}: {fields['reason']}",
        changes={
            "agency": agency.code,
            "access": access,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return share


@transaction.atomic
def revoke_share(case: Case, *, share_id: int, actor: User) -> None:
    """End a share at once (both its rows)."""
    if not permissions.can_share(actor, case):
        raise PermissionDenied(_("Only the owner agency may end a share."))
    share = CaseGroupObjectPermission.all_grants.filter(
        pk=share_id, content_object=case, owner=False
    ).first()
    if share is None:
        raise CaseGroupObjectPermission.DoesNotExist
    group = share.group
    grants.revoke_grant(CaseGroupObjectPermission, case, group)
    record_event(
        "case.unshared",
        actor=actor,
        obj=case,
        changes={"agency": getattr(getattr(group, "agency", None), "code", group.name)},
    )


@transaction.atomic
def grant_personal_access(
    case: Case,
    *,
    user: User,
    access: str,
    legal_basis: str,
    reason: str,
    expires_at: datetime | None = None,
    actor: User,
) -> CaseUserObjectPermission:
    """Give one named person access to a case (owner agency only)."""
    if not permissions.can_share(actor, case):
        raise PermissionDenied(_("Only the owner agency may grant access to this case."))
    fields = validate_grant(legal_basis, reason, expires_at)
    grant = _write_grant_rows(
        CaseUserObjectPermission,
        case=case,
        holder=user,
        access=access,
        fields=fields,
        actor=actor,
    )
    record_event(
        "case.personal_grant",
        actor=actor,
        obj=case,
        purpose=f"{legal_basis}: {fields['reason']}",
        changes={"user": user.username, "access": access},
    )
    return grant


@transaction.atomic
def revoke_personal_access(case: Case, *, grant_id: int, actor: User) -> None:
    """End a personal grant at once (both its rows). Break-the-glass access ends this way
    too, if the owner agency decides so before the 24 hours are up."""
    if not permissions.can_share(actor, case):
        raise PermissionDenied(_("Only the owner agency may end a grant."))
    grant = CaseUserObjectPermission.all_grants.select_related("user").get(
        pk=grant_id, content_object=case
    )
    grants.revoke_grant(CaseUserObjectPermission, case, grant.user)
    record_event(
        "case.personal_grant_revoked", actor=actor, obj=case, changes={"user": grant.user.username}
    )


@transaction.atomic
def break_the_glass(case: Case, *, justification: str, actor: User) -> AccessReview:
    """Open a case outside one's scope for 24 hours, stating why. The access is personal,
    audited, and queued for review by the actor's own agency's auditors."""
    agency = require_member(actor)
    if not actor.has_perm("cases.break_glass_case"):
        raise PermissionDenied
    if Case.objects.visible_to(actor).filter(pk=case.pk).exists():
        raise ValidationError({"reference": [_("You already have access to this case.")]})
    justification = (justification or "").strip()
    if len(justification) < MIN_JUSTIFICATION:
        raise ValidationError(
            {
                "justification": [
                    _("Explain why you need access now (at least %(n)s characters).")
                    % {"n": MIN_JUSTIFICATION}
                ]
            }
        )
    expires_at = timezone.now() + timedelta(hours=BREAK_THE_GLASS_HOURS)
    grants.write_grant(
        CaseUserObjectPermission,
        case,
        actor,
        ["view_case"],
        fields={
            "legal_basis": LegalBasis.BREAK_THE_GLASS,
            "reason": justification,
            "expires_at": expires_at,
        },
        actor=actor,
    )
    review = AccessReview.objects.create(
        case=case, user=actor, agency=agency, justification=justification, expires_at=expires_at
    )
    record_event(
        "case.break_the_glass",
        actor=actor,
        obj=case,
        purpose=justification,
        changes={"review": review.pk, "expires_at": expires_at.isoformat()},
    )
    return review


def break_the_glass_by_reference(reference: str, *, justification: str, actor: User) -> str:
    """Break-the-glass as a person asks for it, by a reference they may not be able to see.

    Answers "granted", "unknown" or "visible" (a case the actor already sees), or raises a
    ValidationError for a short justification before the reference is looked at. Callers
    answer "granted" and "unknown" alike, so nobody learns whether a case exists without a
    granted, audited and reviewed access (docs/security.md "Separation of duties"). Every
    attempt is audited: `case.break_the_glass` (granted, by `break_the_glass`),
    `case.break_the_glass_unknown`, `case.break_the_glass_refused`."""
    reference = (reference or "").strip().upper()
    text = (justification or "").strip()
    # Deliberately not visible_to: the person asks for a case they cannot see. That is
    # exactly what break-the-glass is for, and why it is justified, audited and reviewed.
    case = Case.objects.filter(reference=reference).first()
    if not actor.has_perm("cases.break_glass_case") or len(text) < MIN_JUSTIFICATION:
        _record_glass_attempt("case.break_the_glass_refused", case, reference, text, actor)
        if not actor.has_perm("cases.break_glass_case"):
            raise PermissionDenied
        raise ValidationError(
            {
                "justification": [
                    _("Explain why you need access now (at least %(n)s characters).")
                    % {"n": MIN_JUSTIFICATION}
                ]
            }
        )
    if case is None:
        _record_glass_attempt("case.break_the_glass_unknown", None, reference, text, actor)
        return "unknown"
    if Case.objects.visible_to(actor).filter(pk=case.pk).exists():
        return "visible"
    break_the_glass(case, justification=text, actor=actor)
    return "granted"


def _record_glass_attempt(
    action: str, case: Case | None, reference: str, justification: str, actor: User
) -> None:
    """An attempt that grants nothing, in its own transaction so a refusal keeps its event."""
    record_event(
        action,
        actor=actor,
        obj=case,
        object_type="cases.case",
        purpose=justification[:4000],
        changes={"reference": reference[:40]},
    )


@transaction.atomic
def review_access(
    review: AccessReview, *, verdict: str, comment: str = "", actor: User
) -> AccessReview:
    """An auditor's verdict on a break-the-glass access (`AccessReviewPolicy`: an auditor of
    the requester's agency, never on their own access)."""
    message = _("You cannot review your own break-the-glass access.")
    require(actor, "change", review, message if review.user_id == actor.pk else "")
    review.refresh_from_db(from_queryset=AccessReview.objects.select_for_update())
    if review.verdict != AccessReview.Verdict.PENDING:
        raise ValidationError({"verdict": [_("This access has already been reviewed.")]})
    if verdict not in {AccessReview.Verdict.JUSTIFIED, AccessReview.Verdict.UNJUSTIFIED}:
        raise ValidationError({"verdict": [_("Choose justified or not justified.")]})
    if verdict == AccessReview.Verdict.UNJUSTIFIED and len(comment.strip()) < 5:
        raise ValidationError({"comment": [_("Say why the access was not justified.")]})
    review.verdict = verdict
    review.review_comment = comment.strip()
    review.reviewed_by = actor
    review.reviewed_at = timezone.now()
    review.save(update_fields=["verdict", "review_comment", "reviewed_by", "reviewed_at"])
    record_event(
        "case.break_the_glass_reviewed",
        actor=actor,
        obj=review.case,
        purpose=comment.strip(),
        changes={"review": review.pk, "verdict": verdict, "user": review.user.username},
    )
    return review


@transaction.atomic
def purge_expired_grants(*, now: datetime | None = None) -> int:
    """Delete expired shares and personal grants (they already grant nothing: visible_to
    checks the expiry). Each removal is audited."""
    now = now or timezone.now()
    removed = 0
    for model, kind in ((CaseGroupObjectPermission, "share"), (CaseUserObjectPermission, "grant")):
        # Records only: a further permission of a share goes with its record (`part_of`).
        expired = model.all_grants.filter(expires_at__lte=now, part_of__isnull=True)
        expired = expired.select_related("content_object")
        for row in expired:
            if row.expires_at is None:  # never: filtered on `expires_at__lte` (for the types)
                continue
            record_event(
                f"case.{kind}_expired",
                actor=None,
                obj=row.content_object,
                purpose=row.legal_basis,
                changes={"permission": row.permission_id, "expired_at": row.expires_at.isoformat()},
            )
        removed += expired.delete()[0]
    return removed
