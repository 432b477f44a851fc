"""Every way of asking "may this user do this to that" gives one answer (docs/access.md).

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


def disagreements(users) -> list[str]:
    """Every (persona, model, action, object) where two of the answers differ."""
    found = []
    for model in MODELS:
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
