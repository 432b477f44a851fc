"""Who may do what with a victim referral: relation x action -> answer.

Skatteverket referred the person to the NSPM support line (so Jämställdhetsmyndigheten is
the receiving agency and also the national coordinator); Migrationsverket holds a share;
Försäkringskassan is unrelated. "listed"/"hidden": a 200 list with / without the referral.
"""

import pytest
from django.urls import reverse

from cases.referrals import services as referral_services
from network.models import Agency
from tests.conftest import Personas
from tests.matrix import Row, covers
from tests.worlds import built_once, fresh

covers(
    models=["cases.victimreferral"],
    routes=[
        "referral-list",
        "referral-detail",
        "referral-reveal",
        "referral-change-status",
        "referral-withdraw-consent",
        "referral-share",
        "referral-reflection-periods",
        "referral-decide-reflection-period",
        "referral-htcds",
        "referral-statistics",
        "referral-notes",
        "referral-support",
        "referral-set-owner",
    ],
)

VIEWERS = {
    "referring": "skv.staff",
    "receiving_coordinator": "jamy.staff",
    "shared": "migr.staff",
    "unrelated": "fk.staff",
    "analyst_of_referring": "skv.analyst",
    "auditor_of_referring": "skv.auditor",
}
# relation -> detail, list, reveal, status, withdraw, share, reflection, htcds, statistics
EXPECTED = {
    "referring": (200, "listed", 200, 200, 200, 201, 201, "listed", 200),
    "receiving_coordinator": (200, "listed", 200, 200, 200, 201, 201, "listed", 200),
    "shared": (200, "listed", 403, 403, 403, 403, 403, "listed", 200),
    "unrelated": (404, "hidden", 404, 404, 404, 404, 404, "hidden", 200),
    "analyst_of_referring": (404, 403, 404, 404, 404, 404, 404, 403, 200),
    "auditor_of_referring": (404, 403, 404, 404, 404, 404, 404, 403, 403),
}
ACTIONS = [
    "detail",
    "list",
    "reveal",
    "status",
    "withdraw",
    "share",
    "reflection",
    "htcds",
    "statistics",
]
MATRIX = [
    Row(VIEWERS[relation], relation, action, expected)
    for relation, answers in EXPECTED.items()
    for action, expected in zip(ACTIONS, answers, strict=True)
] + [Row("anonymous", "unrelated", "list", 401), Row("anonymous", "unrelated", "detail", 401)]
# Timeline, support and case owner: only those who work the referral (a share only reads).
WORKERS_ONLY = {
    "referring": 200,
    "receiving_coordinator": 200,
    "shared": 403,
    "unrelated": 404,
    "analyst_of_referring": 404,
    "auditor_of_referring": 404,
}
MATRIX += [
    Row(VIEWERS[relation], relation, action, expected)
    for action in ("notes", "support", "owner")
    for relation, expected in WORKERS_ONLY.items()
]


def _build(persona):
    """The referral above, then every persona of the matrix, once for the module
    (tests/worlds.py)."""
    referral = _refer(persona)
    for name in VIEWERS.values():
        agency, role = name.split(".")
        persona(agency, role)
    return {"referral": referral}


@pytest.fixture(scope="module")
def shared_world(request, django_db_setup, django_db_blocker):
    with built_once(request, django_db_blocker, _build) as w:
        yield w


@pytest.fixture
def world(shared_world, db):
    return fresh(shared_world)


@pytest.fixture
def persona(world):
    return Personas(world["personas"])


@pytest.fixture
def referral(world):
    return world["referral"]


def _refer(persona):
    persona("jamy", "staff", username="jamy.owner")
    skv = persona("skv", "staff")
    referral = referral_services.create_referral(
        person={"identifier_type": "personnummer", "identifier": "19640823-3234", "sex": "male"},
        receiving_body="nspm_stodtelefon",
        consent={"support": True, "sharing": True, "statistics": True},
        actor=skv,
    )
    referral_services.share_referral(
        referral,
        agency=Agency.objects.get(code="migr"),
        legal_basis="samtycke",
        reason="Personen har samtyckt till delning",
        actor=skv,
    )
    return referral


def _perform(api, action, referral):
    pk = referral.pk
    if action == "detail":
        return api.get(reverse("referral-detail", args=[pk]))
    if action == "list":
        return api.get(reverse("referral-list"))
    if action == "reveal":
        return api.post(reverse("referral-reveal", args=[pk]), {"purpose": "Kontakt med personen"})
    if action == "status":
        return api.post(reverse("referral-change-status", args=[pk]), {"status": "assessment"})
    if action == "withdraw":
        return api.post(reverse("referral-withdraw-consent", args=[pk]), {"purpose": "statistics"})
    if action == "share":
        return api.post(
            reverse("referral-share", args=[pk]),
            {"agency": "polis", "legal_basis": "samtycke", "reason": "Personen har samtyckt"},
        )
    if action == "reflection":
        return api.post(
            reverse("referral-reflection-periods", args=[pk]),
            {"applicant": "socialnamnd", "submitted_on": "2026-11-01"},
        )
    if action == "htcds":
        return api.get(reverse("referral-htcds"))
    if action == "notes":
        return api.get(reverse("referral-notes", args=[pk]))
    if action == "support":
        return api.get(reverse("referral-support", args=[pk]))
    if action == "owner":
        return api.post(reverse("referral-set-owner", args=[pk]), {"owner": "jamy.owner"})
    if action == "statistics":
        return api.get(reverse("referral-statistics"))
    raise AssertionError(action)


@pytest.mark.django_db
@pytest.mark.parametrize("row", MATRIX, ids=str)
def test_referral_permission_matrix(row, referral, persona, api):
    if row.persona != "anonymous":
        agency, role = row.persona.split(".")
        user = persona(agency, role)
        api.as_user(type(user).objects.get(pk=user.pk))
    response = _perform(api, row.action, referral)
    if row.expected in {"listed", "hidden"}:
        assert response.status_code == 200
        body = response.json()
        items = body["results"] if isinstance(body, dict) else body
        ids = {item.get("id") or item.get("cas_CaseID") for item in items}
        assert bool(ids & {referral.pk, referral.reference}) == (row.expected == "listed")
    else:
        assert response.status_code == row.expected, response.content[:200]


@pytest.mark.django_db
def test_decide_reflection_period_route(referral, persona, api):
    jamy = persona("jamy", "staff")
    period = referral_services.apply_for_reflection_period(
        referral, applicant="socialnamnd", submitted_on="2026-11-01", actor=jamy
    )
    url = reverse("referral-decide-reflection-period", args=[referral.pk, period.pk])
    body = {"granted": False, "decided_on": "2026-11-02"}
    assert api.as_user(persona("fk", "staff")).post(url, body).status_code == 404
    assert api.as_user(persona("migr", "staff")).post(url, body).status_code == 403
    assert api.as_user(jamy).post(url, body).status_code == 200


# A closed referral is read, not worked: no notes, support, shares or applications, for
# anyone (403 on a visible referral, 404 outside scope); those who work it may reopen it.
CLOSED_EXPECTED = {
    "referring": {"add_note": 403, "add_support": 403, "share": 403, "reflection": 403},
    "receiving_coordinator": {"add_note": 403, "add_support": 403, "share": 403},
    "shared": {"add_note": 403, "share": 403},
    "unrelated": {"add_note": 404, "share": 404},
}
CLOSED_EXPECTED["receiving_coordinator"]["reopen"] = 200
CLOSED_EXPECTED["shared"]["reopen"] = 403
CLOSED_MATRIX = [
    Row(VIEWERS[relation], f"closed, {relation}", action, expected)
    for relation, answers in CLOSED_EXPECTED.items()
    for action, expected in answers.items()
]


def _perform_on_closed(api, action, pk):
    if action == "add_note":
        return api.post(reverse("referral-notes", args=[pk]), {"text": "Ringde"})
    if action == "add_support":
        return api.post(
            reverse("referral-support", args=[pk]),
            {"programme": "nsp", "kind": "Boende", "starts_on": "2026-11-01"},
        )
    if action == "reopen":
        return api.post(reverse("referral-change-status", args=[pk]), {"status": "assessment"})
    return _perform(api, action, type("Closed", (), {"pk": pk})())


@pytest.mark.django_db
@pytest.mark.parametrize("row", CLOSED_MATRIX, ids=str)
def test_closed_referral_permission_matrix(row, referral, persona, api):
    jamy = persona("jamy", "staff")
    for status in ("assessment", "support_ongoing", "closed"):
        referral = referral_services.change_referral_status(referral, status=status, actor=jamy)
    agency, role = row.persona.split(".")
    api.as_user(persona(agency, role))
    response = _perform_on_closed(api, row.action, referral.pk)
    assert response.status_code == row.expected, response.content[:200]
    if row.expected != 200:
        assert not referral.notes.exists()
        assert not referral.support_measures.exists()
