"""Benchmark d (docs/performance.md): the case list API under load, against a trivial endpoint.

gunicorn with 2 sync workers (production settings: DEBUG off) serves the benchmark database;
wrk (Debian's package, installed here with apt-get when missing) sends requests with a staff
user's token for `--duration` seconds over `--connections` connections, first to the trivial
authenticated endpoint `/api/v1/me/`, then to the first page of `/api/v1/cases/`. Only
loopback traffic, bounded in time. Reported per endpoint: requests per second, errors
(socket errors, timeouts and non-2xx answers), p50 and p99 latency; and the ratios the
targets speak of.

    .venv/bin/python -m bench.http --db akrim_bench --duration 30 --connections 50
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.common import HOST, ROOT, ratio, report, setup

LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, '
    .. '"status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    print("installing wrk (Debian package)...", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk") or sys.exit("wrk is not available")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, token: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {url}")


def run_wrk(wrk: str, url: str, token: str, args, script: Path) -> dict:
    command = [
        wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--timeout",
        "10s",
        "-H",
        f"Authorization: Token {token}",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=args.duration + 60)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no summary: {done.stdout}\n{done.stderr}")
    data = json.loads(line.removeprefix("WRKJSON "))
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "rps": round(data["requests"] / (data["duration_us"] / 1e6), 1),
        "requests": data["requests"],
        "errors": errors,
        "p50_ms": round(data["p50_us"] / 1000, 1),
        "p99_ms": round(data["p99_us"] / 1000, 1),
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="akrim_bench")
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--agency", default="skv")
    args = parser.parse_args(argv)
    setup(args.db)
    from rest_framework.authtoken.models import Token

    from bench.access import pick_user

    wrk = ensure_wrk()
    user = pick_user(args.agency, "staff")
    token = Token.objects.get_or_create(user=user)[0].key
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"{HOST}/{args.db}",
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + os.urandom(24).hex(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
    }
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi:application",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        wait_until_up(f"{base}/api/v1/me/", token)
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "summary.lua"
            script.write_text(LUA)
            for name, path in [
                ("trivial /api/v1/me/", "/api/v1/me/"),
                ("case list", "/api/v1/cases/"),
            ]:
                # A short warm-up, then the measured run.
                warm = argparse.Namespace(**{**vars(args), "duration": 3})
                run_wrk(wrk, base + path, token, warm, script)
                rows.append({"endpoint": name, **run_wrk(wrk, base + path, token, args, script)})
    finally:
        server.terminate()
        server.wait(timeout=30)
    trivial, cases = rows
    for row in rows:
        row["p99_x_p50"] = ratio(row["p99_ms"], row["p50_ms"])
    return report(
        "http",
        rows,
        {
            "database": args.db,
            "user": user.username,
            "gunicorn_workers": args.workers,
            "connections": args.connections,
            "duration_s": args.duration,
            "case_list_share_of_trivial_rps": ratio(cases["rps"], trivial["rps"]),
            "targets": "case list rps >= 0.5 x trivial, errors 0, p99 <= 5 x p50",
        },
    )


if __name__ == "__main__":
    main()
