"""Every way of asking "may this user do this to that" gives one answer (docs/access.md).

Two kinds of random worlds: joint controls, and cases (cases owned by one agency and shared
with others for viewing or editing, shares and personal grants active or expired,
break-the-glass, victim referrals with their referring and receiving agencies, consent,
shares and personal grants, tips forwarded or not, employers).

On random worlds of joint controls (operations of two agencies, inspections coordinated by
the coordinating agency or another, assignments pending, accepted and declined, on site or
at the desk, open, secret and disclosed findings, decisions, follow-ups) and for every
persona, model and action: the policy's `scope` and `decide` agree, `visible_to` is
`scope(user, "view")`, and `user.has_perm(perm, obj)` is `decide` (network/backends.py).

`test_the_differential_notices_a_change` is the mutation check: with any one of the four
answers changed, the same comparison reports a disagreement, so the differential cannot pass
by comparing a thing with itself.
"""

from contextlib import contextmanager
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspections import policies
from inspections.models import (
    AgencyAssignment,
    ControlOperation,
    Decision,
    Finding,
    FindingDisclosure,
    FollowUp,
    Inspection,
    Workplace,
)
from network.backends import PolicyBackend
from network.models import Agency, County
from network.policies import policy_for, registered_policies

pytestmark = pytest.mark.django_db

AGENCIES = ("av", "skv", "polis")
ROLES = ("coordinator", "staff")
MODELS = (ControlOperation, Inspection, AgencyAssignment, Finding, Decision, FollowUp)

finding = st.fixed_dictionaries(
    {
        "agency": st.sampled_from(AGENCIES),
        "secret": st.booleans(),
        "disclosed_to": st.sampled_from((None, *AGENCIES)),
        "decision": st.booleans(),
        "follow_up": st.sampled_from((None, *AGENCIES)),
    }
)
inspection = st.fixed_dictionaries(
    {
        "coordinator": st.sampled_from(("av", "av", "skv")),
        "operation": st.sampled_from((None, 0, 1)),
        "assignments": st.dictionaries(
            st.sampled_from(AGENCIES),
            st.tuples(
                st.sampled_from(("pending", "accepted", "declined")),
                st.sampled_from(("on_site", "desk")),
            ),
            max_size=3,
        ),
        "findings": st.lists(finding, max_size=2),
        "follow_up": st.sampled_from((None, *AGENCIES)),
    }
)
worlds = st.lists(inspection, min_size=1, max_size=3)


@pytest.fixture
def personas(persona):
    return [persona(code, role) for code in AGENCIES for role in ROLES]


def build(world, actor):
    agencies = {code: Agency.objects.get(code=code) for code in AGENCIES}
    place = Workplace.objects.create(
        name="Plats", municipality="0180", county=County.objects.get(code="01"), sni="41.200"
    )
    operations = [
        ControlOperation.objects.create(
            reference=f"KI-D-{code}",
            title=f"Insats {code}",
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            selection_basis="risk_ranking",
            coordinating_agency=agencies[code],
            created_by=actor,
        )
        for code in ("av", "skv")
    ]
    for n, spec in enumerate(world):
        row = Inspection.objects.create(
            reference=f"KO-D-{n}",
            workplace=place,
            coordinating_agency=agencies[spec["coordinator"]],
            operation=None if spec["operation"] is None else operations[spec["operation"]],
            planned_date=date(2025, 3, 1),
            status="performed",
            performed_on=date(2025, 3, 1),
            created_by=actor,
        )
        for code, (status, mode) in spec["assignments"].items():
            AgencyAssignment.objects.create(
                inspection=row, agency=agencies[code], status=status, mode=mode, assigned_by=actor
            )
        if spec["follow_up"]:
            FollowUp.objects.create(
                inspection=row,
                agency=agencies[spec["follow_up"]],
                title="Uppföljning",
                due_date=date(2025, 6, 1),
                created_by=actor,
            )
        for item in spec["findings"]:
            made = Finding.objects.create(
                inspection=row,
                agency=agencies[item["agency"]],
                category="personalliggare_saknas",
                secret=item["secret"],
                created_by=actor,
            )
            if item["disclosed_to"]:
                FindingDisclosure.objects.create(
                    finding=made,
                    agency=agencies[item["disclosed_to"]],
                    legal_basis="osl_10_28",
                    reason="Samverkan vid kontroll",
                    disclosed_by=actor,
                )
            if item["decision"]:
                Decision.objects.create(
                    finding=made, agency=made.agency, type="forelaggande", created_by=actor
                )
            if item["follow_up"]:
                FollowUp.objects.create(
                    inspection=row,
                    finding=made,
                    agency=agencies[item["follow_up"]],
                    title="Åtgärd",
                    due_date=date(2025, 6, 1),
                    created_by=actor,
                )


def _codename(model, action) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def disagreements(users, models=MODELS) -> list[str]:
    """Every (persona, model, action, object) where two of the answers differ."""
    found = []
    for model in models:
        policy = policy_for(model)
        objects = list(model.objects.all())
        for user in users:
            # A fresh user each time: Django caches permission answers on the instance.
            user = type(user).objects.get(pk=user.pk)
            for action in policy.actions:
                scoped = set(policy.scope(user, action).values_list("pk", flat=True))
                decided = {o.pk for o in objects if policy.decide(user, action, o)}
                if scoped != decided:
                    found.append(
                        f"{user} {model.__name__} {action}: scope {scoped} decide {decided}"
                    )
                permitted = {o.pk for o in objects if user.has_perm(_codename(model, action), o)}
                if permitted != decided:
                    found.append(f"{user} {model.__name__} {action}: has_perm {permitted}")
            if hasattr(model.objects, "visible_to"):
                visible = set(model.objects.visible_to(user).values_list("pk", flat=True))
                if visible != set(policy.scope(user, "view").values_list("pk", flat=True)):
                    found.append(f"{user} {model.__name__}: visible_to {visible}")
    return found


@contextmanager
def rolled_back():
    """Each example's world lives in a savepoint, undone after the example."""
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass


class _Undo(Exception):
    pass


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds)
def test_scope_decide_visible_to_and_has_perm_agree(personas, world):
    with rolled_back():
        build(world, personas[0])
        assert disagreements(personas) == []


def test_every_model_of_the_walk_has_a_policy():
    assert set(MODELS) <= set(registered_policies())


# --- the mutation check -----------------------------------------------------------------

# One fixed world where each of the rules below matters: a declined assignment, a secret
# finding disclosed to one agency, another agency's follow-up, an inspection of skv's in
# av's operation.
FIXED = [
    {
        "coordinator": "av",
        "operation": 0,
        "assignments": {"skv": ("pending", "desk"), "polis": ("accepted", "on_site")},
        "findings": [
            {
                "agency": "polis",
                "secret": True,
                "disclosed_to": "av",
                "decision": True,
                "follow_up": "polis",
            }
        ],
        "follow_up": "av",
    },
    {
        "coordinator": "av",
        "operation": None,
        "assignments": {"skv": ("declined", "on_site")},
        "findings": [],
        "follow_up": None,
    },
    {
        "coordinator": "skv",
        "operation": 0,
        "assignments": {"polis": ("pending", "desk")},
        "findings": [],
        "follow_up": None,
    },
]


def _declined_counts(self, user, action, obj, original=policies.InspectionPolicy.decide):
    if action == "view" and obj.assignments.filter(agency=user.agency, status="declined"):
        return policies.allow("assignment")
    return original(self, user, action, obj)


def _secret_leaks(self, user, action="view", queryset=None, original=policies.FindingPolicy.scope):
    queryset = Finding.objects.all() if queryset is None else queryset
    if action == "view":
        inspections = policies.InspectionPolicy().scope(user, "view").values("pk")
        return queryset.filter(inspection__in=inspections)
    return original(self, user, action, queryset)


def _visible_to_own_only(self, user):
    return self.filter(agency_id=user.agency.pk)


def _backend_says_yes(self, user_obj, perm, obj=None):
    return obj is not None


MUTATIONS = {
    "decide": (policies.InspectionPolicy, "decide", _declined_counts),
    "scope": (policies.FindingPolicy, "scope", _secret_leaks),
    "visible_to": (FollowUp.objects.get_queryset().__class__, "visible_to", _visible_to_own_only),
    "has_perm": (PolicyBackend, "has_perm", _backend_says_yes),
}


@pytest.mark.parametrize("mutated", sorted(MUTATIONS))
def test_the_differential_notices_a_change(personas, monkeypatch, mutated):
    target, name, replacement = MUTATIONS[mutated]
    with rolled_back():
        build(FIXED, personas[0])
        assert disagreements(personas) == []
        monkeypatch.setattr(target, name, replacement)
        assert disagreements(personas) != []


# --- cases: cases, referrals, tips, employers --------------------------------------------

from datetime import timedelta  # noqa: E402

from django.utils import timezone  # noqa: E402

from cases.coordination import policies as case_policies  # noqa: E402
from cases.coordination import services as case_services  # noqa: E402
from cases.coordination.models import (  # noqa: E402
    AccessReview,
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,  # noqa: E402
)
from cases.employers.models import Employer  # noqa: E402
from cases.referrals import policies as referral_policies  # noqa: E402
from cases.referrals import services as referral_services  # noqa: E402
from cases.referrals.models import ReferralUserObjectPermission, VictimReferral  # noqa: E402
from cases.tips import services as tip_services  # noqa: E402
from cases.tips.models import Tip  # noqa: E402

CASE_MODELS = (Case, VictimReferral, Tip, Employer, AccessReview)
# Owners and holders of cases; jamy is the national coordinator for victims (data).
CASE_AGENCIES = ("skv", "polis", "migr")
CASE_PERSONAS = (
    ("skv", ("staff",), None),
    ("polis", ("staff",), None),
    ("polis", ("analyst",), None),
    ("migr", ("coordinator",), None),
    ("jamy", ("staff",), None),
    ("av", ("coordinator",), "stockholm"),
    # Auditors review break-the-glass accesses of their own agency, never their own.
    ("polis", ("auditor", "staff"), None),
    ("migr", ("auditor",), None),
)
BASIS = {"legal_basis": "uppgiftsskyldighet_akrim", "reason": "Gemensam kontroll i maj"}

a_case = st.fixed_dictionaries(
    {
        "owner": st.sampled_from(CASE_AGENCIES),
        # agency -> (view or edit, expired?)
        "shares": st.dictionaries(
            st.sampled_from(CASE_AGENCIES),
            st.tuples(st.sampled_from(("view", "edit")), st.booleans()),
            max_size=2,
        ),
        # persona index -> (view, edit or break-the-glass, expired?)
        "grants": st.dictionaries(
            st.integers(0, len(CASE_PERSONAS) - 1),
            st.tuples(st.sampled_from(("view", "edit", "glass")), st.booleans()),
            max_size=2,
        ),
    }
)
a_referral = st.fixed_dictionaries(
    {
        "referrer": st.sampled_from(("skv", "polis")),
        "receiving_body": st.sampled_from(
            ("nspm_stodtelefon", "polis", "migrationsverket", "ovrig")
        ),
        "consent_sharing": st.booleans(),
        "shares": st.dictionaries(st.sampled_from(CASE_AGENCIES), st.booleans(), max_size=2),
        "grants": st.dictionaries(
            st.integers(0, len(CASE_PERSONAS) - 1), st.booleans(), max_size=1
        ),
    }
)
case_worlds = st.fixed_dictionaries(
    {
        "cases": st.lists(a_case, min_size=1, max_size=3),
        "referrals": st.lists(a_referral, max_size=2),
        "tips": st.lists(st.sampled_from((None, *CASE_AGENCIES)), max_size=2),
    }
)


@pytest.fixture
def case_personas(persona):
    return [persona(code, *roles, centre=centre) for code, roles, centre in CASE_PERSONAS]


def _past(queryset):
    queryset.update(expires_at=timezone.now() - timedelta(seconds=1))


def build_cases(world, users):
    """The world through the services (so the grant rows are what they write), with expiry
    moved into the past afterwards (time passing, not a service action)."""
    agencies = {a.code: a for a in Agency.objects.all()}
    owners = {code: next(u for u in users if u.agency.code == code) for code in ("skv", "polis")}
    owners["migr"] = next(u for u in users if u.agency.code == "migr")
    Employer.objects.create(orgnr="5560360793", name="Bygg AB", legal_form="aktiebolag")
    for spec in world["cases"]:
        owner = owners[spec["owner"]]
        case = case_services.open_case(title="Ärende", actor=owner)
        for code, (access, expired) in spec["shares"].items():
            if code == spec["owner"]:
                continue
            case_services.share_case(
                case, agency=agencies[code], access=access, actor=owner, **BASIS
            )
            if expired:
                _past(
                    CaseGroupObjectPermission.objects.filter(
                        content_object=case, group=agencies[code].group
                    )
                )
        for index, (kind, expired) in spec["grants"].items():
            user = users[index]
            if kind == "glass":
                if Case.objects.visible_to(user).filter(pk=case.pk).exists():
                    continue
                if not user.has_perm("cases.break_glass_case"):
                    continue
                case_services.break_the_glass(
                    case, justification="Akut ingripande på arbetsplatsen i dag", actor=user
                )
            else:
                case_services.grant_personal_access(
                    case, user=user, access=kind, actor=owner, **BASIS
                )
            if expired:
                _past(CaseUserObjectPermission.objects.filter(content_object=case, user=user))
    view_referral = Permission.objects.get(
        content_type__app_label="cases", codename="view_victimreferral"
    )
    for spec in world["referrals"]:
        referrer = owners[spec["referrer"]]
        referral = referral_services.create_referral(
            person={"identifier_type": "none", "sex": "female", "nationality": "UA"},
            receiving_body=spec["receiving_body"],
            consent={"support": True, "sharing": spec["consent_sharing"], "statistics": True},
            actor=referrer,
        )
        for code, expired in spec["shares"].items():
            holders = {referral.referring_agency_id, referral.receiving_agency_id}
            if agencies[code].pk in holders or agencies[code].is_national_coordinator:
                continue  # an agency that holds the referral is not shared with
            share = referral_services.share_referral(
                referral, agency=agencies[code], actor=referrer, **BASIS
            )
            if expired:
                _past(type(share).objects.filter(pk=share.pk))
        for index, expired in spec["grants"].items():
            ReferralUserObjectPermission.objects.create(
                content_object=referral,
                user=users[index],
                permission=view_referral,
                granted_by=referrer,
                expires_at=timezone.now() - timedelta(seconds=1) if expired else None,
                **BASIS,
            )
    for forwarded_to in world["tips"]:
        tip = tip_services.submit_tip(
            data={
                "address": "Storgatan 1",
                "municipality": "Malmö",
                "county": None,
                "industry": "restaurant",
                "description": "Folk sover i lokalen.",
                "observations": [],
            }
        )
        if forwarded_to:
            Tip.objects.filter(pk=tip.pk).update(forwarded_to=agencies[forwarded_to])


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=case_worlds)
def test_cases_scope_decide_visible_to_and_has_perm_agree(case_personas, world):
    with rolled_back():
        build_cases(world, case_personas)
        assert disagreements(case_personas, CASE_MODELS) == []


def test_every_cases_model_has_a_policy():
    assert set(CASE_MODELS) <= set(registered_policies())


# A fixed cases world where each mutated rule below matters: an expired edit share, an
# active view share, an expired personal grant, break-the-glass, a referral shared with
# migr, a tip forwarded to polis.
CASES_FIXED = {
    "cases": [
        {
            "owner": "skv",
            "shares": {"polis": ("view", False), "migr": ("edit", True)},
            "grants": {},
        },
        {"owner": "polis", "shares": {}, "grants": {0: ("view", True), 4: ("glass", False)}},
        # break-the-glass by polis's auditor (their own review) and migr's coordinator
        {"owner": "skv", "shares": {}, "grants": {6: ("glass", False), 3: ("glass", False)}},
    ],
    "referrals": [
        {
            "referrer": "skv",
            "receiving_body": "ovrig",
            "consent_sharing": True,
            "shares": {"migr": False, "polis": True},
            "grants": {},
        }
    ],
    "tips": ["polis", None],
}


def _expired_share_counts(self, user, action, obj, original=case_policies.CasePolicy.decide):
    if (
        action == "view"
        # every row, expired ones too (`objects` returns only the rows in force)
        and CaseGroupObjectPermission.all_grants.filter(
            content_object=obj, group_id=user.agency.group_id
        ).exists()
    ):
        return case_policies.allow("share")
    return original(self, user, action, obj)


def _share_works_referral(
    self, user, action="view", queryset=None, original=referral_policies.ReferralPolicy.scope
):
    if action == "change":
        return self.scope(user, "view", queryset)
    return original(self, user, action, queryset)


def _tips_for_all(self, user):
    return self.all()


def _own_review_allowed(self, user, action, obj, original=case_policies.AccessReviewPolicy.decide):
    if action == "change" and obj.user_id == user.pk:
        return original(self, user, "view", obj)
    return original(self, user, action, obj)


CASE_MUTATIONS = {
    "decide": (case_policies.CasePolicy, "decide", _expired_share_counts),
    "decide_review": (case_policies.AccessReviewPolicy, "decide", _own_review_allowed),
    "scope": (referral_policies.ReferralPolicy, "scope", _share_works_referral),
    "visible_to": (Tip.objects.get_queryset().__class__, "visible_to", _tips_for_all),
    "has_perm": (PolicyBackend, "has_perm", _backend_says_yes),
}


@pytest.mark.parametrize("mutated", sorted(CASE_MUTATIONS))
def test_the_cases_differential_notices_a_change(case_personas, monkeypatch, mutated):
    target, name, replacement = CASE_MUTATIONS[mutated]
    with rolled_back():
        build_cases(CASES_FIXED, case_personas)
        assert disagreements(case_personas, CASE_MODELS) == []
        monkeypatch.setattr(target, name, replacement)
        assert disagreements(case_personas, CASE_MODELS) != []


# --- django-guardian: cases and referrals ------------------------------------------------
#
# Guardian holds rows for cases and referrals (docs/access.md, "django-guardian"): the owner
# agency's on a case, the holders' (referring, receiving agency, national coordinator) on a
# referral, shares and personal grants. A role's capabilities are permissions of their own
# (`cases.work_on_cases`, `cases.edit_referrals`, ...), never the object permissions the
# rows carry, so guardian's default `get_objects_for_user` (accept_global_perms=True) reads
# no role as "every object": asked for the object permission and the action's capabilities
# (`CAPABILITIES` of the policy), it gives the relation and the capability, as the policy.
#
# On random worlds (cases owned by one agency or another, shared for view or edit with and
# without an end, some past, personal grants, some expired, break-the-glass in force and run
# out; referrals of three agencies to four receiving bodies, with and without consent to
# sharing, shared on consent or on a duty, shares and personal grants ended or not, consent
# withdrawn afterwards, the national coordinator moved to another agency before or after)
# and for every persona, object and action: `scope`, `decide`, `visible_to`,
# `user.has_perm(perm, obj)`, guardian's own checker on the rows (`GrantChecker`) and
# guardian's default `get_objects_for_user` agree.

from cases.coordination.policies import CAPABILITIES as CASE_CAPABILITIES  # noqa: E402
from cases.referrals.models import ReferralGroupObjectPermission  # noqa: E402
from cases.referrals.policies import CAPABILITIES as REFERRAL_CAPABILITIES  # noqa: E402

# The actions guardian holds rows for, and the capabilities each needs besides its row.
GUARDIAN_ACTIONS = {
    Case: {action: CASE_CAPABILITIES[action] for action in ("view", "change", "share")},
    VictimReferral: REFERRAL_CAPABILITIES,
}
GUARDIAN_AGENCIES = ("av", "skv", "polis", "migr", "jamy")
GUARDIAN_ROLES = ("staff", "coordinator", "analyst")
PAST = -1  # an end that has already passed (time passing, not an action)

grant_end = st.sampled_from((None, 30, PAST))
guardian_case_spec = st.fixed_dictionaries(
    {
        "owner": st.sampled_from(AGENCIES),
        "shares": st.dictionaries(
            st.sampled_from(AGENCIES), st.tuples(st.sampled_from(("view", "edit")), grant_end)
        ),
        "grants": st.dictionaries(
            st.tuples(st.sampled_from(AGENCIES), st.sampled_from(ROLES)),
            st.tuples(st.sampled_from(("view", "edit")), grant_end),
            max_size=2,
        ),
        "glass": st.dictionaries(
            st.tuples(st.sampled_from(AGENCIES), st.sampled_from(ROLES)), st.booleans(), max_size=2
        ),
    }
)
guardian_referral_spec = st.fixed_dictionaries(
    {
        "referrer": st.sampled_from(("av", "skv", "polis")),
        "receiving_body": st.sampled_from(
            ("nspm_stodtelefon", "polis", "migrationsverket", "ovrig")
        ),
        "consent_sharing": st.booleans(),
        # agency -> (legal basis, end); a share on consent without consent is refused, and so
        # is a share with an agency that holds the referral
        "shares": st.dictionaries(
            st.sampled_from(GUARDIAN_AGENCIES),
            st.tuples(st.sampled_from(("samtycke", "uppgiftsskyldighet_akrim")), grant_end),
            max_size=2,
        ),
        "grants": st.dictionaries(
            st.tuples(st.sampled_from(GUARDIAN_AGENCIES), st.sampled_from(GUARDIAN_ROLES)),
            grant_end,
            max_size=2,
        ),
        "withdraw_sharing": st.booleans(),
    }
)
guardian_worlds = st.fixed_dictionaries(
    {
        "cases": st.lists(guardian_case_spec, max_size=3),
        "referrals": st.lists(guardian_referral_spec, max_size=3),
        # The national coordinator for victims: jamy, as in the reference data, or moved to
        # migr before the referrals are made or after (its rows follow the agency's flag).
        "national": st.sampled_from(("jamy", "migr_before", "migr_after")),
    }
)


def _expire(model, **lookup):
    model.all_grants.filter(part_of=None, **lookup).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )


def _ends(end):
    return timezone.now() + timedelta(days=end) if end and end > 0 else None


def _move_national_coordinator(to_code):
    for agency in Agency.objects.filter(is_national_coordinator=True):
        agency.is_national_coordinator = False
        agency.save()
    agency = Agency.objects.get(code=to_code)
    agency.is_national_coordinator = True
    agency.save()


def build_guardian_world(world, persona):
    from django.core.exceptions import ValidationError

    basis = {"legal_basis": "uppgiftsskyldighet_akrim", "reason": "Gemensam kontroll i maj"}
    if world["national"] == "migr_before":
        _move_national_coordinator("migr")
    for n, spec in enumerate(world["cases"]):
        owner = persona(spec["owner"], "staff")
        case = case_services.open_case(title=f"Ärende {n}", actor=owner)
        for code, (access, end) in spec["shares"].items():
            if code == spec["owner"]:
                continue
            agency = Agency.objects.get(code=code)
            case_services.share_case(
                case, agency=agency, access=access, expires_at=_ends(end), actor=owner, **basis
            )
            if end == PAST:
                _expire(CaseGroupObjectPermission, content_object=case, group=agency.group)
        for (code, role), (access, end) in spec["grants"].items():
            user = persona(code, role)
            case_services.grant_personal_access(
                case, user=user, access=access, expires_at=_ends(end), actor=owner, **basis
            )
            if end == PAST:
                _expire(CaseUserObjectPermission, content_object=case, user=user)
        for (code, role), ran_out in spec["glass"].items():
            user = persona(code, role)
            try:
                case_services.break_the_glass(
                    case, justification="Akut ingripande på arbetsplatsen i dag", actor=user
                )
            except ValidationError:
                continue  # already in scope: break-the-glass is refused
            if ran_out:
                _expire(CaseUserObjectPermission, content_object=case, user=user)
    view_referral = Permission.objects.get(
        content_type__app_label="cases", codename="view_victimreferral"
    )
    for spec in world["referrals"]:
        referrer = persona(spec["referrer"], "staff")
        referral = referral_services.create_referral(
            person={"identifier_type": "none", "sex": "female", "nationality": "UA"},
            receiving_body=spec["receiving_body"],
            consent={"support": True, "sharing": spec["consent_sharing"], "statistics": True},
            actor=referrer,
        )
        for code, (legal_basis, end) in spec["shares"].items():
            agency = Agency.objects.get(code=code)
            try:
                referral_services.share_referral(
                    referral,
                    agency=agency,
                    legal_basis=legal_basis,
                    reason="Gemensam kontroll i maj",
                    expires_at=_ends(end),
                    actor=referrer,
                )
            except ValidationError:
                continue  # no consent for a share on consent, or the agency holds it
            if end == PAST:
                _expire(ReferralGroupObjectPermission, content_object=referral, group=agency.group)
        for (code, role), end in spec["grants"].items():
            # No service grants one yet (cases/referrals/models.py); the row as guardian has it.
            ReferralUserObjectPermission.objects.create(
                content_object=referral,
                user=persona(code, role),
                permission=view_referral,
                granted_by=referrer,
                expires_at=timezone.now() - timedelta(seconds=1) if end == PAST else _ends(end),
                **basis,
            )
        if spec["withdraw_sharing"]:
            referral_services.withdraw_consent(referral, purpose="sharing", actor=referrer)
    if world["national"] == "migr_after":
        _move_national_coordinator("migr")


def guardian_disagreements(users, guardian_actions=None, first=False) -> list[str]:
    """Every (persona, model, action) where two answers differ: the policy's `scope` and
    `decide`, `visible_to`, `user.has_perm(perm, obj)`, guardian's checker on the rows with
    the action's capabilities, and guardian's default `get_objects_for_user` asked for the
    object permission and the capabilities. `guardian_actions`: the models and actions asked
    about, with their capabilities (the cases' and referrals' unless named). `first`: stop
    at the first disagreement, all a mutation test needs to know (each guardian call on the
    derived views costs milliseconds, docs/testing.md "Where the CI run's time goes")."""
    from guardian.shortcuts import get_objects_for_user

    from network.backends import GrantChecker

    found = []
    for model, actions in (guardian_actions or GUARDIAN_ACTIONS).items():
        policy = policy_for(model)
        objects = list(model.objects.all())
        for user in users:
            user = type(user).objects.get(pk=user.pk)  # fresh permission caches
            checker = GrantChecker(user)
            for action, capabilities in actions.items():
                perm = _codename(model, action)
                rule = set(policy.scope(user, action).values_list("pk", flat=True))
                answers = {
                    "decide": {o.pk for o in objects if policy.decide(user, action, o)},
                    "has_perm": {o.pk for o in objects if user.has_perm(perm, o)},
                    "guardian checker": {
                        o.pk
                        for o in objects
                        if checker.has_perm(perm, o) and all(map(user.has_perm, capabilities))
                    },
                    "get_objects_for_user": set(
                        get_objects_for_user(user, [perm, *capabilities], model).values_list(
                            "pk", flat=True
                        )
                    ),
                }
                if action == "view" and hasattr(model.objects, "visible_to"):
                    answers["visible_to"] = set(
                        model.objects.visible_to(user).values_list("pk", flat=True)
                    )
                for name, answer in answers.items():
                    if answer != rule:
                        found.append(
                            f"{user} {model.__name__} {action}: {name} {answer} scope {rule}"
                        )
                if first and found:
                    return found
    return found


@pytest.fixture
def guardian_personas(persona):
    return [persona(code, role) for code in GUARDIAN_AGENCIES for role in GUARDIAN_ROLES]


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=guardian_worlds)
def test_guardian_agrees_on_cases_and_referrals(guardian_personas, persona, world):
    with rolled_back():
        build_guardian_world(world, persona)
        assert guardian_disagreements(guardian_personas) == []


# One world where each guardian rule matters: an expired share and an active one, an edit
# share, an expired personal grant beside an active share, break-the-glass in force and run
# out, cases of two owners; referrals received by jamy (the national coordinator) and by
# migr, one only referred, shared with an expired share and an active one, a personal grant.
GUARDIAN_FIXED = {
    "cases": [
        {
            "owner": "skv",
            "shares": {"polis": ("edit", None), "av": ("view", PAST)},
            "grants": {("av", "staff"): ("view", PAST), ("polis", "coordinator"): ("edit", 30)},
            "glass": {("av", "coordinator"): False},
        },
        {
            "owner": "av",
            "shares": {"skv": ("view", 30)},
            "grants": {("skv", "staff"): ("edit", PAST)},
            "glass": {("polis", "staff"): True},
        },
    ],
    "referrals": [
        {
            "referrer": "skv",
            "receiving_body": "migrationsverket",
            "consent_sharing": True,
            "shares": {"av": ("samtycke", PAST), "polis": ("samtycke", 30)},
            "grants": {("av", "coordinator"): None},
            "withdraw_sharing": True,
        },
        {
            "referrer": "polis",
            "receiving_body": "ovrig",
            "consent_sharing": False,
            "shares": {"skv": ("uppgiftsskyldighet_akrim", None)},
            "grants": {},
            "withdraw_sharing": False,
        },
        {
            "referrer": "av",
            "receiving_body": "nspm_stodtelefon",
            "consent_sharing": True,
            "shares": {},
            "grants": {("skv", "staff"): PAST},
            "withdraw_sharing": False,
        },
    ],
    "national": "jamy",
}


def _expiry_ignored(self):
    from django.db.models import QuerySet

    return QuerySet(self.model, using=self._db)  # guardian as before: every row counts


def _no_rows(*args, **kwargs):
    return None


def _holders_without_national(referral):
    return set(
        Agency.objects.filter(
            pk__in=[referral.referring_agency_id, referral.receiving_agency_id],
            group__isnull=False,
        ).values_list("group_id", flat=True)
    )


def _says_yes(self, user_obj, perm, obj=None):
    return obj is not None


def _checker_says_yes(self, perm, obj):
    return True


def _guardian_list_owner_only(user, perms, klass=None, **kwargs):
    agency = user.active_membership.agency_id
    if klass is VictimReferral:
        return VictimReferral.objects.filter(referring_agency_id=agency)
    return Case.objects.filter(owner_agency_id=agency)


def _staff_view_referrals_again():
    """The design this replaced: the role carries the object permission as its capability."""
    from django.contrib.auth.models import Group

    Group.objects.get(name="role:staff").permissions.add(
        Permission.objects.get(content_type__app_label="cases", codename="view_victimreferral")
    )


def _guardian_mutations():
    from guardian import shortcuts

    from cases import grants
    from network.backends import GrantChecker

    return {
        "expiry": [(grants._ActiveRows, "get_queryset", _expiry_ignored)],
        "owner_rows": [(grants, "write_owner_rows", _no_rows)],
        "referral_rows": [(grants, "write_referral_holder_rows", _no_rows)],
        "national_coordinator_rows": [
            (grants, "_referral_holder_groups", _holders_without_national)
        ],
        "has_perm": [(PolicyBackend, "has_perm", _says_yes)],
        "guardian_checker": [(GrantChecker, "has_perm", _checker_says_yes)],
        "get_objects_for_user": [(shortcuts, "get_objects_for_user", _guardian_list_owner_only)],
        "capability_is_object_permission": [],
    }


@pytest.mark.parametrize("mutated", sorted(_guardian_mutations()))
def test_the_guardian_differential_notices_a_change(
    guardian_personas, persona, monkeypatch, mutated
):
    with rolled_back():
        build_guardian_world(GUARDIAN_FIXED, persona)
        assert guardian_disagreements(guardian_personas) == []
    for target, name, replacement in _guardian_mutations()[mutated]:
        monkeypatch.setattr(target, name, replacement)
    with rolled_back():
        build_guardian_world(GUARDIAN_FIXED, persona)
        if mutated == "capability_is_object_permission":
            _staff_view_referrals_again()
        assert guardian_disagreements(guardian_personas, first=True) != []


def object_permissions() -> dict[type, set[str]]:
    """Every registered policy's model with its object permissions: the permissions of the
    model whose codename names one of the policy's actions (`Policy.action_of`), the ones
    `user.has_perm(perm, obj)` and guardian's rows ask about."""
    found = {}
    for model, policy in registered_policies().items():
        opts = model._meta
        found[model] = {
            f"{opts.app_label}.{codename}"
            for codename in Permission.objects.filter(
                content_type__app_label=opts.app_label, content_type__model=opts.model_name
            ).values_list("codename", flat=True)
            if policy.action_of(codename) is not None
        }
    return found


def test_no_role_capability_is_an_object_permission():
    """What keeps guardian's default `get_objects_for_user` from listing every object of a
    model to a role: no role carries a permission of a policy's model that names one of the
    policy's actions (docs/access.md, "django-guardian"). Capabilities are permissions of
    their own (`cases.work_on_cases`, `inspections.work_on_inspections`, ...)."""
    from network.models import Role
    from network.permissions import capabilities

    by_model = object_permissions()
    # Every registered model is asked about, each with at least its view permission, so
    # the check below cannot pass on an empty set.
    assert {Case, VictimReferral, Tip, AccessReview, Employer, *MODELS} <= set(by_model)
    for model, perms in by_model.items():
        assert f"{model._meta.app_label}.view_{model._meta.model_name}" in perms, model
    every = set().union(*by_model.values())
    assert {
        "cases.share_case",
        "cases.reveal_victimreferral",
        "cases.triage_tip",
        "inspections.perform_inspection",
        "inspections.respond_agencyassignment",
        "reports.change_annualreport",
    } <= every
    for role in Role.values:
        assert not capabilities(role) & every, role


# --- django-guardian: the joint controls' derived rows ------------------------------------
#
# Guardian's rows of inspections, operations, assignments, findings, decisions and follow-ups
# are SQL views (inspections migration 0011_guardian_rows_derived): a row (user, permission,
# object) for every action the policy allows, capabilities included, from memberships, role
# capabilities, coordination, assignments, operations and disclosures. So guardian's default
# `get_objects_for_user(user, perm, Model)` needs no capability beside the object permission
# (docs/access.md, "django-guardian").
#
# On random worlds of joint controls (inspections coordinated by av or skv, in av's or skv's
# operation or none, assignments pending, accepted and declined, on site or at the desk,
# findings open and secret, disclosed or not, decisions, follow-ups of the inspection and of
# a finding) and for every persona (staff, coordinator, analyst of three agencies), object
# and action: `scope`, `decide`, `visible_to`, `user.has_perm(perm, obj)`, guardian's checker
# and guardian's default `get_objects_for_user` agree.

JOINT_ACTIONS = {model: {action: () for action in policy_for(model).actions} for model in MODELS}


@pytest.fixture
def joint_personas(persona):
    return [persona(code, role) for code in AGENCIES for role in GUARDIAN_ROLES]


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds)
def test_guardian_agrees_on_joint_controls(joint_personas, world):
    with rolled_back():
        build(world, joint_personas[0])
        assert guardian_disagreements(joint_personas, JOINT_ACTIONS) == []


def test_every_joint_action_has_an_object_permission():
    """Guardian answers only for a permission that exists: each action of the joint
    controls' policies has one, and it is one the view yields rows for."""
    perms = object_permissions()
    for model, actions in JOINT_ACTIONS.items():
        assert {_codename(model, action) for action in actions} == perms[model], model


def _derived_views() -> dict[str, str]:
    """Every derived view's SQL by name, as the latest migration of each app made it."""
    import importlib

    views = {}
    for module in (
        "inspections.migrations.0012_guardian_rows_on_network_capabilities",
        "cases.migrations.0014_guardian_rows_derived",
        "reports.migrations.0005_guardian_rows_derived",
    ):
        views.update(importlib.import_module(module).VIEWS)
    return views


def _replace_view(name, old, new):
    """The view `name` with `old` replaced by `new` in its SQL (the mutation), in the test's
    transaction. PostgreSQL keeps dependent views with CREATE OR REPLACE; SQLite resolves
    them when asked, so the view is dropped and made again."""
    from django.db import connection

    select = _derived_views()[name]
    assert old in select, f"{old!r} is not in {name}"
    select = select.replace(old, new)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE OR REPLACE VIEW {name} AS {select}")
        else:
            cursor.execute(f"DROP VIEW {name}")
            cursor.execute(f"CREATE VIEW {name} AS {select}")


def _staff_view_inspections_again():
    """The design this replaced: the role carries the object permission as its capability."""
    from django.contrib.auth.models import Group

    Group.objects.get(name="role:staff").permissions.add(
        Permission.objects.get(content_type__app_label="inspections", codename="view_inspection")
    )


def _guardian_lists_coordinated(user, perms, klass=None, **kwargs):
    return klass.objects.all()


# The fixed world of the joint controls and one more inspection where the rest matters: an
# agency accepted at the desk (not on site), a secret finding disclosed to nobody, in skv's
# operation.
JOINT_FIXED = [
    *FIXED,
    {
        "coordinator": "skv",
        "operation": 1,
        "assignments": {"av": ("accepted", "desk"), "polis": ("declined", "on_site")},
        "findings": [
            {
                "agency": "av",
                "secret": True,
                "disclosed_to": None,
                "decision": True,
                "follow_up": "av",
            }
        ],
        "follow_up": "skv",
    },
]

# Each mutation changes one relation of the rows, one capability, or one of the answers.
JOINT_GUARDIAN_MUTATIONS = {
    "declined_assignment_counts": lambda monkeypatch: _replace_view(
        "inspections_access_relation", "AND a.status <> 'declined'", ""
    ),
    "secret_finding_shown": lambda monkeypatch: _replace_view(
        "inspections_access_visible_finding", "NOT f.secret OR", "1 = 1 OR"
    ),
    "disclosure_ignored": lambda monkeypatch: _replace_view(
        "inspections_access_visible_finding", "d.finding_id = f.id", "1 = 0"
    ),
    "operation_not_through_inspection": lambda monkeypatch: _replace_view(
        "inspections_access_controloperation", "WHERE v.user_id = m.user_id", "WHERE 1 = 0"
    ),
    "on_site_not_asked": lambda monkeypatch: _replace_view(
        "inspections_access_relation", "AND a.mode = 'on_site'", ""
    ),
    "capability_not_asked": lambda monkeypatch: _replace_view(
        "inspections_access_inspection", "c.codename = 'add_finding'", "1 = 1"
    ),
    "coordination_without_capability": lambda monkeypatch: _replace_view(
        "inspections_access_relation", "c.codename = 'coordinate_inspection'", "1 = 1"
    ),
    "capability_is_object_permission": lambda monkeypatch: _staff_view_inspections_again(),
    "has_perm": lambda monkeypatch: monkeypatch.setattr(PolicyBackend, "has_perm", _says_yes),
    "get_objects_for_user": lambda monkeypatch: _patch_get_objects_for_user(monkeypatch),
}


def _patch_get_objects_for_user(monkeypatch):
    from guardian import shortcuts

    monkeypatch.setattr(shortcuts, "get_objects_for_user", _guardian_lists_coordinated)


def test_guardian_agrees_on_the_fixed_joint_world(joint_personas):
    """The views' SQL is the same on both databases; SQLite reads booleans and `||` its own
    way, so the SQLite pass runs this too (tests/conftest.py, SQLITE_SLICE)."""
    with rolled_back():
        build(JOINT_FIXED, joint_personas[0])
        assert guardian_disagreements(joint_personas, JOINT_ACTIONS) == []


def test_the_joint_guardian_differential_notices_a_change(joint_personas):
    """One world for every mutation, as the rest's test below: the comparison agrees on it,
    then must fail under each mutation (undone with its savepoint, the views' DDL with it,
    and its patches), and agrees again after all; the names of those it missed are the
    failure."""
    missed = []
    with rolled_back():
        build(JOINT_FIXED, joint_personas[0])
        assert guardian_disagreements(joint_personas, JOINT_ACTIONS) == []
        for name, mutate in JOINT_GUARDIAN_MUTATIONS.items():
            with rolled_back(), pytest.MonkeyPatch.context() as monkeypatch:
                mutate(monkeypatch)
                if not guardian_disagreements(joint_personas, JOINT_ACTIONS, first=True):
                    missed.append(name)
        assert guardian_disagreements(joint_personas, JOINT_ACTIONS) == []
    assert missed == []


# --- django-guardian: the derived rows of tips, reviews, employers and reports -------------
#
# Guardian's rows of tips, break-the-glass reviews, employers, report builds and annual
# reports are SQL views too (cases migration 0014_guardian_rows_derived, reports migration
# 0005_guardian_rows_derived), on network's capability view: a row for every action the
# policy allows, capabilities included. On the cases' worlds (tips forwarded to an agency or
# not, reviews of break-the-glass accesses by an auditor and by others, an employer) with
# report builds of the network and of agencies, for the cases' personas, staff, coordinators
# and analysts of the joint controls' agencies and a coordinator of a regional centre in an
# agency that does not coordinate: `scope`, `decide`, `visible_to`, `user.has_perm`,
# guardian's checker and guardian's default `get_objects_for_user` agree
# (docs/access.md, "django-guardian").

from reports.models import AnnualReport, ReportBuild  # noqa: E402

REST_MODELS = (Tip, AccessReview, Employer, ReportBuild, AnnualReport)
REST_ACTIONS = {
    model: {action: () for action in policy_for(model).actions} for model in REST_MODELS
}


def build_report_objects():
    from reports.models import BuildStatus

    network = ReportBuild.objects.create(year=2025, scope="network", status=BuildStatus.READY)
    for code in ("skv", "av", "polis"):
        ReportBuild.objects.create(year=2025, scope=code, status=BuildStatus.READY)
    AnnualReport.objects.create(year=2025, build=network)


@pytest.fixture
def every_persona(case_personas, personas, persona):
    """The personas of both worlds, two analysts (the coordinating agency's and one other's)
    for the reports and a centre's coordinator in an agency that does not coordinate."""
    users = {u.pk: u for u in [*case_personas, *personas]}
    extra = [
        persona("av", "analyst"),
        persona("skv", "analyst"),
        persona("skv", "coordinator", username="skv.centre", centre="stockholm"),
    ]
    for user in extra:
        users[user.pk] = user
    return list(users.values())


def build_every_world(case_personas, users, cases_world=None):
    """The joint controls' fixed world, the cases' (with its personas, whose order its
    grants name) and the reports' builds."""
    build(FIXED, users[0])
    build_cases(cases_world or CASES_FIXED, case_personas)
    build_report_objects()


def test_every_rest_action_has_an_object_permission():
    perms = object_permissions()
    for model, actions in REST_ACTIONS.items():
        assert {_codename(model, action) for action in actions} == perms[model], model


def test_every_registered_model_has_guardian_rows():
    """No model with a policy is left to guardian's empty answer: each is asked about by
    one of the comparisons (cases and referrals, joint controls, the rest)."""
    assert set(registered_policies()) == {*GUARDIAN_ACTIONS, *JOINT_ACTIONS, *REST_ACTIONS}


def test_guardian_agrees_on_the_fixed_rest_world(case_personas, every_persona):
    """The SQLite pass runs this too (tests/conftest.py, SQLITE_SLICE)."""
    with rolled_back():
        build_every_world(case_personas, every_persona)
        for model in REST_MODELS:
            assert model.objects.exists(), model
        assert guardian_disagreements(every_persona, REST_ACTIONS) == []


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=case_worlds)
def test_guardian_agrees_on_tips_reviews_and_employers(case_personas, world):
    with rolled_back():
        build_cases(world, case_personas)
        build_report_objects()
        assert guardian_disagreements(case_personas, REST_ACTIONS) == []


def _role_carries(role, app_label, codename):
    """A role carrying an old capability name again: the object permission itself."""
    from django.contrib.auth.models import Group

    Group.objects.get(name=f"role:{role}").permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )


# Each mutation changes one relation or one capability of a view, or gives a role an object
# permission as its capability.
REST_GUARDIAN_MUTATIONS = {
    "tip_forwarded_anywhere": lambda: _replace_view(
        "cases_access_tip", "o.forwarded_to_id = m.agency_id", "o.forwarded_to_id IS NOT NULL"
    ),
    "tip_centre_not_asked": lambda: _replace_view(
        "cases_access_tip", " OR m.centre_id IS NOT NULL", ""
    ),
    "tip_triage_capability_not_asked": lambda: _replace_view(
        "cases_access_tip", "c.codename = 'triage_tips'", "1 = 1"
    ),
    "own_review_allowed": lambda: _replace_view(
        "cases_access_accessreview", " AND o.user_id <> m.user_id", ""
    ),
    "review_of_another_agency": lambda: _replace_view(
        "cases_access_accessreview", "o.agency_id = m.agency_id", "1 = 1"
    ),
    # Every role reads employers and edits the annual report it sees: the mutation asks
    # another capability, one that some of those roles lack.
    "employer_another_capability": lambda: _replace_view(
        "cases_access_employer", "c.codename = 'work_on_employers'", "c.codename = 'work_on_tips'"
    ),
    "network_build_without_coordinating_agency": lambda: _replace_view(
        "reports_access_reportbuild", "a.is_coordinator AND", ""
    ),
    "own_build_of_another_agency": lambda: _replace_view(
        "reports_access_reportbuild", "o.scope = a.code", "o.scope <> 'network'"
    ),
    "annual_report_another_capability": lambda: _replace_view(
        "reports_access_annualreport",
        "c.codename = 'edit_annual_reports'",
        "c.codename = 'add_reportbuild'",
    ),
    "staff triages tips": lambda: _role_carries("staff", "cases", "triage_tip"),
    "auditor sees reviews": lambda: _role_carries("auditor", "cases", "view_accessreview"),
    "analyst changes annual reports": lambda: _role_carries(
        "analyst", "reports", "change_annualreport"
    ),
}


def test_the_rest_guardian_differential_notices_a_change(case_personas, every_persona):
    """One world for every mutation (each undone in a savepoint of its own, the views'
    DDL with it): the comparison must fail under each, and the names of those it missed
    are the failure."""
    missed = []
    with rolled_back():
        build_every_world(case_personas, every_persona)
        assert guardian_disagreements(every_persona, REST_ACTIONS) == []
        for name, mutate in REST_GUARDIAN_MUTATIONS.items():
            with rolled_back():
                mutate()
                if not guardian_disagreements(every_persona, REST_ACTIONS, first=True):
                    missed.append(name)
        assert guardian_disagreements(every_persona, REST_ACTIONS) == []
    assert missed == []


def test_guardian_default_lists_only_the_rows(persona):
    """Guardian's default call (`accept_global_perms=True`): an agency that works with cases
    sees only its own, and a referral only where it holds it."""
    from guardian.shortcuts import get_objects_for_user

    owner = persona("skv", "staff")
    case = case_services.open_case(title="Ärende", actor=owner)
    referral = referral_services.create_referral(
        person={"identifier_type": "none", "sex": "female", "nationality": "UA"},
        receiving_body="ovrig",
        consent={"support": True, "sharing": True, "statistics": True},
        actor=owner,
    )
    outsider = persona("polis", "staff")
    assert list(get_objects_for_user(owner, "cases.view_case", Case)) == [case]
    assert not get_objects_for_user(outsider, "cases.view_case", Case)
    view = ["cases.view_victimreferral", *REFERRAL_CAPABILITIES["view"]]
    assert list(get_objects_for_user(owner, view, VictimReferral)) == [referral]
    assert list(get_objects_for_user(persona("jamy", "staff"), view, VictimReferral)) == [referral]
    assert not get_objects_for_user(outsider, view, VictimReferral)
    # An analyst of the referring agency holds the rows but not the capability.
    assert not get_objects_for_user(persona("skv", "analyst"), view, VictimReferral)
