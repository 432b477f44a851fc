"""The risk ranking's facts: `RankingFact` and `RankingEmployerFact`, kept exact.

Why they exist. Ranking a centre means, for each of 100,000 workplaces, what the
coordinator's agency may see there: which inspections (assigned and not declined, or
coordinated), which findings (not secret, its own, or disclosed to it) and which decisions.
Asked per request, that is an assignment probe per inspection and a disclosure probe per
secret finding over the whole centre: 4 s at 100,000 workplaces (docs/performance.md). The
facts hold the answer per (agency, inspection) with the counts the ranking sums, so a
ranking reads one indexed table and adds up.

How they stay exact. Every save or delete of an inspection, assignment, finding, disclosure,
decision, employer met or workplace marks the inspections it touches as stale
(`RankingStale`), in the same transaction, by an upsert that holds the marker's row lock
until that transaction commits. A ranking first rebuilds the stale inspections' facts
(`refresh`), claiming markers with SKIP LOCKED, so it never waits for a writer and never
rebuilds from a change not yet committed: a marker still locked by its writer is taken by
the next ranking. A beat task does the same every minute, so rankings seldom have more than
a few to do. `manage.py ranking_facts --rebuild` rebuilds everything (after a bulk load).

The rules are those of `InspectionPolicy` and `FindingPolicy` (inspections/policies.py),
written here as set-based SQL (one statement for any number of inspections);
tests/inspections/test_ranking_facts.py checks, persona by persona, that the facts give the
same inspections, findings and decisions as the policies decide.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from inspections.models import (
    AgencyAssignment,
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

log = logging.getLogger(__name__)

CHUNK = 2000  # inspections per statement and per refresh transaction (at most)
ADVISORY_LOCK = 7_310_001  # PostgreSQL advisory lock of the fact builders


# --- marking ------------------------------------------------------------------------------


def mark_stale(inspection_ids: Iterable[int]) -> None:
    """Mark inspections for a rebuild of their facts, in the caller's transaction. An upsert
    (not insert-or-ignore): it locks the marker until the change commits, so a refresh
    running meanwhile skips it instead of rebuilding from the old data and dropping it."""
    ids = sorted({i for i in inspection_ids if i is not None})
    if not ids:
        return
    now = timezone.now()
    RankingStale.objects.bulk_create(
        [RankingStale(inspection_id=i, marked_at=now) for i in ids],
        update_conflicts=True,
        unique_fields=["inspection_id"],
        update_fields=["marked_at"],
    )


def _via_finding(finding_id: int) -> list[int]:
    # A maintenance read, not shown to anyone: which inspection a finding belongs to. Gone
    # when the finding is deleted with it; the finding's own signal marks that inspection.
    return list(Finding.objects.filter(pk=finding_id).values_list("inspection_id", flat=True))


def _inspections_of(sender, instance) -> list[int]:
    if sender is Inspection:
        return [instance.pk]
    if sender in (AgencyAssignment, Finding, InspectionEmployer):
        return [instance.inspection_id]
    if sender in (FindingDisclosure, Decision):
        return _via_finding(instance.finding_id)
    if sender is Workplace:  # its county and SNI code are copied into the facts
        return list(
            Inspection.objects.filter(workplace_id=instance.pk).values_list("pk", flat=True)
        )
    return []


def _changed(sender, instance, **kwargs):
    mark_stale(_inspections_of(sender, instance))


WATCHED = (
    Inspection,
    AgencyAssignment,
    Finding,
    FindingDisclosure,
    Decision,
    InspectionEmployer,
    Workplace,
)


def _employers_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """`inspection.employers.add()` and friends write the through rows with bulk_create and
    a bulk delete: no post_save or post_delete, so the m2m signal marks instead."""
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if not reverse:
        mark_stale([instance.pk])
    elif action == "pre_clear":
        mark_stale(
            InspectionEmployer.objects.filter(employer=instance).values_list(
                "inspection_id", flat=True
            )
        )
    else:
        mark_stale(pk_set or ())


def connect() -> None:
    for model in WATCHED:
        uid = f"ranking-facts-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + "-delete")
    m2m_changed.connect(
        _employers_changed, sender=Inspection.employers.through, dispatch_uid="ranking-facts-m2m"
    )


# --- building -----------------------------------------------------------------------------


def _tables() -> dict[str, str]:
    models = (*WATCHED, RankingFact, RankingEmployerFact)
    return {m.__name__: m._meta.db_table for m in models}


def _statements(in_clause: str | None) -> list[str]:
    """Delete and insert the facts of the inspections `in_clause` selects (an SQL fragment,
    "IN (%s, ...)"; None: all). The delete goes by the facts' own column, so facts of
    inspections that are gone go too. Portable SQL: it runs on PostgreSQL and on the embedded SQLite alike."""
    t = _tables()
    where = f"i.id {in_clause}" if in_clause else "1 = 1"
    target = f" WHERE inspection_id {in_clause}" if in_clause else ""
    scope = f"""
    scope AS (
        SELECT inspection_id, agency_id, MAX(assigned) AS assigned,
               MAX(coordinating) AS coordinating
        FROM (
            SELECT a.inspection_id, a.agency_id, 1 AS assigned, 0 AS coordinating
            FROM {t["AgencyAssignment"]} a JOIN {t["Inspection"]} i ON i.id = a.inspection_id
            WHERE a.status <> 'declined' AND {where}
            UNION ALL
            SELECT i.id, i.coordinating_agency_id, 0, 1 FROM {t["Inspection"]} i WHERE {where}
        ) x
        GROUP BY inspection_id, agency_id
    ),
    readable AS (
        SELECT s.agency_id, s.inspection_id, f.id AS finding_id, f.severity, f.employer_id
        FROM scope s JOIN {t["Finding"]} f ON f.inspection_id = s.inspection_id
        WHERE f.secret = FALSE OR f.agency_id = s.agency_id OR EXISTS (
            SELECT 1 FROM {t["FindingDisclosure"]} d
            WHERE d.finding_id = f.id AND d.agency_id = s.agency_id
        )
    )"""
    return [
        f"DELETE FROM {t['RankingFact']}{target}",
        f"DELETE FROM {t['RankingEmployerFact']}{target}",
        f"""
        INSERT INTO {t["RankingFact"]} (agency_id, inspection_id, workplace_id, county_id, sni,
            assigned, coordinating, status, planned_date, performed_on,
            n_high, n_medium, n_low, n_decisions, n_joint)
        WITH {scope},
        counted AS (
            SELECT agency_id, inspection_id,
                   SUM(CASE WHEN severity = 'high' THEN 1 ELSE 0 END) AS n_high,
                   SUM(CASE WHEN severity = 'medium' THEN 1 ELSE 0 END) AS n_medium,
                   SUM(CASE WHEN severity IN ('high', 'medium') THEN 0 ELSE 1 END) AS n_low
            FROM readable GROUP BY agency_id, inspection_id
        ),
        decided AS (
            SELECT r.agency_id, r.inspection_id, COUNT(*) AS n
            FROM readable r JOIN {t["Decision"]} x ON x.finding_id = r.finding_id
            GROUP BY r.agency_id, r.inspection_id
        ),
        joint AS (
            SELECT i.id AS inspection_id, COUNT(*) AS n
            FROM {t["Inspection"]} i JOIN {t["Finding"]} f ON f.inspection_id = i.id
            WHERE {where} AND i.operation_id IS NOT NULL AND f.secret = FALSE
            GROUP BY i.id
        )
        SELECT s.agency_id, i.id, i.workplace_id, w.county_id, w.sni,
               s.assigned = 1, s.coordinating = 1, i.status, i.planned_date, i.performed_on,
               COALESCE(c.n_high, 0), COALESCE(c.n_medium, 0), COALESCE(c.n_low, 0),
               COALESCE(d.n, 0), COALESCE(j.n, 0)
        FROM scope s
        JOIN {t["Inspection"]} i ON i.id = s.inspection_id
        JOIN {t["Workplace"]} w ON w.id = i.workplace_id
        LEFT JOIN counted c ON c.agency_id = s.agency_id AND c.inspection_id = s.inspection_id
        LEFT JOIN decided d ON d.agency_id = s.agency_id AND d.inspection_id = s.inspection_id
        LEFT JOIN joint j ON j.inspection_id = s.inspection_id
        UNION ALL
        SELECT NULL, i.id, i.workplace_id, w.county_id, w.sni, FALSE, FALSE, i.status,
               i.planned_date, i.performed_on, 0, 0, 0, 0, j.n
        FROM joint j
        JOIN {t["Inspection"]} i ON i.id = j.inspection_id
        JOIN {t["Workplace"]} w ON w.id = i.workplace_id
        """,
        f"""
        INSERT INTO {t["RankingEmployerFact"]} (agency_id, inspection_id, employer_id,
            workplace_id, county_id, assigned, coordinating, performed_on, has_findings)
        WITH {scope},
        with_findings AS (
            SELECT DISTINCT agency_id, inspection_id, employer_id FROM readable
            WHERE employer_id IS NOT NULL
        ),
        site_findings AS (
            SELECT DISTINCT agency_id, inspection_id FROM readable WHERE employer_id IS NULL
        )
        SELECT s.agency_id, i.id, ie.employer_id, i.workplace_id, w.county_id,
               s.assigned = 1, s.coordinating = 1, i.performed_on,
               (named.inspection_id IS NOT NULL OR site.inspection_id IS NOT NULL)
        FROM scope s
        JOIN {t["Inspection"]} i ON i.id = s.inspection_id
        JOIN {t["Workplace"]} w ON w.id = i.workplace_id
        JOIN {t["InspectionEmployer"]} ie ON ie.inspection_id = i.id
        LEFT JOIN with_findings named ON named.agency_id = s.agency_id
            AND named.inspection_id = s.inspection_id AND named.employer_id = ie.employer_id
        LEFT JOIN site_findings site ON site.agency_id = s.agency_id
            AND site.inspection_id = s.inspection_id
        """,
    ]


def _chunk() -> int:
    """Inspections per statement: the id list appears three times in the longest one."""
    limit = connection.features.max_query_params
    return min(CHUNK, limit // 3) if limit else CHUNK


def _build(ids: list[int] | None) -> None:
    """Rebuild the facts of these inspections (None: of every inspection)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Whole-table hashes and sorts in memory, not in batches on disk (transaction only).
            cursor.execute("SET LOCAL work_mem = '128MB'")
        if ids is None:
            for sql in _statements(None):
                cursor.execute(sql)
            return
        size = _chunk()
        for start in range(0, len(ids), size):
            chunk = ids[start : start + size]
            in_list = f"IN ({', '.join(['%s'] * len(chunk))})"
            for sql in _statements(in_list):
                cursor.execute(sql, chunk * sql.count(in_list))


def _one_builder_at_a_time() -> None:
    """Refreshes and rebuilds take turns (PostgreSQL; SQLite has one writer anyway): a
    ranking waits for a refresh in progress rather than read the facts it is replacing, and
    a refresh never inserts beside a rebuild. Writers never take this lock: a builder never
    waits for a marker (SKIP LOCKED), so no writer waits for a builder's lock either."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])


def refresh(limit: int | None = None) -> int:
    """Rebuild the facts of the stale inspections that no writer holds; returns how many.
    In batches, each its own transaction (or savepoint of the caller's): the claimed markers
    and the new facts commit together, a failure leaves its batch's markers for the next
    run, and a long refresh (after a migration) keeps what it has done."""
    done = 0
    while limit is None or done < limit:
        size = _chunk() if limit is None else min(_chunk(), limit - done)
        with transaction.atomic():
            _one_builder_at_a_time()
            claimed = RankingStale.objects.select_for_update(skip_locked=True).order_by(
                "inspection_id"
            )
            ids = list(claimed.values_list("inspection_id", flat=True)[:size])
            if not ids:
                break
            _build(ids)
            RankingStale.objects.filter(inspection_id__in=ids).delete()
        done += len(ids)
    if done:
        log.info("ranking facts rebuilt for %s inspections", done)
    return done


def rebuild() -> int:
    """Every inspection's facts from scratch (after a bulk load, or to repair); the markers
    present when it starts are cleared with it. Returns the number of fact rows."""
    with transaction.atomic():
        _one_builder_at_a_time()
        RankingStale.objects.all().delete()  # first: the build then sees what they marked
        _build(None)
        return RankingFact.objects.count()
