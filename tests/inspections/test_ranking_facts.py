"""The risk ranking's facts (inspections/facts.py) agree with `visible_to`, stay exact after
every kind of change, and are visible by the same rule (a permission matrix).

The facts are a derived copy of three scope rules written as SQL for speed; the test that
matters is the first: on mixed data (coordinated and assigned, declined, secret, disclosed,
decided, joint and not), every persona's facts give exactly the inspections, findings,
decisions and employers its querysets give."""

import random
import threading
from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection, transaction

from cases.models import Employer
from inspections import facts
from inspections.models import (
    AgencyAssignment,
    ControlOperation,
    Decision,
    Finding,
    FindingDisclosure,
    Inspection,
    InspectionEmployer,
    RankingEmployerFact,
    RankingFact,
    RankingStale,
    Workplace,
)
from network.models import Agency, County
from tests.matrix import Row, covers

pytestmark = pytest.mark.django_db

covers(models=["inspections.rankingfact", "inspections.rankingemployerfact"], routes=[])

AGENCIES = ("av", "skv", "polis", "migr")
SEVERITIES = ("high", "medium", "low")


def _operation(agency, actor):
    return ControlOperation.objects.create(
        title="Insats",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        selection_basis="risk_ranking",
        coordinating_agency=agency,
        created_by=actor,
    )


def _world(persona, seed=7, inspections=24):
    """Mixed data made with the ORM (the signals mark it stale, as in production)."""
    rng = random.Random(seed)
    actor = persona("av", "coordinator")
    agencies = {code: Agency.objects.get(code=code) for code in AGENCIES}
    county = County.objects.get(code="01")
    employers = [
        Employer.objects.create(orgnr=f"55600000{i:02d}", name=f"Firma {i} AB", legal_form="AB")
        for i in range(5)
    ]
    places = [
        Workplace.objects.create(
            name=f"Plats {i}", municipality="0180", county=county, sni="41.200"
        )
        for i in range(6)
    ]
    operation = _operation(agencies["av"], actor)
    for n in range(inspections):
        performed = rng.random() < 0.8
        inspection = Inspection.objects.create(
            reference=f"KO-T-{n}",
            workplace=rng.choice(places),
            coordinating_agency=agencies[rng.choice(("av", "av", "skv"))],
            operation=operation if rng.random() < 0.5 else None,
            planned_date=date(2025, 1, 1) + timedelta(days=n * 9),
            status="performed" if performed else "planned",
            performed_on=date(2025, 1, 1) + timedelta(days=n * 9) if performed else None,
            created_by=actor,
        )
        for code in rng.sample(AGENCIES, rng.randint(0, 3)):
            AgencyAssignment.objects.create(
                inspection=inspection,
                agency=agencies[code],
                mode="on_site",
                status=rng.choice(("pending", "accepted", "declined")),
                assigned_by=actor,
            )
        for employer in rng.sample(employers, rng.randint(0, 2)):
            InspectionEmployer.objects.create(inspection=inspection, employer=employer)
        for _ in range(rng.randint(0, 4) if performed else 0):
            finding = Finding.objects.create(
                inspection=inspection,
                agency=agencies[rng.choice(AGENCIES)],
                category="personalliggare_saknas",
                severity=rng.choice(SEVERITIES),
                secret=rng.random() < 0.35,
                created_by=actor,
            )
            if finding.secret and rng.random() < 0.5:
                FindingDisclosure.objects.create(
                    finding=finding,
                    agency=agencies[rng.choice(AGENCIES)],
                    legal_basis="osl_10_28",
                    reason="Samverkan",
                    disclosed_by=actor,
                )
            if rng.random() < 0.4:
                Decision.objects.create(
                    finding=finding, agency=finding.agency, type="forelaggande", created_by=actor
                )
    return employers


def _personas(persona):
    return [persona(code, role) for code in AGENCIES for role in ("coordinator", "staff")]


def _expected(user):
    """What the querysets say, per inspection, for this user."""
    visible = set(Inspection.objects.visible_to(user).values_list("pk", flat=True))
    findings = Counter()
    for inspection_id, severity in Finding.objects.visible_to(user).values_list(
        "inspection_id", "severity"
    ):
        findings[inspection_id, severity] += 1
    decisions = Counter(
        Decision.objects.visible_to(user).values_list("finding__inspection_id", flat=True)
    )
    employers = set(
        InspectionEmployer.objects.filter(inspection_id__in=visible).values_list(
            "inspection_id", "employer_id"
        )
    )
    with_findings = {i for (i, _severity) in findings}
    return visible, findings, decisions, employers, with_findings


def _assert_facts_agree(user):
    visible, findings, decisions, employers, with_findings = _expected(user)
    rows = RankingFact.objects.visible_to(user)
    assert {r.inspection_id for r in rows} == visible
    assert len(rows) == len(visible)  # one row per inspection and agency
    for row in rows:
        for severity in SEVERITIES:
            assert getattr(row, f"n_{severity}") == findings[row.inspection_id, severity], row
        assert row.n_decisions == decisions[row.inspection_id], row
    facts_employers = RankingEmployerFact.objects.visible_to(user)
    assert {(r.inspection_id, r.employer_id) for r in facts_employers} == employers
    for row in facts_employers:
        assert row.has_findings == (row.inspection_id in with_findings), row


def _assert_network_rows():
    joint = Counter(
        Finding.objects.filter(secret=False, inspection__operation__isnull=False).values_list(
            "inspection_id", flat=True
        )
    )
    network = {r.inspection_id: r.n_joint for r in RankingFact.objects.filter(agency=None)}
    assert network == dict(joint)
    for row in RankingFact.objects.exclude(agency=None):
        assert row.n_joint == joint.get(row.inspection_id, 0)


def test_facts_give_every_persona_what_its_querysets_give(persona):
    _world(persona)
    assert RankingStale.objects.exists()  # marked by the signals, in the same transaction
    assert facts.refresh() == Inspection.objects.count()
    assert not RankingStale.objects.exists()
    for user in _personas(persona):
        _assert_facts_agree(user)
    _assert_network_rows()


def test_a_full_rebuild_gives_the_same_facts_as_the_refreshes(persona):
    _world(persona, seed=11)
    facts.refresh()

    def snapshot():
        return sorted(
            RankingFact.objects.values_list(
                "agency_id",
                "inspection_id",
                "assigned",
                "coordinating",
                "n_high",
                "n_medium",
                "n_low",
                "n_decisions",
                "n_joint",
            ),
            key=str,
        )

    before = snapshot()
    facts.rebuild()
    assert snapshot() == before


def test_every_kind_of_change_reaches_the_facts(persona):
    """One change of each kind a scope rule reads, each followed by a refresh and the full
    comparison: what the ranking sees is never stale after its own refresh."""
    employers = _world(persona, seed=3, inspections=10)
    facts.refresh()
    users = _personas(persona)
    actor = persona("av", "coordinator")
    polis = Agency.objects.get(code="polis")
    inspection = Inspection.objects.filter(status="performed").order_by("pk").first()
    finding = Finding.objects.create(
        inspection=inspection,
        agency=polis,
        category="arbetsmiljobrist",
        severity="high",
        secret=True,
        created_by=actor,
    )
    changes = [
        lambda: FindingDisclosure.objects.create(
            finding=finding,
            agency=Agency.objects.get(code="skv"),
            legal_basis="osl_10_28",
            reason="Samverkan",
            disclosed_by=actor,
        ),
        lambda: Decision.objects.create(
            finding=finding, agency=polis, type="polisanmalan", created_by=actor
        ),
        lambda: _save(finding, secret=False),
        lambda: _save(finding, severity="low"),
        lambda: AgencyAssignment.objects.update_or_create(
            inspection=inspection,
            agency=Agency.objects.get(code="migr"),
            defaults={"mode": "desk", "status": "accepted", "assigned_by": actor},
        ),
        lambda: _save(
            AgencyAssignment.objects.get(inspection=inspection, agency__code="migr"),
            status="declined",
        ),
        lambda: InspectionEmployer.objects.get_or_create(
            inspection=inspection, employer=employers[4]
        ),
        lambda: InspectionEmployer.objects.filter(inspection=inspection).delete(),
        lambda: _save(inspection, coordinating_agency=Agency.objects.get(code="polis")),
        lambda: Decision.objects.filter(finding=finding).delete(),
        lambda: finding.delete(),
        lambda: _save(inspection.workplace, county=County.objects.get(code="12"), sni="41.200"),
    ]
    for change in changes:
        change()
        facts.refresh()
        for user in users:
            _assert_facts_agree(user)
        _assert_network_rows()
    assert RankingFact.objects.filter(inspection=inspection).exclude(county__code="12").count() == 0


def _save(obj, **fields):
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save()
    return obj


def test_deleting_an_inspection_deletes_its_facts(persona):
    _world(persona, seed=5, inspections=6)
    facts.refresh()
    target = Inspection.objects.order_by("pk").first()
    Finding.objects.filter(inspection=target).delete()
    InspectionEmployer.objects.filter(inspection=target).delete()
    target.delete()
    facts.refresh()
    assert not RankingFact.objects.filter(inspection_id=target.pk).exists()
    assert not RankingEmployerFact.objects.filter(inspection_id=target.pk).exists()


# --- who sees which facts: the permission matrix ------------------------------------------

MATRIX = [
    Row("skv.staff", "assigned", "facts", 1),
    Row("skv.staff", "declined", "facts", 0),
    Row("skv.staff", "pending", "facts", 1),
    Row("av.staff", "coordinated_not_assigned", "facts", 0),
    Row("av.coordinator", "coordinated_not_assigned", "facts", 1),
    Row("polis.coordinator", "other_agency", "facts", 0),
    Row("skv.coordinator", "network_row", "facts", 0),
    Row("av.coordinator", "network_row", "facts", 0),
]


@pytest.mark.parametrize("row", MATRIX, ids=str)
def test_permission_matrix(row, persona):
    actor = persona("av", "coordinator")
    agencies = {a.code: a for a in Agency.objects.all()}
    place = Workplace.objects.create(
        name="P", municipality="0180", county=County.objects.get(code="01"), sni="41.200"
    )
    operation = _operation(agencies["av"], actor)
    inspection = Inspection.objects.create(
        reference="KO-M-1",
        workplace=place,
        coordinating_agency=agencies["av"],
        operation=operation,
        planned_date=date(2025, 3, 1),
        status="performed",
        performed_on=date(2025, 3, 1),
        created_by=actor,
    )
    status = {"assigned": "accepted", "declined": "declined", "pending": "pending"}
    if row.relation in status:
        AgencyAssignment.objects.create(
            inspection=inspection,
            agency=agencies["skv"],
            mode="on_site",
            status=status[row.relation],
            assigned_by=actor,
        )
    Finding.objects.create(
        inspection=inspection, agency=agencies["av"], category="arbetsmiljobrist", created_by=actor
    )
    facts.refresh()
    code, role = row.persona.split(".")
    user = persona(code, role)
    seen = RankingFact.objects.visible_to(user)
    if row.relation == "network_row":
        assert RankingFact.objects.filter(agency=None, inspection=inspection).count() == 1
        seen = seen.filter(agency=None)
    assert seen.filter(inspection=inspection).count() == row.expected
    assert (
        RankingEmployerFact.objects.visible_to(user).filter(inspection=inspection).count() == 0
    )  # no employer met: none for anyone
    assert (
        Inspection.objects.visible_to(user).filter(pk=inspection.pk).exists() == bool(row.expected)
        or row.relation == "network_row"
    )


def test_no_agency_no_facts(db):
    from django.contrib.auth.models import AnonymousUser

    assert not RankingFact.objects.visible_to(AnonymousUser()).exists()
    assert not RankingEmployerFact.objects.visible_to(AnonymousUser()).exists()


# --- concurrency (PostgreSQL): a writer's marker is never lost to a refresh --------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_refresh_skips_the_marker_of_an_uncommitted_change(persona):
    """A writer holds its marker's lock until it commits; a refresh meanwhile must neither
    wait for it nor rebuild from the old data and drop the marker."""
    _world(persona, seed=2, inspections=3)
    facts.refresh()
    inspection = Inspection.objects.filter(status="performed").order_by("pk").first()
    actor = persona("av", "coordinator")
    changed, go_on, result = threading.Event(), threading.Event(), {}

    def writer():
        try:
            with transaction.atomic():
                Finding.objects.create(
                    inspection=inspection,
                    agency=inspection.coordinating_agency,
                    category="arbetsmiljobrist",
                    severity="high",
                    created_by=actor,
                )
                changed.set()
                go_on.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    assert changed.wait(10)
    result["refreshed"] = facts.refresh()  # does not block on the writer's lock
    go_on.set()
    thread.join(10)
    assert result["refreshed"] == 0
    assert RankingStale.objects.filter(inspection_id=inspection.pk).exists()
    assert facts.refresh() == 1
    user = persona(inspection.coordinating_agency.code, "coordinator")
    _assert_facts_agree(user)


def test_the_minute_task_and_the_command_bring_the_facts_up_to_date(persona):
    from io import StringIO

    from django.core.management import call_command

    from inspections.tasks import refresh_ranking_facts

    _world(persona, seed=9, inspections=5)
    assert refresh_ranking_facts.delay().get() == 5
    assert not RankingStale.objects.exists()
    before = RankingFact.objects.count()
    RankingFact.objects.all().delete()
    out = StringIO()
    call_command("ranking_facts", "--rebuild", stdout=out)
    assert "for every inspection" in out.getvalue()
    assert RankingFact.objects.count() == before
    Finding.objects.filter(inspection__status="performed").order_by("pk")[:1].get().delete()
    call_command("ranking_facts", stdout=out)
    assert not RankingStale.objects.exists()
    for user in _personas(persona):
        _assert_facts_agree(user)
