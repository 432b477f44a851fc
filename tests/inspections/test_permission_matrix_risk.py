"""Who sees what of one employer (the profile) and who may rank and plan from the ranking.

The world: Arbetsmiljöverket coordinates a performed inspection of Bygg & Montage AB with
Skatteverket on site; Skatteverket recorded an open finding (with a decision) and a secret
one. Skatteverket owns a case about the employer; Polisen owns another, shared with nobody.
A tip from the public names the employer. Försäkringskassan has nothing to do with any of it.
"listed"/"hidden": the profile's section does / does not contain the object.
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from cases.coordination import services as case_services
from cases.employers import services as employer_services
from cases.tips import services as tip_services
from inspections.services import decisions, lifecycle, operations, planning, results
from network.models import Agency
from tests.conftest import Personas
from tests.inspections.conftest import WORKPLACE
from tests.matrix import Row, covers
from tests.worlds import built_once, fresh

pytestmark = pytest.mark.django_db

covers(models=[], routes=["employer-profile", "risk-candidates", "risk-plan"])

PERSONAS = {
    "coordinator": "av.coordinator",
    "on_site": "skv.staff",
    "police": "polis.staff",
    "uninvolved": "fk.staff",
    "other_coordinator": "ebm.coordinator",
    "analyst": "skv.analyst",
}


def row(relation, action, expected):
    return Row(PERSONAS[relation], relation, action, expected)


MATRIX = [
    # Inspections at the employer: the coordinating agency and agencies taking part.
    *[row(r, "inspection", "listed") for r in ("coordinator", "on_site")],
    *[row(r, "inspection", "hidden") for r in ("police", "uninvolved", "other_coordinator")],
    row("analyst", "inspection", "hidden"),  # an analyst reads no inspection rows
    # The open finding follows its inspection; the secret one only its own agency.
    *[row(r, "finding", "listed") for r in ("coordinator", "on_site")],
    *[row(r, "finding", "hidden") for r in ("police", "uninvolved", "other_coordinator")],
    row("on_site", "secret_finding", "listed"),
    *[
        row(r, "secret_finding", "hidden")
        for r in ("coordinator", "police", "uninvolved", "analyst")
    ],
    # Cases: the owner's.
    row("on_site", "skv_case", "listed"),
    *[row(r, "skv_case", "hidden") for r in ("coordinator", "police", "uninvolved", "analyst")],
    row("police", "polis_case", "listed"),
    *[row(r, "polis_case", "hidden") for r in ("coordinator", "on_site", "uninvolved")],
    # Tips: those who triage them (AV's coordinators).
    row("coordinator", "tip", "listed"),
    *[row(r, "tip", "hidden") for r in ("on_site", "police", "uninvolved", "other_coordinator")],
    # The profile of an unknown or malformed number is not found, for everyone.
    *[row(r, "unknown_orgnr", 404) for r in ("coordinator", "uninvolved")],
    row("uninvolved", "malformed_orgnr", 404),
    Row("anonymous", "uninvolved", "profile", 401),
    # The ranking and planning from it: coordinators only; an operation out of scope is 404.
    *[row(r, "candidates", 200) for r in ("coordinator", "other_coordinator")],
    *[row(r, "candidates", 403) for r in ("on_site", "uninvolved", "analyst")],
    Row("anonymous", "uninvolved", "candidates", 401),
    row("coordinator", "plan", 201),
    row("other_coordinator", "plan", 404),
    *[row(r, "plan", 403) for r in ("on_site", "uninvolved")],
]


def _build(persona):
    """The world above, built once for the module (tests/worlds.py)."""
    # As the `employer` fixture (tests/inspections/conftest.py) makes it.
    employer = employer_services.register_employer(
        orgnr="556036-0793",
        name="Bygg & Montage AB",
        actor=persona("av", "coordinator", centre="stockholm"),
    )
    coordinator = persona("av", "coordinator")
    skv = persona("skv", "staff")
    for name in PERSONAS.values():
        agency, roles = name.split(".")
        persona(agency, roles)
    inspection = planning.plan_inspection(
        workplace=WORKPLACE,
        planned_date=date.today() - timedelta(days=30),
        employers=[employer.orgnr],
        actor=coordinator,
    )
    assignment = planning.assign_agency(
        inspection, agency=Agency.objects.get(code="skv"), mode="on_site", actor=coordinator
    )
    planning.respond_to_assignment(assignment, accept=True, actor=skv)
    lifecycle.perform_inspection(
        inspection, performed_on=date.today() - timedelta(days=30), persons_checked=4, actor=skv
    )
    finding = results.record_finding(inspection, category="personalliggare_saknas", actor=skv)
    decisions.record_decision(finding, type="kontrollavgift", amount_sek=12500, actor=skv)
    secret = results.record_finding(inspection, category="svartarbete", secret=True, actor=skv)
    skv_case = case_services.open_case(
        title="Skatteutredning", employer=employer, actor=skv, owner_agency=skv.agency
    )
    polis = persona("polis", "staff")
    polis_case = case_services.open_case(
        title="Förundersökning", employer=employer, actor=polis, owner_agency=polis.agency
    )
    tip = tip_services.submit_tip(
        data={
            "employer_name": employer.name,
            "orgnr": employer.orgnr,
            "address": "Hagagatan 1",
            "municipality": "Stockholm",
            "industry": "construction",
        }
    )
    operation = operations.create_operation(
        title="Byggvecka",
        period_start=date.today(),
        period_end=date.today() + timedelta(days=10),
        selection_basis="risk_industry",
        actor=coordinator,
    )
    return {
        "employer": employer,
        "inspection": inspection.reference,
        "finding": finding.pk,
        "secret_finding": secret.pk,
        "skv_case": skv_case.reference,
        "polis_case": polis_case.reference,
        "tip": tip.code,
        "operation": operation,
        "workplace": inspection.workplace_id,
    }


@pytest.fixture(scope="module")
def shared_world(request, django_db_setup, django_db_blocker):
    with built_once(request, django_db_blocker, _build) as w:
        yield w


@pytest.fixture
def world(shared_world, db):
    """This test's copy of the world; its writes end with its own transaction."""
    return fresh(shared_world)


@pytest.fixture
def persona(world):
    return Personas(world["personas"])


def _section(body, action, w):
    if action == "inspection":
        return w["inspection"] in [i["reference"] for i in body["inspections"]["results"]]
    if action in {"finding", "secret_finding"}:
        return w[action] in [f["id"] for f in body["findings"]["results"]]
    if action in {"skv_case", "polis_case"}:
        return w[action] in [c["reference"] for c in body["cases"]]
    if action == "tip":
        return w["tip"] in [t["code"] for t in body["tips"]]
    raise AssertionError(action)


@pytest.mark.parametrize("case", MATRIX, ids=str)
def test_matrix(case, world, persona, api):
    client = api
    if case.persona != "anonymous":
        agency, roles = case.persona.split(".")
        client = api.as_user(persona(agency, roles))
    profile = reverse("employer-profile", args=["556036-0793"])
    if case.action in {"candidates"}:
        response = client.get(reverse("risk-candidates"), {"centre": "stockholm"})
    elif case.action == "plan":
        response = client.post(
            reverse("risk-plan"),
            {
                "operation": world["operation"].pk,
                "planned_date": (date.today() + timedelta(days=2)).isoformat(),
                "picks": [{"workplace": world["workplace"], "basis": "risk_ranking"}],
            },
            format="json",
        )
    elif case.action == "unknown_orgnr":
        response = client.get(reverse("employer-profile", args=["5560160680"]))
    elif case.action == "malformed_orgnr":
        response = client.get(reverse("employer-profile", args=["12345"]))
    else:
        response = client.get(profile)
    if isinstance(case.expected, int):
        assert response.status_code == case.expected, response.content
        return
    assert response.status_code == 200, response.content
    assert _section(response.json(), case.action, world) is (case.expected == "listed")


def test_the_profile_runs_a_constant_number_of_queries(world, persona, api):
    """More inspections, findings and cases about the employer: the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    coordinator = persona("av", "coordinator")
    client = api.as_user(coordinator)
    url = reverse("employer-profile", args=["556036-0793"])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for _ in range(3):
        planning.plan_inspection(
            workplace={**WORKPLACE, "name": "Ännu ett bygge"},
            planned_date=date.today(),
            employers=[world["employer"].orgnr],
            actor=coordinator,
        )
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    assert response.json()["inspections"]["count"] == 4
    assert len(after) == len(before)
