"""Every benchmark of docs/performance.md in one command: generate the data, then a, b, c and d.

    .venv/bin/python -m bench.run --scale 0.1            # `make bench`: ~100,000 rows
    .venv/bin/python -m bench.run --scale 1 --db akrim_bench   # `make bench-full`

Each step runs in its own process (clean state; the Lägesbild worker's RSS is its own) and
writes bench/results/<step>.json; the summary goes to bench/results/summary.json.
"""

import argparse
import json
import subprocess
import sys
import time

from bench.common import RESULTS, ROOT


def step(module: str, *args: str) -> float:
    started = time.perf_counter()
    print(f"\n== {module} {' '.join(args)}", flush=True)
    subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, check=True)
    return round(time.perf_counter() - started, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="akrim_bench_small")
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--skip-generate", action="store_true", help="reuse the database")
    args = parser.parse_args()
    seconds = {}
    if not args.skip_generate:
        seconds["generate"] = step("bench.generate", "--db", args.db, "--scale", str(args.scale))
    seconds["access"] = step("bench.access", "--db", args.db, "--repeat", str(args.repeat))
    seconds["lagesbild"] = step("bench.lagesbild", "--db", args.db, "--repeat", str(args.repeat))
    seconds["http"] = step("bench.http", "--db", args.db, "--duration", str(args.duration))
    summary = {"db": args.db, "scale": args.scale, "step_seconds": seconds}
    for name in ("access", "lagesbild", "http"):
        summary[name] = json.loads((RESULTS / f"{name}.json").read_text())
    generated = RESULTS / f"generate-{args.db}.json"
    if generated.exists():
        summary["generate"] = json.loads(generated.read_text())
    (RESULTS / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"\nsteps (s): {seconds}; summary in bench/results/summary.json")


if __name__ == "__main__":
    main()
