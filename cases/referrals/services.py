"""Every write to victim referrals: atomic, audited, with the acting user as `actor`.

Each service asks the referral policy itself (`require(actor, action, referral)`,
cases/referrals/policies.py) and never trusts its caller: 404 for a referral the actor
cannot see, 403 for one they see but do not work (a share only reads). A child (note,
support, reflection period, share) is written only with the referral's right for it.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from cases.grants import LegalBasis, validate_grant, write_grant
from cases.referrals.models import (
    RECEIVING_AGENCY_OF,
    ExploitationType,
    IdentifierType,
    IloIndicator,
    MethodOfControl,
    ReceivingBody,
    ReferralGroupObjectPermission,
    ReferralNote,
    ReferralSequence,
    ReferralStatus,
    ReflectionPeriod,
    Sex,
    SupportMeasure,
    VictimReferral,
)
from cases.referrals.policies import may_be_case_owner
from network.identifiers import parse_person_number
from network.models import Agency, User
from network.outbox import enqueue_mail
from network.policies import record_read, require
from network.services import next_reference, record_event
from network.states import StateMachine
from network.validation import known_codes, require_member

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
REFERRAL_STATES = StateMachine(REFERRAL_TRANSITIONS, choices=ReferralStatus)
CLOSED_REFERRAL_STATES = {"closed", "closed_referred", "not_a_victim"}


def require_open(referral: VictimReferral) -> None:
    """A closed referral takes no more support, notes, shares or applications: the work on
    it has ended (403, a forbidden action on a visible object). Reopening it, where its
    path allows, is a status change."""
    if referral.status in CLOSED_REFERRAL_STATES:
        raise PermissionDenied(
            _("The referral is closed: support, notes and shares are no longer recorded.")
        )


REFLECTION_DAYS = 30


def _person_identity(identifier_type: str, identifier: str) -> tuple[str, str, date | None]:
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


@transaction.atomic
def create_referral(
    *,
    person: dict[str, Any],
    receiving_body: str,
    consent: dict[str, Any],
    is_child: bool = False,
    indicators: Iterable[str] = (),
    exploitation_types: Iterable[str] = (),
    methods_of_control: Iterable[str] = (),
    origin: str = "other",
    origin_reference: str = "",
    industry_sni: str = "",
    police_report_made: bool = False,
    actor: User,
) -> VictimReferral:
    """Refer a presumed victim for support. Neither a police report nor a personnummer is
    needed. An adult must consent to support; a child needs no consent and goes to the
    safeguarding flow with social services."""
    agency = require_member(actor)
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
    if nationality and nationality not in countries:  # ISO 3166-1 alpha-2
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
        indicators=known_codes(indicators, IloIndicator, "indicators"),
        exploitation_types=known_codes(exploitation_types, ExploitationType, "exploitation_types"),
        methods_of_control=known_codes(methods_of_control, MethodOfControl, "methods_of_control"),
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


def reveal_identity(referral: VictimReferral, *, purpose: str, actor: User) -> dict[str, Any]:
    """The person's identity, for this view only, with the purpose recorded."""
    access = require(actor, "reveal", referral, _("You may not see this person's identity."))
    if len((purpose or "").strip()) < 10:
        raise ValidationError(
            {"purpose": [_("State why you need the identity (at least 10 characters).")]}
        )
    record_read(
        actor, referral, access, action="referral.identity_revealed", purpose=purpose.strip()
    )
    return {
        "identifier_type": referral.identifier_type,
        "identifier": referral.identifier,
        "name": referral.name,
        "birth_date": referral.birth_date,
    }


@transaction.atomic
def change_referral_status(referral: VictimReferral, *, status: str, actor: User) -> VictimReferral:
    require(actor, "change", referral)
    locked = VictimReferral.objects.select_for_update().get(pk=referral.pk)
    REFERRAL_STATES.check(locked.status, status)
    before = locked.status
    locked.status = status
    locked.closed_at = timezone.now() if status in CLOSED_REFERRAL_STATES else None
    locked.version += 1
    locked.save()
    record_event(
        "referral.status_changed", actor=actor, obj=locked, changes={"status": [before, status]}
    )
    return locked


@transaction.atomic
def withdraw_consent(referral: VictimReferral, *, purpose: str, actor: User) -> VictimReferral:
    """The person withdraws consent for one purpose; the date is kept."""
    if purpose not in {"support", "sharing", "statistics"}:
        raise ValidationError({"purpose": [_("Choose support, sharing or statistics.")]})
    require(actor, "change", referral)
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
    expires_at: datetime | None = None,
    actor: User,
) -> ReferralGroupObjectPermission:
    """Share a referral with an agency. Needs the person's consent to sharing, unless the
    legal basis is a duty that overrides consent (the reason must then say which)."""
    require(actor, "share", referral, _("You may not share this referral."))
    require_open(referral)
    if agency.is_national_coordinator or agency.pk in {
        referral.referring_agency_id,
        referral.receiving_agency_id,
    }:
        # Its own rows already give it the referral (cases/grants.py); a share would replace them.
        raise ValidationError({"agency": [_("This agency already works this referral.")]})
    fields = validate_grant(legal_basis, reason, expires_at)
    if (
        not referral.is_child
        and not referral.consent_sharing
        and legal_basis not in CONSENT_OVERRIDING_BASES
    ):
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
    share = write_grant(
        ReferralGroupObjectPermission,
        referral,
        agency.group,
        ["view_victimreferral"],
        fields=fields,
        actor=actor,
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
    referral: VictimReferral, *, applicant: str, submitted_on: date, actor: User
) -> ReflectionPeriod:
    require(actor, "change", referral)
    require_open(referral)
    if applicant not in dict(ReflectionPeriod.APPLICANTS):
        raise ValidationError({"applicant": [_("Choose who applies.")]})
    period = ReflectionPeriod.objects.create(
        referral=referral, applicant=applicant, submitted_on=submitted_on
    )
    record_event("referral.reflection_applied", actor=actor, obj=referral)
    return period


@transaction.atomic
def decide_reflection_period(
    period: ReflectionPeriod, *, granted: bool, decided_on: date, actor: User
) -> ReflectionPeriod:
    """Record Migrationsverket's decision: granted for 30 days, or refused."""
    require(actor, "change", period.referral)
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


def remind_reflection_periods_ending(*, days_before: int = 5, today: date | None = None) -> int:
    """Tell the case owner (or the referrer) that a reflection period ends soon; once. The
    claim and the mail (network/outbox.py) are one transaction per period: a reminder is
    neither lost nor sent twice when the mail server is away."""
    today = today or timezone.localdate()
    due = ReflectionPeriod.objects.filter(
        status=ReflectionPeriod.Status.GRANTED,
        reminded_at__isnull=True,
        valid_to__lte=today + timedelta(days=days_before),
        valid_to__gte=today,
    ).select_related("referral__case_owner", "referral__referred_by")
    sent = 0
    for period in due:
        with transaction.atomic():
            claimed = ReflectionPeriod.objects.filter(
                pk=period.pk, reminded_at__isnull=True
            ).update(reminded_at=timezone.now())
            if not claimed:
                continue
            person = period.referral.case_owner or period.referral.referred_by
            enqueue_mail(
                kind="referral.reflection_reminder",
                subject="akrim: betänketid upphör snart",
                body=(
                    f"Betänketiden i hänvisning {period.referral.reference} upphör "
                    f"{period.valid_to}."
                ),
                to=[person.email],
            )
        sent += 1
    return sent


@transaction.atomic
def anonymise_due_referrals(*, now: datetime | None = None) -> int:
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
    require(actor, "change", referral)
    require_open(referral)
    if not text.strip():
        raise ValidationError({"text": [_("Write something in the note.")]})
    note = ReferralNote.objects.create(
        referral=referral, author=actor, agency=require_member(actor), text=text.strip()
    )
    record_event("referral.note_added", actor=actor, obj=referral, changes={"note": note.pk})
    return note


@transaction.atomic
def add_support_measure(
    referral: VictimReferral,
    *,
    programme: str,
    kind: str,
    starts_on: date,
    ends_on: date | None = None,
    provider: str = "",
    actor: User,
) -> SupportMeasure:
    """Support given to the person (MMM, NSP, the return programme, other)."""
    require(actor, "change", referral)
    require_open(referral)
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
def set_case_owner(referral: VictimReferral, *, owner: User | str, actor: User) -> VictimReferral:
    """The person who follows the referral: someone at the receiving agency or at
    Jämställdhetsmyndigheten. `owner` may be a username: an unknown, inactive or ineligible
    one get the same answer, so the endpoint never tells whether a username exists
    (docs/security.md)."""
    require(actor, "change", referral)
    person: User | None = owner if isinstance(owner, User) else None
    if isinstance(owner, str):
        person = User.objects.filter(username=owner, is_active=True).first()
    if person is None or not person.is_active or not may_be_case_owner(person, referral):
        raise ValidationError(
            {"owner": [_("The case owner must work at an agency that works the referral.")]}
        )
    referral.refresh_from_db(from_queryset=VictimReferral.objects.select_for_update())
    referral.case_owner = person
    referral.save(update_fields=["case_owner", "updated_at"])
    record_event(
        "referral.owner_set", actor=actor, obj=referral, changes={"owner": person.username}
    )
    return referral
