"""Benchmark: the Lägesbild figures against one hand-written SQL query, in the same run.

Generates a large year of joint controls straight into a PostgreSQL database (bulk inserts,
realistic spread over counties, industries, agencies; 0-6 findings per inspection), then
times `reports.figures.compute` (every figure, many GROUP BYs) against a single hand-written
query computing the headline totals, and reports the ratio. Machines are noisy: medians of
repeated runs, and only the ratio is meant to be compared between machines.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/akrim_bench \\
        .venv/bin/python bench/lagesbild.py --inspections 30000

The database named in DATABASE_URL is created if missing and its akrim tables are emptied.
Results: a table on stdout and bench/results/lagesbild.json.
"""

import argparse
import json
import os
import random
import resource
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

HAND_WRITTEN = """
WITH base AS (
    SELECT i.id, i.persons_checked
    FROM inspections_inspection i
    WHERE i.performed_on >= %(start)s AND i.performed_on < %(end)s
)
SELECT
    (SELECT count(*) FROM base) AS inspections_total,
    (SELECT count(*) FROM base b
        WHERE EXISTS (SELECT 1 FROM inspections_finding f WHERE f.inspection_id = b.id))
        AS inspections_with_findings,
    (SELECT coalesce(sum(persons_checked), 0) FROM base) AS persons_checked_total,
    (SELECT count(*) FROM inspections_finding f JOIN base b ON b.id = f.inspection_id)
        AS findings_total,
    (SELECT count(*) FROM inspections_decision d
        JOIN inspections_finding f ON f.id = d.finding_id
        JOIN base b ON b.id = f.inspection_id) AS decisions_total
"""


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def generate(inspections: int, year: int, seed: int = 7) -> dict:
    """Bulk-load `inspections` performed inspections of `year` with results."""
    from django.db import connection

    from inspections.choices import CATEGORIES_BY_AGENCY
    from inspections.models import (
        AgencyAssignment,
        Decision,
        Finding,
        Inspection,
        InspectionSequence,
        Workplace,
    )
    from network.models import Agency, County, User
    from network.services import create_staff

    rng = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE inspections_decision, inspections_finding, inspections_agencyassignment, "
            "inspections_inspectionemployer, inspections_inspection, inspections_workplace, "
            "inspections_inspectionsequence CASCADE"
        )
    user = User.objects.filter(username="bench.coordinator").first() or create_staff(
        username="bench.coordinator", agency_code="av", roles=["coordinator"], actor=None
    )
    counties = list(County.objects.all())
    agencies = {a.code: a for a in Agency.objects.all()}
    sni = ["41.200", "43.990", "56.100", "81.210", "49.410", "96.020", "45.200", "88.100", "02.100"]
    started = time.perf_counter()
    workplaces = Workplace.objects.bulk_create(
        [
            Workplace(
                name=f"Arbetsställe {n}",
                municipality="0180",
                county=rng.choice(counties),
                sni=rng.choice(sni),
                workplace_type="premises",
            )
            for n in range(inspections)
        ],
        batch_size=5000,
    )
    first = date(year, 1, 1)
    rows = Inspection.objects.bulk_create(
        [
            Inspection(
                reference=f"KO-{year}-{n + 1:06d}",
                workplace=workplace,
                coordinating_agency=agencies["av"],
                planned_date=(day := first + timedelta(days=rng.randint(0, 364))),
                performed_on=day,
                status="documented",
                persons_checked=rng.randint(0, 25),
                created_by=user,
            )
            for n, workplace in enumerate(workplaces)
        ],
        batch_size=5000,
    )
    InspectionSequence.objects.update_or_create(year=year, defaults={"last": inspections})
    assignments, findings = [], []
    for inspection in rows:
        for code in ("av", "skv", "polis") if rng.random() < 0.7 else ("av", "polis"):
            assignments.append(
                AgencyAssignment(
                    inspection=inspection,
                    agency=agencies[code],
                    mode="on_site",
                    status="accepted",
                    assigned_by=user,
                )
            )
            for _ in range(rng.choice([0, 0, 1, 1, 2])):
                findings.append(
                    Finding(
                        inspection=inspection,
                        agency=agencies[code],
                        category=rng.choice(CATEGORIES_BY_AGENCY[code]),
                        created_by=user,
                    )
                )
    AgencyAssignment.objects.bulk_create(assignments, batch_size=10000)
    Finding.objects.bulk_create(findings, batch_size=10000)
    decisions = [
        Decision(
            finding=f,
            agency=f.agency,
            type="kontrollavgift",
            amount_sek=12500,
            decided_on=first,
            created_by=user,
        )
        for f in findings
        if rng.random() < 0.3
    ]
    Decision.objects.bulk_create(decisions, batch_size=10000)
    return {
        "inspections": inspections,
        "findings": len(findings),
        "decisions": len(decisions),
        "assignments": len(assignments),
        "load_seconds": round(time.perf_counter() - started, 1),
    }


def median_ms(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inspections", type=int, default=30000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it is emptied), e.g. .../akrim_bench")
    ensure_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from reports import figures

    call_command("migrate", verbosity=0)
    data = generate(args.inspections, args.year)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    def hand_written():
        with connection.cursor() as cursor:
            cursor.execute(
                HAND_WRITTEN,
                {"start": date(args.year, 1, 1), "end": date(args.year + 1, 1, 1)},
            )
            return cursor.fetchone()

    figures.compute(args.year, "network")  # warm the caches, as a worker would be
    build_ms = median_ms(lambda: figures.compute(args.year, "network"), args.repeat)
    sql_ms = median_ms(hand_written, args.repeat)
    totals = hand_written()
    computed = figures.compute(args.year, "network")
    assert totals[0] == computed["inspections_total"]
    assert totals[1] == computed["inspections_with_findings"]
    assert totals[2] == computed["persons_checked_total"]
    peak_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result = {
        **data,
        "figures_ms": build_ms,
        "hand_written_sql_ms": sql_ms,
        "ratio": round(build_ms / sql_ms, 2) if sql_ms else None,
        "peak_rss_mb": peak_rss_mb,
        "repeat": args.repeat,
    }
    print(f"{'measure':<28}{'value':>12}")
    for key, value in result.items():
        print(f"{key:<28}{value!s:>12}")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "lagesbild.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
