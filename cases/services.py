"""Every write to employers and cases: atomic, audited, with the acting user as `actor`.

Callers (API, views, commands, tasks) check the actor's *capability* and that the case is
in `visible_to(actor)`; object-level rules (who may edit, who may share) are checked here
too, so no caller can forget them.
"""

import csv
import io
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.identifiers import parse_orgnr, parse_person_number
from cases.models import (
    RECEIVING_AGENCY_OF,
    SHAREABLE_LEGAL_BASES,
    AccessReview,
    Case,
    CaseAttachment,
    CaseGroupObjectPermission,
    CaseNote,
    CaseSequence,
    CaseStatus,
    CaseUserObjectPermission,
    Employer,
    EmployerLink,
    ExploitationType,
    IdentifierType,
    IloIndicator,
    LegalBasis,
    LinkStatus,
    MethodOfControl,
    Observation,
    ReceivingBody,
    ReferralGroupObjectPermission,
    ReferralNote,
    ReferralSequence,
    ReferralStatus,
    ReflectionPeriod,
    Sensitivity,
    Sex,
    SupportMeasure,
    Tip,
    TipDrop,
    TipIndustry,
    TipOutcome,
    VictimReferral,
)
from cases.querysets import is_tip_coordinator
from network.exceptions import StaleVersion
from network.files import check_upload, spreadsheet_safe
from network.middleware import current_request, request_context
from network.models import Agency, User
from network.services import next_reference, record_event

# Allowed status changes: open -> in progress -> closed, closing early, and reopening.
TRANSITIONS = {
    CaseStatus.OPEN: {CaseStatus.IN_PROGRESS, CaseStatus.CLOSED},
    CaseStatus.IN_PROGRESS: {CaseStatus.OPEN, CaseStatus.CLOSED},
    CaseStatus.CLOSED: {CaseStatus.OPEN},
}
EDITABLE_FIELDS = ("title", "summary", "employer", "status", "sensitivity")
MIN_REASON = 10
MIN_BALANCING = 40  # osl_10_15a: the reason must record a balancing of interests
MIN_JUSTIFICATION = 30
BREAK_THE_GLASS_HOURS = 24
# --- employers --------------------------------------------------------------------------


@transaction.atomic
def register_employer(
    *,
    orgnr: str,
    name: str,
    sni_codes=(),
    street_address="",
    postal_code="",
    city="",
    phone="",
    actor,
) -> Employer:
    """Register an employer by organisation number (or a sole trader's personnummer)."""
    try:
        number = parse_orgnr(orgnr)
    except ValidationError as exc:
        raise ValidationError({"orgnr": exc.messages}) from None
    if not name.strip():
        raise ValidationError({"name": [_("Enter the employer's name.")]})
    if Employer.objects.filter(orgnr=number.digits).exists():
        raise ValidationError({"orgnr": [_("An employer with this number is already registered.")]})
    employer = Employer.objects.create(
        orgnr=number.digits,
        name=name.strip(),
        legal_form=number.legal_form,
        is_sole_trader=number.is_sole_trader,
        sni_codes=list(sni_codes),
        street_address=street_address,
        postal_code=postal_code,
        city=city,
        phone=phone.strip(),
        created_by=actor,
    )
    record_event("employer.created", actor=actor, obj=employer)
    return employer


# --- cases ------------------------------------------------------------------------------


def _require_member(actor: User) -> Agency:
    agency = actor.agency
    if agency is None:
        raise PermissionDenied(_("Your account is not connected to an agency."))
    return agency


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
    agency = owner_agency or _require_member(actor)
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
    case._history_user = actor
    case.save()
    record_event("case.created", actor=actor, obj=case, purpose=case.reference)
    return case


@transaction.atomic
def update_case(case: Case, *, version: int, changes: dict, actor: User) -> Case:
    """Change fields of a case the actor may edit, if nobody else saved it since `version`.

    The row is locked, so of two updates carrying the same version exactly one wins and
    the other gets StaleVersion without changing anything."""
    if not permissions.can_edit(actor, case):
        raise PermissionDenied(_("You may not change this case."))
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
        old_status = CaseStatus(diff["status"][0])
        if CaseStatus(locked.status) not in TRANSITIONS[old_status]:
            raise ValidationError(
                {
                    "status": [
                        _("A case cannot go from %(old)s to %(new)s.")
                        % {
                            "old": old_status.label,
                            "new": CaseStatus(locked.status).label,
                        }
                    ]
                }
            )
        locked.closed_at = timezone.now() if locked.status == CaseStatus.CLOSED else None
    if not diff:
        return locked
    if "title" in diff and not locked.title.strip():
        raise ValidationError({"title": [_("Enter a title.")]})
    locked.version = version + 1
    locked._history_user = actor
    locked.save()
    record_event("case.updated", actor=actor, obj=locked, changes=diff)
    return locked


def _plain(value):
    if isinstance(value, Employer):
        return value.orgnr
    return value


def record_case_read(case: Case, *, actor: User, purpose: str = "") -> None:
    """Every read of a case's detail is recorded, with the grant that allowed it."""
    record_event(
        "case.viewed", actor=actor, obj=case, purpose=purpose or _access_basis(case, actor)
    )


def _access_basis(case: Case, actor: User) -> str:
    if actor.agency is not None and actor.agency.pk == case.owner_agency_id:
        return "owner agency"
    grant = (
        CaseUserObjectPermission.objects.filter(content_object=case, user=actor)
        .order_by("-granted_at")
        .first()
    )
    if grant is None and actor.agency is not None:
        grant = (
            CaseGroupObjectPermission.objects.filter(
                content_object=case, group_id=actor.agency.group_id
            )
            .order_by("-granted_at")
            .first()
        )
    return grant.legal_basis if grant else ""


@transaction.atomic
def add_note(case: Case, *, text: str, actor: User) -> CaseNote:
    agency = _require_member(actor)
    if not text.strip():
        raise ValidationError({"text": [_("Write something in the note.")]})
    note = CaseNote.objects.create(case=case, author=actor, agency=agency, text=text.strip())
    record_event("case.note_added", actor=actor, obj=case, changes={"note": note.pk})
    return note


@transaction.atomic
def add_attachment(case: Case, *, upload, actor: User) -> CaseAttachment:
    """Store a file on a case after checking its size, its type and its first bytes."""
    if not permissions.can_edit(actor, case):
        raise PermissionDenied(_("You may not change this case."))
    checked = check_upload(upload)
    attachment = CaseAttachment(
        case=case,
        filename=checked.name,
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    attachment.file.save(checked.sha256, ContentFile(checked.content), save=False)
    attachment.save()
    record_event(
        "case.attachment_added",
        actor=actor,
        obj=case,
        changes={"attachment": attachment.pk, "filename": checked.name, "size": attachment.size},
    )
    return attachment


def record_attachment_download(attachment: CaseAttachment, *, actor: User) -> None:
    record_event(
        "case.attachment_downloaded",
        actor=actor,
        obj=attachment.case,
        changes={"attachment": attachment.pk, "filename": attachment.filename},
        purpose=_access_basis(attachment.case, actor),
    )


def export_cases_csv(cases, *, actor: User, filters: dict) -> str:
    """The visible cases as CSV (UTF-8 with BOM for spreadsheet programs); audited."""
    if not actor.has_perm("cases.export_case"):
        raise PermissionDenied
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["reference", "title", "status", "owner_agency", "employer", "created_at"])
    count = 0
    for case in cases.select_related("owner_agency", "employer").iterator(chunk_size=500):
        writer.writerow(
            [
                case.reference,
                spreadsheet_safe(case.title),
                case.status,
                case.owner_agency.code,
                case.employer.orgnr if case.employer else "",
                case.created_at.isoformat(),
            ]
        )
        count += 1
    record_event(
        "case.exported",
        actor=actor,
        object_type="cases.case",
        changes={"filters": filters, "rows": count},
    )
    return out.getvalue()


# --- shares and grants ------------------------------------------------------------------


def _perm(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="cases", codename=codename)


def _validate_grant(legal_basis: str, reason: str, expires_at) -> dict:
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


def _write_grant_rows(model, *, case, holder: dict, access: str, fields: dict, actor):
    """One row per permission: view always, change for edit access. Re-granting replaces."""
    if access not in {"view", "edit"}:
        raise ValidationError({"access": [_("Choose view or edit.")]})
    wanted = ["view_case"] + (["change_case"] if access == "edit" else [])
    model.objects.filter(content_object=case, **holder).exclude(
        permission__codename__in=wanted
    ).delete()
    rows = []
    for codename in wanted:
        row, _created = model.objects.update_or_create(
            content_object=case,
            permission=_perm(codename),
            **holder,
            defaults={**fields, "granted_by": actor, "granted_at": timezone.now()},
        )
        rows.append(row)
    return rows[0]


@transaction.atomic
def share_case(
    case: Case,
    *,
    agency: Agency,
    access: str,
    legal_basis: str,
    reason: str,
    expires_at=None,
    actor: User,
) -> CaseGroupObjectPermission:
    """Share a case with another agency on a recorded legal basis (owner agency only)."""
    if not permissions.can_share(actor, case):
        raise PermissionDenied(_("Only the owner agency may share this case."))
    if agency.pk == case.owner_agency_id:
        raise ValidationError({"agency": [_("The case already belongs to this agency.")]})
    if not agency.active or agency.group_id is None:
        raise ValidationError({"agency": [_("Choose an active agency.")]})
    fields = _validate_grant(legal_basis, reason, expires_at)
    share = _write_grant_rows(
        CaseGroupObjectPermission,
        case=case,
        holder={"group_id": agency.group_id},
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
    share = CaseGroupObjectPermission.objects.filter(pk=share_id, content_object=case).first()
    if share is None:
        raise CaseGroupObjectPermission.DoesNotExist
    group = share.group
    CaseGroupObjectPermission.objects.filter(content_object=case, group=group).delete()
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
    expires_at=None,
    actor: User,
) -> CaseUserObjectPermission:
    """Give one named person access to a case (owner agency only)."""
    if not permissions.can_share(actor, case):
        raise PermissionDenied(_("Only the owner agency may grant access to this case."))
    fields = _validate_grant(legal_basis, reason, expires_at)
    grant = _write_grant_rows(
        CaseUserObjectPermission,
        case=case,
        holder={"user": user},
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
    grant = CaseUserObjectPermission.objects.select_related("user").get(
        pk=grant_id, content_object=case
    )
    CaseUserObjectPermission.objects.filter(content_object=case, user=grant.user).delete()
    record_event(
        "case.personal_grant_revoked", actor=actor, obj=case, changes={"user": grant.user.username}
    )


@transaction.atomic
def break_the_glass(case: Case, *, justification: str, actor: User) -> AccessReview:
    """Open a case outside one's scope for 24 hours, stating why. The access is personal,
    audited, and queued for review by the actor's own agency's auditors."""
    agency = _require_member(actor)
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
    CaseUserObjectPermission.objects.update_or_create(
        content_object=case,
        user=actor,
        permission=_perm("view_case"),
        defaults={
            "legal_basis": LegalBasis.BREAK_THE_GLASS,
            "reason": justification,
            "expires_at": expires_at,
            "granted_by": actor,
            "granted_at": timezone.now(),
        },
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


@transaction.atomic
def review_access(review: AccessReview, *, verdict: str, comment: str = "", actor: User):
    """An auditor's verdict on a break-the-glass access."""
    if review.user_id == actor.pk:
        raise PermissionDenied(_("You cannot review your own break-the-glass access."))
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
def purge_expired_grants(*, now=None) -> int:
    """Delete expired shares and personal grants (they already grant nothing: visible_to
    checks the expiry). Each removal is audited."""
    now = now or timezone.now()
    removed = 0
    for model, kind in ((CaseGroupObjectPermission, "share"), (CaseUserObjectPermission, "grant")):
        expired = model.objects.filter(expires_at__lte=now).select_related("content_object")
        for row in expired:
            record_event(
                f"case.{kind}_expired",
                actor=None,
                obj=row.content_object,
                purpose=row.legal_basis,
                changes={"permission": row.permission_id, "expired_at": row.expires_at.isoformat()},
            )
        removed += expired.delete()[0]
    return removed


# --- victim referrals -------------------------------------------------------------------
#
# Identity fields (identifier, name, birth date) leave the database only through
# `reveal_identity`; everything else shows them masked. Sharing needs the person's consent to
# sharing unless the legal basis is a duty that overrides consent.

CONSENT_OVERRIDING_BASES = {
    LegalBasis.LAW_ENFORCEMENT,  # duty to inform law enforcement
    LegalBasis.AKRIM,  # duty to share for joint workplace controls
}
REFERRAL_TRANSITIONS = {
    "identified": {
        "support_contacted",
        "assessment",
        "safeguarding",
        "not_a_victim",
        "lost_contact",
    },
    "safeguarding": {"support_contacted", "assessment", "closed_referred", "lost_contact"},
    "support_contacted": {"assessment", "support_ongoing", "lost_contact", "closed_referred"},
    "assessment": {
        "reflection_period",
        "support_ongoing",
        "reported_to_police",
        "return",
        "not_a_victim",
        "closed_referred",
        "lost_contact",
    },
    "reflection_period": {"support_ongoing", "reported_to_police", "return", "lost_contact"},
    "support_ongoing": {
        "reported_to_police",
        "return",
        "closed",
        "closed_referred",
        "lost_contact",
    },
    "reported_to_police": {"investigation", "support_ongoing", "closed", "lost_contact"},
    "investigation": {"residence_permit", "trial_concluded", "support_ongoing", "closed"},
    "residence_permit": {"trial_concluded", "support_ongoing", "closed"},
    "trial_concluded": {"support_ongoing", "return", "closed"},
    "return": {"closed", "closed_referred"},
    "closed": {"assessment"},
    "closed_referred": set(),
    "not_a_victim": set(),
    "lost_contact": {"support_contacted", "assessment", "closed"},
}
CLOSED_REFERRAL_STATES = {"closed", "closed_referred", "not_a_victim"}
REFLECTION_DAYS = 30


def _person_identity(identifier_type: str, identifier: str) -> tuple[str, str, object]:
    """Validate the identifier; Swedish numbers are stored as 12 digits and a coordination
    number is recognised as one by its day + 60."""
    identifier = (identifier or "").strip()
    if identifier_type in {IdentifierType.PERSONNUMMER, IdentifierType.SAMORDNINGSNUMMER}:
        try:
            number = parse_person_number(identifier)
        except ValidationError as exc:
            raise ValidationError({"person.identifier": exc.messages}) from None
        return number.kind, number.digits, number.birth_date
    if identifier_type == IdentifierType.PASSPORT:
        if not 5 <= len(identifier) <= 20 or not identifier.replace(" ", "").isalnum():
            raise ValidationError({"person.identifier": [_("Enter the passport number.")]})
        return identifier_type, identifier.upper(), None
    if identifier:
        raise ValidationError({"person.identifier": [_("Choose the type of identifier.")]})
    return IdentifierType.NONE, "", None


def _codes(values, choices, field):
    unknown = sorted(set(values) - set(choices.values))
    if unknown:
        raise ValidationError({field: [_("Unknown codes: %(c)s.") % {"c": ", ".join(unknown)}]})
    return sorted(set(values))


@transaction.atomic
def create_referral(
    *,
    person: dict,
    receiving_body: str,
    consent: dict,
    is_child: bool = False,
    indicators=(),
    exploitation_types=(),
    methods_of_control=(),
    origin: str = "other",
    origin_reference: str = "",
    industry_sni: str = "",
    police_report_made: bool = False,
    actor: User,
) -> VictimReferral:
    """Refer a presumed victim for support. Neither a police report nor a personnummer is
    needed. An adult must consent to support; a child needs no consent and goes to the
    safeguarding flow with social services."""
    agency = _require_member(actor)
    if not actor.has_perm("cases.add_victimreferral"):
        raise PermissionDenied
    if receiving_body not in ReceivingBody.values:
        raise ValidationError({"receiving_body": [_("Choose who receives the referral.")]})
    kind, identifier, born = _person_identity(
        person.get("identifier_type", "none"), person.get("identifier", "")
    )
    if not is_child and not consent.get("support"):
        raise ValidationError(
            {"consent.support": [_("An adult must consent to being referred for support.")]}
        )
    nationality = (person.get("nationality") or "").upper()
    if nationality and (len(nationality) != 2 or not nationality.isalpha()):
        raise ValidationError({"person.nationality": [_("Use a two-letter country code.")]})
    birth_year = person.get("birth_year") or (born.year if born else None)
    if birth_year and not 1900 <= int(birth_year) <= timezone.localdate().year:
        raise ValidationError({"person.birth_year": [_("Enter a plausible year of birth.")]})
    if person.get("sex", "unknown") not in Sex.values:
        raise ValidationError({"person.sex": [_("Choose a value.")]})
    receiving_code = RECEIVING_AGENCY_OF.get(receiving_body)
    referral = VictimReferral.objects.create(
        reference=next_reference(ReferralSequence, "HV", timezone.localdate().year),
        origin=origin,
        origin_reference=origin_reference,
        referring_agency=agency,
        referred_by=actor,
        receiving_body=receiving_body,
        receiving_agency=Agency.objects.filter(code=receiving_code).first()
        if receiving_code
        else None,
        identifier_type=kind,
        identifier=identifier,
        name=(person.get("name") or "").strip(),
        birth_date=born or person.get("birth_date"),
        birth_year=birth_year,
        sex=person.get("sex", "unknown"),
        nationality=nationality,
        language=(person.get("language") or "").strip(),
        protected_identity=person.get("protected_identity", "none"),
        is_child=is_child,
        indicators=_codes(indicators, IloIndicator, "indicators"),
        exploitation_types=_codes(exploitation_types, ExploitationType, "exploitation_types"),
        methods_of_control=_codes(methods_of_control, MethodOfControl, "methods_of_control"),
        industry_sni=industry_sni,
        consent_support=bool(consent.get("support")),
        consent_sharing=bool(consent.get("sharing")),
        consent_statistics=bool(consent.get("statistics")),
        consent_recorded_at=timezone.now() if any(consent.values()) else None,
        police_report_made=police_report_made,
        status=ReferralStatus.SAFEGUARDING if is_child else ReferralStatus.IDENTIFIED,
    )
    record_event(
        "referral.created",
        actor=actor,
        obj=referral,
        purpose="child safeguarding" if is_child else "consent to support",
        changes={"receiving_body": receiving_body, "origin": origin},
    )
    return referral


def can_reveal_identity(user: User, referral: VictimReferral) -> bool:
    """The identity capability for this referral: the role capability, and the user's agency
    is the national coordinator, the referring or the receiving agency (not a share)."""
    agency = user.agency
    return bool(
        agency is not None
        and user.has_perm("cases.reveal_identity")
        and (
            agency.code == "jamy"
            or agency.pk in {referral.referring_agency_id, referral.receiving_agency_id}
        )
    )


def record_referral_read(referral: VictimReferral, *, actor: User) -> None:
    record_event("referral.viewed", actor=actor, obj=referral, purpose="referral detail")


def reveal_identity(referral: VictimReferral, *, purpose: str, actor: User) -> dict:
    """The person's identity, for this view only, with the purpose recorded."""
    if not can_reveal_identity(actor, referral):
        raise PermissionDenied(_("You may not see this person's identity."))
    if len((purpose or "").strip()) < 10:
        raise ValidationError(
            {"purpose": [_("State why you need the identity (at least 10 characters).")]}
        )
    record_event("referral.identity_revealed", actor=actor, obj=referral, purpose=purpose.strip())
    return {
        "identifier_type": referral.identifier_type,
        "identifier": referral.identifier,
        "name": referral.name,
        "birth_date": referral.birth_date,
    }


@transaction.atomic
def change_referral_status(referral: VictimReferral, *, status: str, actor: User) -> VictimReferral:
    locked = VictimReferral.objects.select_for_update().get(pk=referral.pk)
    if not can_work_referral(actor, locked):
        raise PermissionDenied
    if status not in REFERRAL_TRANSITIONS.get(locked.status, set()):
        raise ValidationError(
            {
                "status": [
                    _("A referral cannot go from %(a)s to %(b)s.")
                    % {"a": locked.status, "b": status}
                ]
            }
        )
    before = locked.status
    locked.status = status
    locked.closed_at = timezone.now() if status in CLOSED_REFERRAL_STATES else None
    locked.version += 1
    locked.save()
    record_event(
        "referral.status_changed", actor=actor, obj=locked, changes={"status": [before, status]}
    )
    return locked


def can_work_referral(user: User, referral: VictimReferral) -> bool:
    """Who works the referral (status, consent, shares, reflection periods): the national
    coordinator, the referring and the receiving agency. An agency holding a share only
    reads."""
    return can_reveal_identity(user, referral) or (
        user.agency is not None
        and user.has_perm("cases.change_victimreferral")
        and user.agency.pk in {referral.referring_agency_id, referral.receiving_agency_id}
    )


@transaction.atomic
def withdraw_consent(referral: VictimReferral, *, purpose: str, actor: User) -> VictimReferral:
    """The person withdraws consent for one purpose; the date is kept."""
    if purpose not in {"support", "sharing", "statistics"}:
        raise ValidationError({"purpose": [_("Choose support, sharing or statistics.")]})
    if not can_work_referral(actor, referral):
        raise PermissionDenied
    # Two withdrawals at once must both keep their date: lock, then read the latest.
    referral.refresh_from_db(from_queryset=VictimReferral.objects.select_for_update())
    setattr(referral, f"consent_{purpose}", False)
    referral.consent_withdrawn = {
        **referral.consent_withdrawn,
        purpose: timezone.localdate().isoformat(),
    }
    referral.save(update_fields=[f"consent_{purpose}", "consent_withdrawn", "updated_at"])
    record_event(
        "referral.consent_withdrawn", actor=actor, obj=referral, changes={"purpose": purpose}
    )
    return referral


@transaction.atomic
def share_referral(
    referral: VictimReferral,
    *,
    agency: Agency,
    legal_basis: str,
    reason: str,
    expires_at=None,
    actor: User,
) -> ReferralGroupObjectPermission:
    """Share a referral with an agency. Needs the person's consent to sharing, unless the
    legal basis is a duty that overrides consent (the reason must then say which)."""
    if not (actor.has_perm("cases.share_victimreferral") and can_work_referral(actor, referral)):
        raise PermissionDenied(_("You may not share this referral."))
    fields = _validate_grant(legal_basis, reason, expires_at)
    if not referral.is_child and not referral.consent_sharing:
        if legal_basis not in CONSENT_OVERRIDING_BASES:
            raise ValidationError(
                {
                    "legal_basis": [
                        _(
                            "The person has not consented to sharing. Only a duty that "
                            "overrides consent can be the basis."
                        )
                    ]
                }
            )
    share, _created = ReferralGroupObjectPermission.objects.update_or_create(
        content_object=referral,
        group_id=agency.group_id,
        permission=Permission.objects.get(
            content_type__app_label="cases", codename="view_victimreferral"
        ),
        defaults={**fields, "granted_by": actor, "granted_at": timezone.now()},
    )
    record_event(
        "referral.shared",
        actor=actor,
        obj=referral,
        purpose=f"{legal_basis}: {fields['reason']}",
        changes={"agency": agency.code, "consent_sharing": referral.consent_sharing},
    )
    return share


@transaction.atomic
def apply_for_reflection_period(
    referral: VictimReferral, *, applicant: str, submitted_on, actor: User
) -> ReflectionPeriod:
    if not can_work_referral(actor, referral):
        raise PermissionDenied
    if applicant not in dict(ReflectionPeriod.APPLICANTS):
        raise ValidationError({"applicant": [_("Choose who applies.")]})
    period = ReflectionPeriod.objects.create(
        referral=referral, applicant=applicant, submitted_on=submitted_on
    )
    record_event("referral.reflection_applied", actor=actor, obj=referral)
    return period


@transaction.atomic
def decide_reflection_period(period: ReflectionPeriod, *, granted: bool, decided_on, actor: User):
    """Record Migrationsverket's decision: granted for 30 days, or refused."""
    if not can_work_referral(actor, period.referral):
        raise PermissionDenied
    period.refresh_from_db(from_queryset=ReflectionPeriod.objects.select_for_update())
    if period.status != ReflectionPeriod.Status.SUBMITTED:
        raise ValidationError({"granted": [_("Migrationsverket has already decided this.")]})
    period.status = ReflectionPeriod.Status.GRANTED if granted else ReflectionPeriod.Status.REFUSED
    if granted:
        period.valid_from = decided_on
        period.valid_to = decided_on + timedelta(days=REFLECTION_DAYS - 1)
    period.save()
    record_event(
        "referral.reflection_decided",
        actor=actor,
        obj=period.referral,
        changes={"granted": granted},
    )
    return period


def remind_reflection_periods_ending(*, days_before: int = 5, today=None) -> int:
    """Tell the case owner (or the referrer) that a reflection period ends soon; once."""
    today = today or timezone.localdate()
    due = ReflectionPeriod.objects.filter(
        status=ReflectionPeriod.Status.GRANTED,
        reminded_at__isnull=True,
        valid_to__lte=today + timedelta(days=days_before),
        valid_to__gte=today,
    ).select_related("referral__case_owner", "referral__referred_by")
    sent = 0
    for period in due:
        claimed = ReflectionPeriod.objects.filter(pk=period.pk, reminded_at__isnull=True).update(
            reminded_at=timezone.now()
        )
        if not claimed:
            continue
        person = period.referral.case_owner or period.referral.referred_by
        if person.email:
            send_mail(
                "akrim: betänketid upphör snart",
                f"Betänketiden i hänvisning {period.referral.reference} upphör {period.valid_to}.",
                settings.DEFAULT_FROM_EMAIL,
                [person.email],
            )
        sent += 1
    return sent


@transaction.atomic
def anonymise_due_referrals(*, now=None) -> int:
    """Remove the personal data of referrals closed longer ago than the retention period,
    except those under legal hold. The statistical fields stay. One audit event records how
    many were anonymised (never who)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.AKRIM_REFERRAL_RETENTION_DAYS)
    due = VictimReferral.objects.filter(
        status__in=CLOSED_REFERRAL_STATES,
        closed_at__lte=cutoff,
        legal_hold=False,
        anonymised_at__isnull=True,
    )
    count = due.update(
        identifier_type=IdentifierType.NONE,
        identifier="",
        name="",
        birth_date=None,
        language="",
        anonymised_at=now,
    )
    ReferralNote.objects.filter(referral__anonymised_at=now).update(text="[anonymiserad]")
    record_event(
        "referral.anonymised",
        actor=None,
        object_type="cases.victimreferral",
        changes={"count": count, "cutoff": cutoff.isoformat()},
    )
    return count


@transaction.atomic
def add_referral_note(referral: VictimReferral, *, text: str, actor: User) -> ReferralNote:
    """An entry on the referral's timeline, by those who work the referral. Notes are
    anonymised with the rest of the personal data when the retention period ends."""
    if not can_work_referral(actor, referral):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": [_("Write something in the note.")]})
    note = ReferralNote.objects.create(
        referral=referral, author=actor, agency=actor.agency, text=text.strip()
    )
    record_event("referral.note_added", actor=actor, obj=referral, changes={"note": note.pk})
    return note


@transaction.atomic
def add_support_measure(
    referral: VictimReferral,
    *,
    programme: str,
    kind: str,
    starts_on,
    ends_on=None,
    provider: str = "",
    actor: User,
) -> SupportMeasure:
    """Support given to the person (MMM, NSP, the return programme, other)."""
    if not can_work_referral(actor, referral):
        raise PermissionDenied
    if programme not in dict(SupportMeasure.PROGRAMMES):
        raise ValidationError({"programme": [_("Choose the programme.")]})
    if not kind.strip():
        raise ValidationError({"kind": [_("Describe the support.")]})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": [_("The support must end after it starts.")]})
    measure = SupportMeasure.objects.create(
        referral=referral,
        programme=programme,
        kind=kind.strip(),
        provider=provider.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    record_event(
        "referral.support_added", actor=actor, obj=referral, changes={"programme": programme}
    )
    return measure


@transaction.atomic
def set_case_owner(referral: VictimReferral, *, owner: User, actor: User) -> VictimReferral:
    """The person who follows the referral: someone at the receiving agency or at
    Jämställdhetsmyndigheten."""
    if not can_work_referral(actor, referral):
        raise PermissionDenied
    agency = owner.agency
    if agency is None or not (
        agency.code == "jamy"
        or agency.pk in {referral.receiving_agency_id, referral.referring_agency_id}
    ):
        raise ValidationError(
            {"owner": [_("The case owner must work at an agency that works the referral.")]}
        )
    referral.refresh_from_db(from_queryset=VictimReferral.objects.select_for_update())
    referral.case_owner = owner
    referral.save(update_fields=["case_owner", "updated_at"])
    record_event("referral.owner_set", actor=actor, obj=referral, changes={"owner": owner.username})
    return referral


# --- public tips ------------------------------------------------------------------------

TIP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def _tip_code() -> str:
    while True:
        body = "".join(secrets.choice(TIP_ALPHABET) for _ in range(8))
        code = f"TIPS-{body[:4]}-{body[4:]}"
        if not Tip.objects.filter(code=code).exists():
            return code


@transaction.atomic
def submit_tip(*, data: dict, language: str = "sv") -> Tip:
    """Store a tip from the public (no account). The organisation number, if given, must be
    valid; everything else is plain text, shown escaped wherever it appears."""
    orgnr = (data.get("orgnr") or "").strip()
    if orgnr:
        try:
            orgnr = parse_orgnr(orgnr).digits
        except ValidationError as exc:
            raise ValidationError({"orgnr": exc.messages}) from None
    observations = _codes(data.get("observations", []), Observation, "observations")
    if data.get("industry") not in TipIndustry.values:
        raise ValidationError({"industry": [_("Choose an industry.")]})
    tip = Tip.objects.create(
        code=_tip_code(),
        employer_name=(data.get("employer_name") or "").strip()[:200],
        orgnr=orgnr,
        address=(data.get("address") or "").strip()[:200],
        municipality=(data.get("municipality") or "").strip()[:100],
        county=data.get("county"),
        industry=data["industry"],
        observations=observations,
        description=(data.get("description") or "").strip()[:4000],
        seen_when=(data.get("seen_when") or "").strip()[:100],
        contact_name=(data.get("contact_name") or "").strip()[:200],
        contact_phone=(data.get("contact_phone") or "").strip()[:40],
        contact_email=(data.get("contact_email") or "").strip()[:254],
        language=language[:5],
    )
    # The public page promises not to keep the sender's address with the tip: the audit
    # event of a received tip is written without the IP.
    with request_context(current_request().request_id, None):
        record_event("tip.received", actor=None, obj=tip, agency=None)
    return tip


def count_dropped_tip(reason: str) -> None:
    """A spam submission was dropped without a trace but this count."""
    today = timezone.localdate()
    TipDrop.objects.get_or_create(day=today, reason=reason)
    TipDrop.objects.filter(day=today, reason=reason).update(count=F("count") + 1)


def _require_triage(actor: User) -> None:
    if not is_tip_coordinator(actor):
        raise PermissionDenied(_("Only coordinators triage tips."))


TRIAGE_FIELDS = [
    "outcome",
    "triaged_by",
    "triaged_at",
    "dismiss_reason",
    "employer",
    "case",
    "forwarded_to",
]


def _lock_tip(tip: Tip) -> None:
    """Triage actions on one tip take turns: lock its row and read what the last one saved
    (two coordinators acting at once must not both open a case from it)."""
    tip.refresh_from_db(from_queryset=Tip.objects.select_for_update())


def _triaged(tip: Tip, outcome: str, actor: User, action: str, purpose: str = "", **changes):
    tip.outcome = outcome
    tip.triaged_by = actor
    tip.triaged_at = timezone.now()
    tip.save(update_fields=TRIAGE_FIELDS)  # only what triage owns: the tip itself stays as sent
    record_event(f"tip.{action}", actor=actor, obj=tip, purpose=purpose, changes=changes)
    return tip


@transaction.atomic
def dismiss_tip(tip: Tip, *, reason: str, actor: User) -> Tip:
    _require_triage(actor)
    if len(reason.strip()) < 5:
        raise ValidationError({"reason": [_("Say why the tip is dismissed.")]})
    _lock_tip(tip)
    tip.dismiss_reason = reason.strip()
    return _triaged(tip, TipOutcome.DISMISSED, actor, "dismissed", purpose=reason.strip())


@transaction.atomic
def link_tip_to_employer(tip: Tip, *, orgnr: str, actor: User) -> Tip:
    """Connect the tip to a registered employer, given by organisation number."""
    _require_triage(actor)
    try:
        digits = parse_orgnr(orgnr).digits
    except ValidationError as exc:
        raise ValidationError({"orgnr": exc.messages}) from None
    employer = Employer.objects.filter(orgnr=digits).first()
    if employer is None:
        raise ValidationError({"orgnr": [_("No employer with this number is registered.")]})
    _lock_tip(tip)
    tip.employer = employer
    return _triaged(
        tip, TipOutcome.EMPLOYER_LINKED, actor, "employer_linked", employer=employer.orgnr
    )


@transaction.atomic
def create_case_from_tip(tip: Tip, *, owner_agency: Agency, title: str = "", actor: User) -> Case:
    """Open a case for the agency the coordinator chooses, with the tip as its summary."""
    _require_triage(actor)
    _lock_tip(tip)
    if tip.case_id is not None:
        raise ValidationError({"case": [_("A case has already been opened from this tip.")]})
    case = open_case(
        title=(title or _("Tip %(code)s: %(place)s") % {"code": tip.code, "place": tip.address})[
            :200
        ],
        summary=tip.description,
        employer=tip.employer,
        owner_agency=owner_agency,
        actor=actor,
    )
    tip.case = case
    _triaged(
        tip,
        TipOutcome.CASE_CREATED,
        actor,
        "case_created",
        case=case.reference,
        owner=owner_agency.code,
    )
    return case


@transaction.atomic
def propose_tip_for_inspection(tip: Tip, *, actor: User) -> Tip:
    """Mark the workplace as a candidate for a coming joint control (selection basis: tip)."""
    _require_triage(actor)
    _lock_tip(tip)
    return _triaged(tip, TipOutcome.PROPOSED, actor, "proposed")


@transaction.atomic
def forward_tip(tip: Tip, *, agency: Agency, actor: User) -> Tip:
    """Hand the tip to one agency: its members can then see it."""
    _require_triage(actor)
    _lock_tip(tip)
    tip.forwarded_to = agency
    return _triaged(tip, TipOutcome.FORWARDED, actor, "forwarded", agency=agency.code)


def possible_duplicates(tip: Tip, within):
    """Other tips that may be about the same workplace: same orgnr, same address, or a
    similar employer name (case-insensitive containment)."""
    condition = Q(address__iexact=tip.address)
    if tip.orgnr:
        condition |= Q(orgnr=tip.orgnr)
    name = tip.employer_name.strip()
    if len(name) >= 4:
        condition |= Q(employer_name__icontains=name[:30])
    return within.filter(condition).exclude(pk=tip.pk).order_by("-received_at")[:5]


# --- employer links (tips that name no organisation number) ---------------------------------


def tip_link_candidates(employer: Employer, *, user: User) -> list[tuple[Tip, list[str]]]:
    """Tips the user may see that may be about this employer although they give no
    organisation number: same name key, same street address key, or the employer's phone
    number in the tip. Each with what matched; decided ones (confirmed/rejected) left out."""
    condition = Q()
    if employer.name_key:
        condition |= Q(name_key=employer.name_key)
    if employer.address_key:
        condition |= Q(address_key=employer.address_key)
    if employer.phone_key:
        condition |= Q(phone_keys__contains=f" {employer.phone_key} ")
    if not condition:
        return []
    decided = EmployerLink.objects.filter(employer=employer).exclude(status=LinkStatus.UNDONE)
    tips = (
        Tip.objects.visible_to(user)
        .filter(condition, orgnr="")
        .exclude(pk__in=decided.values("tip_id"))
        .order_by("-received_at", "-id")[:50]
    )
    return [(tip, match_reasons(employer, tip)) for tip in tips]


def match_reasons(employer: Employer, tip: Tip) -> list[str]:
    reasons = []
    if employer.name_key and employer.name_key == tip.name_key:
        reasons.append("name")
    if employer.address_key and employer.address_key == tip.address_key:
        reasons.append("address")
    if employer.phone_key and f" {employer.phone_key} " in tip.phone_keys:
        reasons.append("phone")
    return reasons


@transaction.atomic
def decide_employer_link(
    employer: Employer, *, tip: Tip, decision: str, version: int | None = None, actor: User
) -> EmployerLink:
    """Confirm or reject that a tip is about the employer, or undo an earlier decision.

    Only those who triage tips decide; the tip must be visible to them. One row per
    (employer, tip) carries the current decision, and each change is one audit event naming
    the previous state, so any decision can be traced and reversed. `version` guards against
    two coordinators deciding on the same link at once (409)."""
    _require_triage(actor)
    if decision not in LinkStatus.values:
        raise ValidationError({"decision": [_("Choose confirm, reject or undo.")]})
    if not Tip.objects.visible_to(actor).filter(pk=tip.pk).exists():
        raise PermissionDenied(_("You may not see this tip."))
    link = EmployerLink.objects.select_for_update().filter(employer=employer, tip=tip).first()
    previous = link.status if link else ""
    if link is None:
        if decision == LinkStatus.UNDONE:
            raise ValidationError({"decision": [_("There is no decision to undo.")]})
        if version not in (None, 0):
            raise StaleVersion(0)
        link = EmployerLink(employer=employer, tip=tip, status=decision, decided_by=actor)
        link.reasons = match_reasons(employer, tip)
    else:
        if version is not None and version != link.version:
            raise StaleVersion(link.version)
        if link.status == decision:
            return link
        if decision == LinkStatus.UNDONE and link.status == LinkStatus.UNDONE:
            raise ValidationError({"decision": [_("There is no decision to undo.")]})
        link.status = decision
        link.decided_by = actor
        link.decided_at = timezone.now()
        link.version += 1
    link.save()
    record_event(
        f"employer_link.{decision}",
        actor=actor,
        obj=employer,
        purpose=tip.code,
        changes={"tip": tip.code, "status": [previous, decision], "reasons": link.reasons},
    )
    return link


def linked_tips(employer: Employer, *, user: User):
    """Tips the user may see that are about the employer: by organisation number, by the
    triage link, or by a confirmed employer link."""
    confirmed = EmployerLink.objects.filter(employer=employer, status=LinkStatus.CONFIRMED)
    return Tip.objects.visible_to(user).filter(
        Q(orgnr=employer.orgnr) | Q(employer=employer) | Q(pk__in=confirmed.values("tip_id"))
    )
