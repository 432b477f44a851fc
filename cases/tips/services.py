"""Every write to tips: atomic, audited, with the acting user as `actor`.

Each triage service asks the tip policy itself (`require(actor, "triage", tip)`,
cases/tips/policies.py) and never trusts its caller: 404 for a tip the actor cannot see,
403 for one they see but may not triage (the agency a tip was forwarded to only reads).
"""

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.coordination.models import Case
from cases.coordination.services import open_case
from cases.employers.models import Employer
from cases.tips.models import (
    EmployerLink,
    LinkStatus,
    Observation,
    Tip,
    TipDrop,
    TipIndustry,
    TipOutcome,
)
from cases.tips.states import TIP_STATES
from network.exceptions import StaleVersion
from network.identifiers import parse_orgnr
from network.middleware import current_request, request_context
from network.models import Agency, AuditEvent, User
from network.policies import require
from network.services import record_event
from network.validation import known_codes

# --- public tips ------------------------------------------------------------------------

TIP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def _tip_code() -> str:
    while True:
        body = "".join(secrets.choice(TIP_ALPHABET) for _ in range(8))
        code = f"TIPS-{body[:4]}-{body[4:]}"
        if not Tip.objects.filter(code=code).exists():
            return code


@transaction.atomic
def submit_tip(*, data: dict[str, Any], language: str = "sv") -> Tip:
    """Store a tip from the public (no account). The organisation number, if given, must be
    valid; everything else is plain text, shown escaped wherever it appears."""
    orgnr = (data.get("orgnr") or "").strip()
    if orgnr:
        try:
            orgnr = parse_orgnr(orgnr).digits
        except ValidationError as exc:
            raise ValidationError({"orgnr": exc.messages}) from None
    observations = known_codes(data.get("observations", []), Observation, "observations")
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


def _require_triage(actor: User, tip: Tip) -> None:
    require(actor, "triage", tip, _("Only coordinators triage tips."))


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


def _triaged(
    tip: Tip, outcome: str, actor: User, action: str, purpose: str = "", **changes: Any
) -> Tip:
    TIP_STATES.check(tip.outcome, outcome)  # what the last decision left open (states.py)
    tip.outcome = outcome
    tip.triaged_by = actor
    tip.triaged_at = timezone.now()
    tip.save(update_fields=TRIAGE_FIELDS)  # only what triage owns: the tip itself stays as sent
    record_event(f"tip.{action}", actor=actor, obj=tip, purpose=purpose, changes=changes)
    return tip


@transaction.atomic
def dismiss_tip(tip: Tip, *, reason: str, actor: User) -> Tip:
    _require_triage(actor, tip)
    if len(reason.strip()) < 5:
        raise ValidationError({"reason": [_("Say why the tip is dismissed.")]})
    _lock_tip(tip)
    TIP_STATES.check(tip.outcome, TipOutcome.DISMISSED)
    tip.dismiss_reason = reason.strip()
    return _triaged(tip, TipOutcome.DISMISSED, actor, "dismissed", purpose=reason.strip())


@transaction.atomic
def link_tip_to_employer(tip: Tip, *, orgnr: str, actor: User) -> Tip:
    """Connect the tip to a registered employer, given by organisation number."""
    _require_triage(actor, tip)
    try:
        digits = parse_orgnr(orgnr).digits
    except ValidationError as exc:
        raise ValidationError({"orgnr": exc.messages}) from None
    employer = Employer.objects.filter(orgnr=digits).first()
    if employer is None:
        raise ValidationError({"orgnr": [_("No employer with this number is registered.")]})
    _lock_tip(tip)
    TIP_STATES.check(tip.outcome, TipOutcome.EMPLOYER_LINKED)
    tip.employer = employer
    return _triaged(
        tip, TipOutcome.EMPLOYER_LINKED, actor, "employer_linked", employer=employer.orgnr
    )


@transaction.atomic
def create_case_from_tip(tip: Tip, *, owner_agency: Agency, title: str = "", actor: User) -> Case:
    """Open a case for the agency the coordinator chooses, with the tip as its summary."""
    _require_triage(actor, tip)
    _lock_tip(tip)
    if tip.case_id is not None:
        raise ValidationError({"case": [_("A case has already been opened from this tip.")]})
    TIP_STATES.check(tip.outcome, TipOutcome.CASE_CREATED)
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
    _require_triage(actor, tip)
    _lock_tip(tip)
    return _triaged(tip, TipOutcome.PROPOSED, actor, "proposed")


@transaction.atomic
def forward_tip(tip: Tip, *, agency: Agency, actor: User) -> Tip:
    """Hand the tip to one agency: its members can then see it."""
    _require_triage(actor, tip)
    _lock_tip(tip)
    TIP_STATES.check(tip.outcome, TipOutcome.FORWARDED)
    tip.forwarded_to = agency
    return _triaged(tip, TipOutcome.FORWARDED, actor, "forwarded", agency=agency.code)


def may_plan_inspection(tip: Tip) -> bool:
    """A tip proposed for a control, with no control planned from it yet."""
    return tip.outcome == TipOutcome.PROPOSED and not tip.inspections.exists()


@transaction.atomic
def link_planned_inspection(tip: Tip, *, inspection: Any, actor: User) -> Tip:
    """The control planned from a tip proposed for one: the inspection names the tip as its
    selection basis (its `tip` field, set here through the relation so that this layer
    imports nothing of inspections), and the tip's history says who planned which control.
    Called inside the planning transaction: a refusal here plans nothing."""
    _require_triage(actor, tip)
    _lock_tip(tip)
    if not may_plan_inspection(tip):
        raise ValidationError(
            {"tip": [_("Only a tip proposed for an inspection, and only once, is planned.")]}
        )
    tip.inspections.add(inspection)
    record_event(
        "tip.inspection_planned",
        actor=actor,
        obj=tip,
        changes={"inspection": inspection.reference},
    )
    return tip


def tip_history(tip: Tip, *, user: User) -> list[dict[str, Any]]:
    """Who decided what about the tip, when, and why: its audit events in time order, told
    with people's and agencies' names. Read only for a tip the user may see (visible_to);
    the events are the tip's own, so seeing the tip is the right to see its history."""
    if not Tip.objects.visible_to(user).filter(pk=tip.pk).exists():
        return []
    events = list(
        AuditEvent.objects.filter(object_type="cases.tip", object_id=str(tip.pk))
        # Decisions, not reads: every look at the tip is in the audit trail too.
        .exclude(action="tip.viewed")
        .select_related("actor", "agency")
        .order_by("at", "id")
    )
    agency_codes = {
        e.changes.get(key)
        for e in events
        for key in ("agency", "owner")
        if isinstance(e.changes, dict) and e.changes.get(key)
    }
    agencies = {a.code: a.name for a in Agency.objects.filter(code__in=agency_codes)}
    employer_orgnrs = {e.changes.get("employer") for e in events if isinstance(e.changes, dict)}
    employers = dict(
        Employer.objects.filter(orgnr__in=employer_orgnrs - {None}).values_list("orgnr", "name")
    )
    rows = []
    for event in events:
        changes = event.changes if isinstance(event.changes, dict) else {}
        actor = event.actor
        if actor is not None:
            who = actor.get_full_name() or actor.get_username()
        elif event.action == "tip.received":
            who = _("A member of the public")
        else:
            who = event.actor_username or _("Someone")
        detail = ""
        if changes.get("agency"):
            detail = agencies.get(changes["agency"], "")
        elif changes.get("owner"):
            detail = _("case %(reference)s, owned by %(agency)s") % {
                "reference": changes.get("case", ""),
                "agency": agencies.get(changes["owner"], ""),
            }
        elif changes.get("employer"):
            detail = employers.get(changes["employer"], "")
        elif changes.get("inspection"):
            detail = changes["inspection"]
        rows.append(
            {
                "at": event.at,
                "who": who,
                "agency": event.agency.name if event.agency is not None else "",
                "action": event.action,
                "detail": detail,
                "reason": event.purpose if event.action == "tip.dismissed" else "",
                "inspection": changes.get("inspection", ""),
            }
        )
    return rows


def possible_duplicates(tip: Tip, within: QuerySet[Tip]) -> QuerySet[Tip]:
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
    _require_triage(actor, tip)
    if decision not in LinkStatus.values:
        raise ValidationError({"decision": [_("Choose confirm, reject or undo.")]})
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


def linked_tips(employer: Employer, *, user: User) -> QuerySet[Tip]:
    """Tips the user may see that are about the employer: by organisation number, by the
    triage link, or by a confirmed employer link."""
    confirmed = EmployerLink.objects.filter(employer=employer, status=LinkStatus.CONFIRMED)
    return Tip.objects.visible_to(user).filter(
        Q(orgnr=employer.orgnr) | Q(employer=employer) | Q(pk__in=confirmed.values("tip_id"))
    )
