"""What the benchmarks share: Django set-up against a benchmark database, medians, output."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
HOST = "postgres://postgres@127.0.0.1:5432"


def setup(db: str) -> None:
    """Point Django at the benchmark database `db` (made by bench.generate) and set it up."""
    if not db.startswith("akrim_bench"):
        sys.exit("benchmark databases are named akrim_bench*")
    os.environ["DATABASE_URL"] = f"{HOST}/{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def median_ms(function, repeat: int, warm: int = 1, prepare=None) -> float:
    """Median wall time of `function()` in milliseconds over `repeat` runs, after `warm`
    unmeasured runs (a server serves warm caches). With `prepare`, each run times
    `function(prepare())` and `prepare()` itself is not timed."""
    call = (lambda: function(prepare())) if prepare else function
    for _ in range(warm):
        call()
    times = []
    for _ in range(repeat):
        argument = prepare() if prepare else None
        started = time.perf_counter()
        function(argument) if prepare else function()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def report(name: str, rows: list[dict], extra: dict) -> dict:
    """Print `rows` as a table and write them with `extra` to bench/results/<name>.json."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    widths = {c: max(len(c), *(len(str(row.get(c, ""))) for row in rows)) + 2 for c in columns}
    print("".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        print("".join(str(row.get(c, "")).ljust(widths[c]) for c in columns))
    for key, value in extra.items():
        print(f"{key}: {value}")
    result = {**extra, "rows": rows}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    return result
