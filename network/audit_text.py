"""The audit trail in words: each action as a sentence and its object as a link.

The trail stores codes (`case.shared`, `cases.case` and an id) so it can be filtered and
exported; people reading the log page see "Delade ärendet AK-2026-000012". The object kinds
are named here by their model label and URL name as strings, so `network` still imports no
upper app (models are looked up with `apps.get_model`, as the trail's own code does).
"""

import contextlib
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "agency.created": _("created the agency"),
    "agency.updated": _("changed the agency"),
    "audit.reviewed": _("reviewed a log event"),
    "audit.sampled": _("drew a sample of the log"),
    "auth.locked_out": _("was locked out after failed logins"),
    "auth.login": _("logged in"),
    "auth.login_failed": _("failed to log in"),
    "auth.logout": _("logged out"),
    "auth.oidc": _("logged in through the agency's single sign-on"),
    "auth.otp_enrolled": _("set up two-factor login"),
    "auth.otp_failed": _("gave a wrong two-factor code"),
    "auth.otp_verified": _("confirmed the login with a two-factor code"),
    "auth.recovery_code_used": _("logged in with a recovery code"),
    "auth.token": _("got an API token"),
    "auth.unlocked": _("lifted a login lockout"),
    "case.attachment_added": _("added an attachment to the case"),
    "case.attachment_downloaded": _("downloaded an attachment of the case"),
    "case.break_the_glass": _("opened the case with break-the-glass access"),
    "case.break_the_glass_reviewed": _("reviewed a break-the-glass access to the case"),
    "case.break_the_glass_refused": _("was refused break-the-glass access"),
    "case.break_the_glass_unknown": _("asked for break-the-glass access to an unknown reference"),
    "case.created": _("opened the case"),
    "case.exported": _("exported cases"),
    "case.note_added": _("wrote a note on the case"),
    "case.personal_grant": _("gave a person access to the case"),
    "case.personal_grant_revoked": _("ended a person's access to the case"),
    "case.shared": _("shared the case"),
    "case.unshared": _("ended a share of the case"),
    "case.updated": _("changed the case"),
    "case.viewed": _("read the case"),
    "decision.recorded": _("recorded a decision"),
    "employer.created": _("registered the employer"),
    "employer.profile_read": _("read the employer's profile"),
    "finding.disclosed": _("disclosed a secret finding"),
    "finding.recorded": _("recorded a finding"),
    "finding.viewed": _("read a finding"),
    "followup.created": _("added a follow-up"),
    "followup.done": _("marked a follow-up done"),
    "industry_risk.saved": _("changed the joint risk assessment"),
    "inspection.agency_assigned": _("asked an agency to take part in the control"),
    "inspection.assignment_accepted": _("accepted taking part in the control"),
    "inspection.assignment_declined": _("declined taking part in the control"),
    "inspection.attachment_added": _("added an attachment to the control"),
    "inspection.attachment_downloaded": _("downloaded an attachment of the control"),
    "inspection.exported": _("exported controls"),
    "inspection.persons_recorded": _("recorded the persons checked at the control"),
    "inspection.planned": _("planned the control"),
    "inspection.results_submitted": _("sent the agency's results of the control"),
    "inspection.status_changed": _("changed the status of the control"),
    "membership.created": _("gave a person a place in an agency"),
    "membership.updated": _("changed a person's agency or roles"),
    "operation.created": _("created the control operation"),
    "operation.planned_from_ranking": _("planned controls from the risk ranking"),
    "operation.status_changed": _("changed the status of the control operation"),
    "referral.anonymised": _("anonymised the referral"),
    "referral.consent_withdrawn": _("recorded that consent was withdrawn"),
    "referral.created": _("made the referral"),
    "referral.exported": _("exported referrals"),
    "referral.identity_revealed": _("showed the person's identity in the referral"),
    "referral.note_added": _("wrote a note on the referral"),
    "referral.owner_set": _("changed who handles the referral"),
    "referral.reflection_applied": _("applied for a reflection period"),
    "referral.reflection_decided": _("recorded the decision on a reflection period"),
    "referral.shared": _("shared the referral"),
    "referral.statistics_exported": _("exported referral statistics"),
    "referral.status_changed": _("changed the status of the referral"),
    "referral.support_added": _("added a support measure"),
    "referral.viewed": _("read the referral"),
    "report.downloaded": _("downloaded the Lägesbild"),
    "report.requested": _("asked for a Lägesbild build"),
    "report.state_changed": _("moved the Lägesbild to its next step"),
    "report.text_updated": _("changed the Lägesbild's text"),
    "tip.received": _("received a tip from the public"),
    "tip.case_created": _("opened a case from a tip"),
    "tip.dismissed": _("dismissed a tip"),
    "tip.employer_linked": _("linked a tip to an employer"),
    "tip.forwarded": _("forwarded a tip to an agency"),
    "tip.inspection_planned": _("planned a control from a tip"),
    "tip.proposed": _("proposed a tip for an inspection"),
    "user.created": _("created the user"),
    "user.updated": _("changed the user"),
}

# model label -> (what it is called, URL name of its page or "", field that names it or "")
OBJECTS = {
    "cases.case": (_("case"), "cases:case_detail", "reference"),
    "cases.victimreferral": (_("referral"), "referrals:referral_detail", "reference"),
    "cases.tip": (_("tip"), "tips:tip_detail", "code"),
    "cases.employer": (_("employer"), "", "name"),
    "cases.accessreview": (_("break-the-glass review"), "", ""),
    "inspections.inspection": (_("control"), "inspections:inspection_detail", "reference"),
    "inspections.controloperation": (_("control operation"), "", "reference"),
    "inspections.finding": (_("finding"), "", ""),
    "inspections.decision": (_("decision"), "", ""),
    "inspections.followup": (_("follow-up"), "", ""),
    "reports.reportbuild": (_("Lägesbild build"), "reports:build_detail", "year"),
    "reports.annualreport": (_("Lägesbild"), "", "year"),
    "network.user": (_("user"), "", "username"),
    "network.membership": (_("membership"), "", ""),
    "network.agency": (_("agency"), "", "code"),
    "network.auditevent": (_("log event"), "", ""),
}


def sentence(action: str) -> str:
    """The action as a phrase ("opened the case"); an unknown one (a new action not yet
    described here) reads as "did something in akrim" rather than as a code."""
    return str(ACTIONS.get(action, _("did something in akrim")))


def _legal_bases() -> dict[str, str]:
    """Legal-basis codes and their names, read from the grant model's field (no import)."""
    try:
        field = apps.get_model("cases", "CaseGroupObjectPermission")._meta.get_field("legal_basis")
    except LookupError:
        return {}
    return {str(code): str(label) for code, label in field.choices or ()}


def purpose_text(purpose: str, bases: dict[str, str]) -> str:
    """A purpose recorded as "<legal basis code>: <reason>" (or the code alone), in words."""
    code, sep, rest = purpose.partition(":")
    if code.strip() in bases:
        return f"{bases[code.strip()]}{sep}{rest}"
    return purpose


def describe(events: Iterable[Any]) -> list[Any]:
    """Give each event `sentence`, `object_label` and `object_url` (or "") for the page, with
    one query per kind of object on the page. (Any: AuditEvents given page-only attributes.)"""
    events = list(events)
    names: dict[tuple[str, str], str] = {}
    wanted: dict[str, set[str]] = {}
    for event in events:
        if event.object_type in OBJECTS and event.object_id.isdigit():
            wanted.setdefault(event.object_type, set()).add(event.object_id)
    for label, ids in wanted.items():
        field = OBJECTS[label][2]
        if not field:
            continue
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        for pk, name in model._base_manager.filter(pk__in=ids).values_list("pk", field):
            names[(label, str(pk))] = str(name)
    bases = _legal_bases()
    for event in events:
        event.sentence = sentence(event.action)
        event.purpose_text = purpose_text(event.purpose, bases)
        kind, url_name, _field = OBJECTS.get(event.object_type, ("", "", ""))
        event.object_label = ""
        event.object_url = ""
        if kind:
            name = names.get((event.object_type, event.object_id), "")
            event.object_label = f"{kind} {name}".strip()
            if url_name and event.object_id.isdigit():
                with contextlib.suppress(NoReverseMatch):
                    event.object_url = reverse(url_name, args=[int(event.object_id)])
    return events
