"""Benchmark c (docs/performance.md): the Lägesbild figures against one hand-written SQL query.

On a database made by bench.generate, in one run: `reports.figures.compute(year, "network")`
(what the worker runs, inside one REPEATABLE READ snapshot as the build does) against one
hand-written SQL statement computing the same figures; both answers are compared key by key
before anything is timed. Then the whole build as the worker runs it (`manage.py
build_lagesbild YEAR`: figures, suppression, PDF, CSV, XLSX, HTML) in a child process, whose
peak RSS is read from the kernel.

    .venv/bin/python -m bench.lagesbild --db akrim_bench --year 2025 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date

from bench.common import HOST, ROOT, median_ms, ratio, report, setup


def hand_written_sql() -> str:
    from inspections.models import IndustryRisk
    from network.sni import SECTIONS

    section = " ".join(
        "WHEN substr(sni, 1, 2) IN ({}) THEN '{}'".format(
            ", ".join(f"'{d:02d}'" for d in range(first, last + 1)), letter
        )
        for first, last, letter in SECTIONS
    )
    # The risk table as it stands: the most specific prefix wins.
    prefixes = sorted(
        ((prefix, row.key) for row in IndustryRisk.objects.all() for prefix in row.sni_prefixes),
        key=lambda item: (-len(item[0]), item[0]),
    )
    risk = " ".join(f"WHEN sni LIKE '{p}%%' THEN '{key}'" for p, key in prefixes)
    return f"""
WITH base AS MATERIALIZED (
    SELECT i.id, i.persons_checked, i.performed_on, i.operation_id, o.reference AS operation,
           w.sni, c.code AS county,
           c.id AS county_id,
           coalesce(nullif(i.selection_basis, ''), o.selection_basis) AS basis,
           EXISTS (SELECT 1 FROM inspections_finding f WHERE f.inspection_id = i.id) AS found
    FROM inspections_inspection i
    JOIN inspections_workplace w ON w.id = i.workplace_id
    JOIN network_county c ON c.id = w.county_id
    LEFT JOIN inspections_controloperation o ON o.id = i.operation_id
    WHERE i.performed_on >= %(start)s AND i.performed_on < %(end)s
), fnd AS MATERIALIZED (
    SELECT f.id, f.inspection_id, a.code AS agency, f.category, f.employer_id
    FROM inspections_finding f
    JOIN base b ON b.id = f.inspection_id
    JOIN network_agency a ON a.id = f.agency_id
), dec AS MATERIALIZED (
    SELECT d.type, d.amount_sek, d.law, fnd.employer_id FROM inspections_decision d
    JOIN fnd ON fnd.id = d.finding_id
    WHERE d.status IN ('decided', 'appealed', 'final', 'paid')
), met AS MATERIALIZED (
    SELECT ie.employer_id, b.operation_id FROM inspections_inspectionemployer ie
    JOIN base b ON b.id = ie.inspection_id
), ppl AS MATERIALIZED (
    SELECT p.inspection_id, p.right_to_work, p.count, a.code AS agency,
           coalesce(nullif(p.nationality, ''), 'unknown') AS land
    FROM inspections_personcount p
    JOIN base b ON b.id = p.inspection_id
    JOIN network_agency a ON a.id = p.agency_id
), centre AS (
    SELECT b.id, b.found, ce.code FROM base b
    JOIN network_centre_counties cc ON cc.county_id = b.county_id
    JOIN network_centre ce ON ce.id = cc.centre_id
)
SELECT json_build_object(
  'employers_controlled', (SELECT count(DISTINCT employer_id) FROM met),
  'employers_with_findings', (SELECT count(DISTINCT employer_id) FROM fnd),
  'employers_with_decision_by_type', (SELECT json_object_agg(k, n) FROM
      (SELECT type k, count(DISTINCT employer_id) n FROM dec
       WHERE employer_id IS NOT NULL GROUP BY 1) x),
  'reports_of_crime_by_law', (SELECT json_object_agg(k, n) FROM
      (SELECT law k, count(*) n FROM dec WHERE type IN ('polisanmalan', 'atalsanmalan')
       AND law <> '' GROUP BY 1) x),
  'persons_counted_total', (SELECT coalesce(sum(count), 0) FROM ppl),
  'persons_checked_by_agency', (SELECT json_object_agg(k, n) FROM
      (SELECT agency k, sum(count) n FROM ppl GROUP BY 1) x),
  'persons_by_right_to_work', (SELECT json_object_agg(k, n) FROM
      (SELECT right_to_work k, sum(count) n FROM ppl GROUP BY 1) x),
  'inspections_with_persons_by_right_to_work', (SELECT json_object_agg(k, n) FROM
      (SELECT right_to_work k, count(DISTINCT inspection_id) n FROM ppl GROUP BY 1) x),
  'persons_by_nationality', (SELECT json_object_agg(k, n) FROM
      (SELECT land k, sum(count) n FROM ppl GROUP BY 1) x),
  'inspections_by_operation', (SELECT json_object_agg(k, json_build_object(
          'inspections', n, 'with_findings', m, 'employers', e)) FROM
      (SELECT b.operation k, count(*) n, count(*) FILTER (WHERE found) m,
              (SELECT count(DISTINCT employer_id) FROM met
               WHERE met.operation_id = b.operation_id) e
       FROM base b WHERE b.operation_id IS NOT NULL GROUP BY b.operation_id, b.operation) x),
  'operations', (SELECT json_object_agg(o.reference, o.title)
      FROM inspections_controloperation o
      WHERE o.id IN (SELECT operation_id FROM base)),
  'published_trend', (SELECT json_object_agg(year::text, value) FROM reports_publishedfigure
      WHERE key = 'inspections_total' AND year <= %(year)s),
  'inspections_total', (SELECT count(*) FROM base),
  'inspections_with_findings', (SELECT count(*) FROM base WHERE found),
  'persons_checked_total', (SELECT coalesce(sum(persons_checked), 0) FROM base),
  'inspections_by_county', (SELECT json_object_agg(k, n) FROM
      (SELECT county k, count(*) n FROM base GROUP BY 1) x),
  'inspections_by_sni_section', (SELECT json_object_agg(k, n) FROM
      (SELECT CASE {section} ELSE '' END k, count(*) n FROM base GROUP BY 1) x WHERE k <> ''),
  'inspections_by_month', (SELECT json_object_agg(k, n) FROM
      (SELECT to_char(performed_on, 'MM') k, count(*) n FROM base GROUP BY 1) x),
  'inspections_by_risk_industry', (SELECT json_object_agg(k, n) FROM
      (SELECT CASE {risk} ELSE 'other' END k, count(*) n FROM base GROUP BY 1) x),
  'inspections_by_centre', (SELECT json_object_agg(k, n) FROM
      (SELECT code k, count(*) n FROM centre GROUP BY 1) x),
  'inspections_with_findings_by_centre', (SELECT json_object_agg(k, n) FROM
      (SELECT code k, count(*) n FROM centre WHERE found GROUP BY 1) x),
  'inspections_by_selection_basis', (SELECT json_object_agg(k, n) FROM
      (SELECT basis k, count(*) n FROM base WHERE basis <> '' GROUP BY 1) x),
  'inspections_with_findings_by_selection_basis', (SELECT json_object_agg(k, n) FROM
      (SELECT basis k, count(*) n FROM base WHERE found AND basis <> '' GROUP BY 1) x),
  'findings_by_agency_category', (SELECT json_object_agg(agency, cats) FROM
      (SELECT agency, json_object_agg(category, n) cats FROM
          (SELECT agency, category, count(*) n FROM fnd GROUP BY 1, 2) y GROUP BY 1) x),
  'decisions_by_type', (SELECT json_object_agg(type, json_build_object(
          'count', n, 'amount_sek', amount)) FROM
      (SELECT d.type, count(*) n, coalesce(sum(d.amount_sek), 0)::float amount
       FROM dec d GROUP BY 1) x),
  'inspections_with_findings_by_agency', (SELECT json_object_agg(agency, json_build_object(
          'inspections', n, 'with_findings', coalesce(m, 0))) FROM
      (SELECT a.code agency, count(*) n FROM inspections_agencyassignment x
       JOIN base b ON b.id = x.inspection_id JOIN network_agency a ON a.id = x.agency_id
       WHERE x.status = 'accepted' GROUP BY 1) p
      LEFT JOIN (SELECT agency, count(DISTINCT inspection_id) m FROM fnd GROUP BY 1) q
      USING (agency)),
  'inspections_trend', (SELECT json_object_agg(k, n) FROM
      (SELECT extract(year FROM performed_on)::int::text k, count(*) n
       FROM inspections_inspection WHERE performed_on >= %(trend_start)s
       AND performed_on < %(end)s GROUP BY 1) x),
  'referrals_total', (SELECT count(*) FROM cases_victimreferral
      WHERE created_at >= %(start_at)s AND created_at < %(end_at)s),
  'tips_by_outcome', (SELECT json_object_agg(k, n) FROM
      (SELECT outcome k, count(*) n FROM cases_tip WHERE received_at >= %(start_at)s
       AND received_at < %(end_at)s AND outcome <> '' GROUP BY 1) x)
)
"""


# Every key of the figures contract (docs/reports.md), version 1 and 2: each must come out
# equal from the build and from the SQL below, or the benchmark stops.
CONTRACT_KEYS = {
    "inspections_total",
    "inspections_by_county",
    "inspections_by_sni_section",
    "inspections_with_findings",
    "findings_by_agency_category",
    "decisions_by_type",
    "persons_checked_total",
    "referrals_total",
    "employers_controlled",
    "employers_with_findings",
    "employers_with_decision_by_type",
    "persons_checked_by_agency",
    "persons_by_right_to_work",
    "inspections_with_persons_by_right_to_work",
    "persons_by_nationality",
    "inspections_by_operation",
    "inspections_trend",
    "change_from_previous_year",
}

CHANGE_KEYS = (
    "inspections_total",
    "inspections_with_findings",
    "employers_controlled",
    "employers_with_findings",
    "persons_checked_total",
    "referrals_total",
)


def _hand_year(connection, year: int) -> dict:
    from datetime import datetime

    from django.utils import timezone

    tz = timezone.get_current_timezone()
    params = {
        "year": year,
        "start": date(year, 1, 1),
        "end": date(year + 1, 1, 1),
        "trend_start": date(2017, 1, 1),
        "start_at": datetime(year, 1, 1, tzinfo=tz),
        "end_at": datetime(year + 1, 1, 1, tzinfo=tz),
    }
    with connection.cursor() as cur:
        cur.execute(hand_written_sql(), params)
        value = cur.fetchone()[0]
    result = value if isinstance(value, dict) else json.loads(value)
    # Empty groupings come back as NULL.
    for key, item in result.items():
        if item is None and key not in ("inspections_total", "referrals_total"):
            result[key] = {}
    return result


def hand_written(connection, year: int) -> dict:
    result = _hand_year(connection, year)
    # Every month, with zeros; the trend: akrim's count where it has one, else the
    # published figure, years with neither absent.
    months = result["inspections_by_month"]
    result["inspections_by_month"] = {f"{m:02d}": months.get(f"{m:02d}", 0) for m in range(1, 13)}
    own, published = result["inspections_trend"], result.pop("published_trend")
    result["inspections_trend"] = {
        y: own[y] if own.get(y) else published[y] for y in sorted({*own, *published})
    }
    result["inspections_trend_source"] = {
        y: "akrim" if own.get(y) else "published" for y in result["inspections_trend"]
    }
    before = _hand_year(connection, year - 1)
    before.pop("published_trend")
    if before["inspections_total"]:
        previous = {k: before[k] for k in CHANGE_KEYS}
    else:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT key, value FROM reports_publishedfigure WHERE year = %s",
                [year - 1],
            )
            previous = {k: v for k, v in cur.fetchall() if k in CHANGE_KEYS}
    result["previous_year_totals"] = previous
    result["change_from_previous_year"] = {
        k: None
        if previous.get(k) in (None, 0)
        else round(100 * (result[k] - previous[k]) / previous[k], 1)
        for k in CHANGE_KEYS
    }
    return result


def compare(computed: dict, hand: dict) -> tuple[list[str], list[str]]:
    """Keys both compute, checked equal; keys only the build computes."""
    same = []
    for key in hand:
        if key not in computed:
            continue
        assert computed[key] == hand[key], f"{key}: {computed[key]!r} != {hand[key]!r}"
        same.append(key)
    return same, sorted(set(computed) - set(hand))


def worker_build(db: str, year: int) -> dict:
    """The build as the worker runs it, in a child process: seconds and peak RSS."""
    env = {**os.environ, "DATABASE_URL": f"{HOST}/{db}"}
    env.pop("REDIS_URL", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", "build_lagesbild", str(year)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = round(time.perf_counter() - started, 1)
    if done.returncode:
        raise SystemExit(f"build_lagesbild failed: {done.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "worker_build_s": seconds,
        "worker_peak_rss_mb": round(peak / 1024, 1),
        "rss_measured": "largest child so far" if peak == before else "this build",
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="akrim_bench")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    setup(args.db)
    from django.db import connection, transaction

    from inspections.models import Inspection
    from reports import figures
    from reports.models import ReportBuild

    def build():
        with transaction.atomic():
            connection.cursor().execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            return figures.compute(args.year, "network")

    computed, hand = build(), hand_written(connection, args.year)
    same, uncovered = compare(computed, hand)
    missing = CONTRACT_KEYS - set(same)
    if missing:
        raise SystemExit(f"contract keys not checked against the SQL: {sorted(missing)}")
    rows = [
        {
            "year": args.year,
            "inspections": Inspection.objects.performed_in(args.year).count(),
            "figures_ms": median_ms(build, args.repeat),
            "hand_written_sql_ms": median_ms(
                lambda: hand_written(connection, args.year), args.repeat
            ),
        }
    ]
    rows[0]["x_hand_sql"] = ratio(rows[0]["figures_ms"], rows[0]["hand_written_sql_ms"])
    # PostgreSQL's JIT (on by default) compiles big plans, which weighs on one large statement
    # more than on many small ones: the same pair with it off, for a fair reading.
    with connection.cursor() as cur:
        cur.execute("SET jit = off")
    rows[0]["figures_jit_off_ms"] = median_ms(build, args.repeat)
    rows[0]["hand_sql_jit_off_ms"] = median_ms(
        lambda: hand_written(connection, args.year), args.repeat
    )
    rows[0]["x_hand_sql_jit_off"] = ratio(
        rows[0]["figures_jit_off_ms"], rows[0]["hand_sql_jit_off_ms"]
    )
    with connection.cursor() as cur:
        cur.execute("RESET jit")
    ReportBuild.objects.filter(year=args.year).delete()
    rows[0].update(worker_build(args.db, args.year))
    return report(
        "lagesbild",
        rows,
        {
            "database": args.db,
            "repeat": args.repeat,
            "keys_checked_equal": same,
            "contract_keys_checked": len(CONTRACT_KEYS),
            "load_average": [round(x, 1) for x in os.getloadavg()],
            "keys_only_in_build": uncovered,
            "targets": "x_hand_sql (and x_hand_sql_jit_off) <= 1.5, worker_peak_rss_mb <= 300",
        },
    )


if __name__ == "__main__":
    main()
