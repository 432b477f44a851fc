"""The risk ranking's facts (inspections/facts.py) agree with the policies, stay exact after
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

from cases.employers.models import Employer
from inspections import facts, risk
from inspections.models import (
    AgencyAssignment,
    ControlOperation,
    Decision,
    Finding,
    FindingDisclosure,
    IndustryRisk,
    Inspection,
    InspectionEmployer,
    RankingEmployerFact,
    RankingFact,
    RankingStale,
    Workplace,
)
from network.models import Agency, County
from network.policies import decide
from tests.matrix import Row, covers

pytestmark = pytest.mark.django_db

covers(models=["inspections.rankingfact", "inspections.rankingemployerfact"], routes=[])

AGENCIES = ("av", "skv", "polis", "migr")
SEVERITIES = ("high", "medium", "low")


def _operation(agency, actor):
    return ControlOperation.objects.create(
        reference=f"KI-F-{agency.code}",
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
    county, outside = County.objects.get(code="01"), County.objects.get(code="12")
    employers = [
        Employer.objects.create(orgnr=f"55600000{i:02d}", name=f"Firma {i} AB", legal_form="AB")
        for i in range(5)
    ]
    places = [
        Workplace.objects.create(
            name=f"Plats {i}",
            municipality="0180",
            county=county if i < 6 else outside,
            sni=("41.200", "56.100", "62.010")[i % 3],
        )
        for i in range(8)
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
        met = rng.sample(employers, rng.randint(0, 2))
        for employer in met:
            InspectionEmployer.objects.create(inspection=inspection, employer=employer)
        for _ in range(rng.randint(0, 4) if performed else 0):
            finding = Finding.objects.create(
                inspection=inspection,
                agency=agencies[rng.choice(AGENCIES)],
                employer=rng.choice([None, *met]),
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
    """What the policies say (inspections/policies.py), per inspection, for this user: each
    object is asked of `decide`, so the facts' SQL is compared with the rule itself."""
    visible = {i.pk for i in Inspection.objects.all() if decide(user, "view", i)}
    findings = Counter()
    for finding in Finding.objects.select_related("inspection"):
        if decide(user, "view", finding):
            findings[finding.inspection_id, finding.severity] += 1
    decisions = Counter(
        d.finding.inspection_id
        for d in Decision.objects.select_related("finding__inspection")
        if decide(user, "view", d)
    )
    employers = set(
        InspectionEmployer.objects.filter(inspection_id__in=visible).values_list(
            "inspection_id", "employer_id"
        )
    )
    # A finding counts against the employer it names, or against every employer met when
    # it names none (the site as such).
    named = set(Finding.objects.visible_to(user).values_list("inspection_id", "employer_id"))
    with_findings = {(i, e) for (i, e) in employers if (i, e) in named or (i, None) in named}
    return visible, findings, decisions, employers, with_findings


def _assert_facts_agree(user):
    visible, findings, decisions, employers, with_findings = _expected(user)
    rows = RankingFact.objects.visible_to(user)
    assert {r.inspection_id for r in rows} == visible
    assert len(rows) == len(visible)  # one row per inspection and agency
    copied = {
        i.pk: i for i in Inspection.objects.filter(pk__in=visible).select_related("workplace")
    }
    for row in rows:
        for severity in SEVERITIES:
            assert getattr(row, f"n_{severity}") == findings[row.inspection_id, severity], row
        assert row.n_decisions == decisions[row.inspection_id], row
        inspection = copied[row.inspection_id]
        assert (row.workplace_id, row.county_id, row.sni) == (
            inspection.workplace_id,
            inspection.workplace.county_id,
            inspection.workplace.sni,
        ), row
        assert (row.status, row.planned_date, row.performed_on) == (
            inspection.status,
            inspection.planned_date,
            inspection.performed_on,
        ), row
    facts_employers = RankingEmployerFact.objects.visible_to(user)
    assert {(r.inspection_id, r.employer_id) for r in facts_employers} == employers
    for row in facts_employers:
        assert row.has_findings == ((row.inspection_id, row.employer_id) in with_findings), row
        inspection = copied[row.inspection_id]
        assert (row.workplace_id, row.county_id, row.performed_on) == (
            inspection.workplace_id,
            inspection.workplace.county_id,
            inspection.performed_on,
        ), row


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


def test_a_full_rebuild_gives_the_same_facts_as_refreshes_in_small_chunks(persona, monkeypatch):
    _world(persona, seed=11)
    monkeypatch.setattr(facts, "CHUNK", 4)  # many batches and statements of four
    assert facts.refresh() == Inspection.objects.count()

    def snapshot():
        return [
            sorted(model.objects.values_list(*fields), key=str)
            for model, fields in (
                (RankingFact, [f.attname for f in RankingFact._meta.fields if f.name != "id"]),
                (
                    RankingEmployerFact,
                    [f.attname for f in RankingEmployerFact._meta.fields if f.name != "id"],
                ),
            )
        ]

    before = snapshot()
    assert before[0]
    assert before[1]
    facts.rebuild()
    assert snapshot() == before
    for user in _personas(persona):
        _assert_facts_agree(user)


def test_a_refresh_removes_the_facts_of_an_inspection_that_is_gone(persona):
    """Facts have no foreign-key constraints (bulk rebuilds): a refresh deletes by the
    facts' own column, so rows of an inspection deleted behind the ORM's back go too."""
    _world(persona, seed=5, inspections=4)
    facts.refresh()
    row = RankingFact.objects.exclude(agency=None).first()
    RankingFact.objects.create(
        agency_id=row.agency_id,
        inspection_id=999_999,
        workplace_id=row.workplace_id,
        county_id=row.county_id,
        sni=row.sni,
        assigned=True,
        status="performed",
        planned_date=row.planned_date,
    )
    facts.mark_stale([999_999])
    assert facts.refresh() == 1
    assert not RankingFact.objects.filter(inspection_id=999_999).exists()


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
        lambda: inspection.employers.add(employers[3]),  # the m2m: no post_save
        lambda: employers[3].inspections.remove(inspection),
        lambda: _save(inspection, planned_date=date(2024, 2, 2)),
        lambda: _save(inspection, status="planned", performed_on=None),
        lambda: _save(inspection, status="performed", performed_on=date(2024, 2, 3)),
        lambda: _save(inspection, coordinating_agency=Agency.objects.get(code="polis")),
        lambda: Decision.objects.filter(finding=finding).delete(),
        lambda: finding.delete(),
        lambda: _save(inspection.workplace, county=County.objects.get(code="12"), sni="56.100"),
    ]
    for change in changes:
        change()
        facts.refresh()
        for user in users:
            _assert_facts_agree(user)
        _assert_network_rows()
    assert (
        not RankingFact.objects.filter(inspection=inspection)
        .exclude(county__code="12", sni="56.100")
        .exists()
    )


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


# --- the ranking over the facts against the querysets themselves -------------------------


def _oracle(user, request):
    """Every factor's quarter points per workplace, computed in Python from `visible_to`
    (an independent reading of docs/risk.md), for the workplaces the ranking may rank."""
    q = risk.QUARTERS
    as_of = request.start
    one_year, three_years = as_of - timedelta(days=365), as_of - timedelta(days=3 * 365)

    def recency(day):
        return 4 if day >= one_year else 2 if day >= three_years else 1

    counties = set(request.centre.counties.values_list("pk", flat=True))
    visible = [
        i
        for i in Inspection.objects.visible_to(user).select_related("workplace")
        if i.workplace.county_id in counties
    ]
    earlier = {i.pk: i for i in visible if i.performed_on and i.performed_on < as_of}
    points = {}
    for i in visible:
        planned_now = i.status in ("planned", "staffed") and (
            request.start <= i.planned_date <= request.end
        )
        points.setdefault(i.workplace_id, {"planned": False})["planned"] |= planned_now
    findings = [f for f in Finding.objects.visible_to(user) if f.inspection_id in earlier]
    decisions = [d for d in Decision.objects.visible_to(user).select_related("finding")]
    met = InspectionEmployer.objects.filter(inspection__in=[i.pk for i in visible])
    found_at = {}  # employer -> workplaces where the user sees an earlier finding
    # A finding counts against the employer it names, or every employer met if it names none.
    with_findings = {(f.inspection_id, f.employer_id) for f in findings}
    for link in met:
        if {(link.inspection_id, link.employer_id), (link.inspection_id, None)} & with_findings:
            place = earlier[link.inspection_id].workplace_id
            found_at.setdefault(link.employer_id, set()).add(place)
    by_id = {i.pk: i for i in visible}
    joint_all = Counter(
        f.inspection.workplace_id
        for f in Finding.objects.filter(
            secret=False, inspection__operation__isnull=False
        ).select_related("inspection__workplace")
        if f.inspection.workplace.county_id in counties
        and f.inspection.performed_on
        and f.inspection.performed_on < as_of
    )
    result = {}
    for place_id, state in points.items():
        if state["planned"]:
            continue
        place = Workplace.objects.get(pk=place_id)
        if request.prefixes and not any(place.sni.startswith(p) for p in request.prefixes):
            continue
        here = [i for i in earlier.values() if i.workplace_id == place_id]
        industry = risk._weight_row(place.sni, list(IndustryRisk.objects.all()))
        last = max((i.performed_on for i in here), default=None)
        last_control = (
            30
            if last is None or last < three_years
            else 20
            if last < as_of - timedelta(days=730)
            else 10
            if last < one_year
            else 0
        )
        mine = [f for f in findings if earlier[f.inspection_id].workplace_id == place_id]
        decided = [
            d
            for d in decisions
            if d.finding.inspection_id in earlier
            and earlier[d.finding.inspection_id].workplace_id == place_id
        ]
        employers_here = {
            link.employer_id for link in met if by_id[link.inspection_id].workplace_id == place_id
        }
        linked = sum(1 for e in employers_here if found_at.get(e, set()) - {place_id})
        seen_joint = sum(1 for f in mine if not f.secret and earlier[f.inspection_id].operation_id)
        signals = joint_all[place_id] - seen_joint if user.agency.is_network_member else 0
        raw = {
            "industry": (industry.weight if industry else 0) * 10 * q,
            "findings": sum(
                risk.SEVERITY_POINTS.get(f.severity, 5)
                * recency(earlier[f.inspection_id].performed_on)
                for f in mine
            ),
            "decisions": sum(
                risk.DECISION_POINTS * recency(earlier[d.finding.inspection_id].performed_on)
                for d in decided
            ),
            "tips": 0,
            "last_control": last_control * q,
            "linked_employers": linked * risk.LINKED_POINTS * q,
            "signals": signals * risk.SIGNAL_POINTS * q,
        }
        result[place_id] = {k: min(v, risk.CAPS[k] * q) / q for k, v in raw.items()}
    return result


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_ranking_over_the_facts_scores_as_the_querysets_say(persona, seed):
    _world(persona, seed=seed, inspections=40)
    for user in (
        persona("av", "coordinator"),
        persona("skv", "staff"),
        persona("polis", "coordinator"),
    ):
        for period, industries in (
            ("2025-03", ()),
            ("2026-01", ()),
            ("2025-06-01/2025-09-30", ["construction"]),
            ("2028", ()),
        ):
            request = risk.build_request(
                centre="stockholm",
                industries=industries,
                period=period,
                limit=500,
                random_share=0,
                today=date(2025, 1, 1),
            )
            expected = _oracle(user, request)
            ranked = risk.rank(request, user=user)
            got = {c.workplace.pk: {f.key: f.points for f in c.factors} for c in ranked}
            assert got == expected, (user, period)
            for candidate in ranked:
                assert candidate.score == sum(expected[candidate.workplace.pk].values())


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


def _in_thread(work):
    """Run `work` on a connection of its own; returns (thread, result dict)."""
    result = {}

    def run():
        try:
            result["value"] = work()
        except Exception as exc:  # reported by the test's assertions
            result["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_refresh_skips_a_marker_whose_change_is_not_committed(persona):
    """The marker is committed; a writer changes the inspection and upserts the marker in a
    transaction still open. A refresh must neither wait for it nor rebuild from the old data
    and drop the marker: with insert-or-ignore it would do the second, without SKIP LOCKED
    the first."""
    _world(persona, seed=2, inspections=3)
    facts.refresh()
    inspection = Inspection.objects.filter(status="performed").order_by("pk").first()
    facts.mark_stale([inspection.pk])  # committed: an earlier change not yet rebuilt
    actor = persona("av", "coordinator")
    changed, go_on = threading.Event(), threading.Event()

    def write():
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

    writer, _ = _in_thread(write)
    assert changed.wait(10)
    refreshed, result = _in_thread(facts.refresh)
    refreshed.join(5)
    done_before_commit = not refreshed.is_alive()
    go_on.set()
    writer.join(10)
    refreshed.join(10)
    assert done_before_commit
    assert result == {"value": 0}
    assert RankingStale.objects.filter(inspection_id=inspection.pk).exists()
    assert facts.refresh() == 1
    _assert_facts_agree(persona(inspection.coordinating_agency.code, "coordinator"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_ranking_waits_for_a_refresh_in_progress(persona):
    """Two builders take turns: the second does not read (or skip) what the first is
    rebuilding, it waits and then finds nothing left to do."""
    _world(persona, seed=4, inspections=3)
    building, go_on = threading.Event(), threading.Event()

    def slow_refresh():
        with transaction.atomic():
            done = facts.refresh()  # a savepoint: the markers and the lock stay held
            building.set()
            go_on.wait(10)
            return done

    first, first_result = _in_thread(slow_refresh)
    assert building.wait(10)
    second, second_result = _in_thread(facts.refresh)
    second.join(1)
    waited = second.is_alive()
    go_on.set()
    first.join(10)
    second.join(10)
    assert waited
    assert first_result == {"value": 3}
    assert second_result == {"value": 0}
