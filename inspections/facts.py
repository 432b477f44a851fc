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

The rules are those of `InspectionQuerySet.visible_to` and `FindingQuerySet.readable_by`,
written here as set-based SQL (one statement for any number of inspections);
tests/inspections/test_ranking_facts.py checks, persona by persona, that the facts give the
same inspections, findings and decisions as those querysets.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
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

CHUNK = 2000  # inspections per statement: within every database's parameter limit


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


def connect() -> None:
    for model in WATCHED:
        uid = f"ranking-facts-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + "-delete")


# --- building -----------------------------------------------------------------------------


def _tables() -> dict[str, str]:
    models = (*WATCHED, RankingFact, RankingEmployerFact)
    return {m.__name__: m._meta.db_table for m in models}


def _statements(where: str) -> list[str]:
    """Delete and insert the facts of the inspections `where` selects (a condition on the
    alias `i`). Portable SQL: it runs on PostgreSQL and on the embedded SQLite alike."""
    t = _tables()
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
        SELECT s.agency_id, s.inspection_id, f.id AS finding_id, f.severity
        FROM scope s JOIN {t["Finding"]} f ON f.inspection_id = s.inspection_id
        WHERE f.secret = FALSE OR f.agency_id = s.agency_id OR EXISTS (
            SELECT 1 FROM {t["FindingDisclosure"]} d
            WHERE d.finding_id = f.id AND d.agency_id = s.agency_id
        )
    )"""
    return [
        f"DELETE FROM {t['RankingFact']} WHERE inspection_id IN "
        f"(SELECT i.id FROM {t['Inspection']} i WHERE {where})",
        f"DELETE FROM {t['RankingEmployerFact']} WHERE inspection_id IN "
        f"(SELECT i.id FROM {t['Inspection']} i WHERE {where})",
        f"""
        INSERT INTO {t["RankingFact"]} (agency_id, inspection_id, workplace_id, county_id, sni,
            assigned, coordinating, status, planned_date, performed_on,
            n_high, n_medium, n_low, n_decisions, n_joint)
        WITH {scope},
        counted AS (
            SELECT agency_id, inspection_id,
                   SUM(CASE WHEN severity = 'high' THEN 1 ELSE 0 END) AS n_high,
                   SUM(CASE WHEN severity = 'medium' THEN 1 ELSE 0 END) AS n_medium,
                   SUM(CASE WHEN severity = 'low' THEN 1 ELSE 0 END) AS n_low
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
        with_findings AS (SELECT DISTINCT agency_id, inspection_id FROM readable)
        SELECT s.agency_id, i.id, ie.employer_id, i.workplace_id, w.county_id,
               s.assigned = 1, s.coordinating = 1, i.performed_on,
               CASE WHEN h.inspection_id IS NULL THEN FALSE ELSE TRUE END
        FROM scope s
        JOIN {t["Inspection"]} i ON i.id = s.inspection_id
        JOIN {t["Workplace"]} w ON w.id = i.workplace_id
        JOIN {t["InspectionEmployer"]} ie ON ie.inspection_id = i.id
        LEFT JOIN with_findings h
            ON h.agency_id = s.agency_id AND h.inspection_id = s.inspection_id
        """,
    ]


def _build(ids: list[int] | None) -> None:
    """Rebuild the facts of these inspections (None: of every inspection)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Whole-table hashes and sorts in memory, not in batches on disk (transaction only).
            cursor.execute("SET LOCAL work_mem = '128MB'")
        if ids is None:
            for sql in _statements("1 = 1"):
                cursor.execute(sql)
            return
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            where = f"i.id IN ({', '.join(['%s'] * len(chunk))})"
            for sql in _statements(where):
                cursor.execute(sql, chunk * sql.count(where))


def refresh(limit: int | None = None) -> int:
    """Rebuild the facts of the stale inspections that no writer holds; returns how many.
    Runs in its own transaction (or the caller's): the claimed markers and the new facts
    commit together, so a failure leaves the markers for the next run."""
    with transaction.atomic():
        claimed = RankingStale.objects.select_for_update(skip_locked=True).order_by("inspection_id")
        ids = list(claimed.values_list("inspection_id", flat=True)[:limit])
        if not ids:
            return 0
        _build(ids)
        for start in range(0, len(ids), CHUNK):
            RankingStale.objects.filter(inspection_id__in=ids[start : start + CHUNK]).delete()
    log.info("ranking facts rebuilt for %s inspections", len(ids))
    return len(ids)


def rebuild() -> int:
    """Every inspection's facts from scratch (after a bulk load, or to repair); the markers
    present when it starts are cleared with it. Returns the number of fact rows."""
    with transaction.atomic():
        RankingStale.objects.all().delete()  # first: the build then sees what they marked
        _build(None)
        return RankingFact.objects.count()
