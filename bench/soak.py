"""Soak test (docs/performance.md): gunicorn with two workers, as the Docker image runs it, under a
steady moderate load for N minutes against PostgreSQL with the demo data, while the RSS of each
web worker is sampled. Pass: zero errors and no memory growth after warm-up.

    .venv/bin/python -m bench.soak --minutes 10 [--clients 4] [--db akrim_soak]

It (re)creates the database `--db` on DATABASE_SERVER (default postgres://postgres@127.0.0.1:5432),
migrates it, loads `seed_demo`, collects static files into a temporary directory, starts
`gunicorn config.wsgi:application --workers 2` with DEBUG=false, and runs `--clients` threads,
each looping over a mix of pages and API calls as logged-in demo users (sessions and tokens made
beforehand), with a short pause between requests. One in ten iterations writes (a new case
through the API, then its detail). Every answer that is not the expected status, and every
connection error, counts as an error.

RSS of both workers is read from /proc every 5 s. Growth is the difference between the median
RSS of the first minute after warm-up and of the last minute, and the slope of a least-squares
line over all samples after warm-up. Results (JSON) go to bench/results/soak-<time>.json.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = Path(sys.executable)
BIN = PYTHON.parent

_LOGINS = """
import json
from django.apps import apps
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from network.tokens import issue_token
from cases.coordination.models import Case
from network.models import User
out = {"users": {}, "cases": {}}
for name in ["skv.staff", "polis.staff", "migr.staff", "fk.staff"]:
    user = User.objects.get(username=name)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "network.backends.MembershipModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if apps.is_installed("django_otp"):  # a session that passed the second factor
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.set_expiry(24 * 3600)
    session.create()
    token = issue_token(user, two_factor=True, actor=None)
    visible = list(Case.objects.visible_to(user).values_list("pk", flat=True)[:50])
    out["users"][name] = {"session": session.session_key, "token": token}
    out["cases"][name] = visible
print("LOGINS " + json.dumps(out))
"""


def run(command, env, timeout=1800):
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        sys.exit(f"{' '.join(map(str, command))} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def prepare(args, env) -> dict:
    server = args.server.rstrip("/")
    psql = [shutil.which("psql") or "psql", f"{server}/postgres", "-qc"]
    run([*psql, f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)'], env)
    run([*psql, f'CREATE DATABASE "{args.db}"'], env)
    manage = [str(PYTHON), "manage.py"]
    t = time.monotonic()
    run([*manage, "migrate", "--noinput", "-v0"], env)
    run([*manage, "seed_demo", "--quiet"], env)
    ignore = ["-i", "admin", "-i", "drf_spectacular_sidecar", "-i", "rest_framework"]
    run([*manage, "collectstatic", "--noinput", "-v0", *ignore], env)
    print(f"database {args.db} seeded in {time.monotonic() - t:.0f} s", flush=True)
    output = run([*manage, "shell", "-c", _LOGINS], env)
    return json.loads(next(x for x in output.splitlines() if x.startswith("LOGINS "))[7:])


def worker_pids(master: int) -> list[int]:
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    return sorted(int(pid) for pid in children)


def rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect (to the login or two-factor page) is an answer to count, not to follow."""

    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


class Load:
    """Client threads: each request is (method, path, headers, body, expected statuses)."""

    def __init__(self, base: str, logins: dict, seed: int):
        self.base, self.logins = base, logins
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.requests, self.errors, self.latencies = 0, [], []
        self.by_path: dict[str, int] = {}

    def plan(self, rng: random.Random) -> list[tuple]:
        name = rng.choice(sorted(self.logins["users"]))
        user = self.logins["users"][name]
        browser = {"Cookie": f"sessionid={user['session']}"}
        api = {"Authorization": f"Token {user['token']}", "Accept": "application/json"}
        cases = self.logins["cases"][name]
        steps = [
            ("GET", "/", browser, None, {200}),
            ("GET", "/arenden/", browser, None, {200}),
            ("GET", "/kontroller/", browser, None, {200}),
            ("GET", "/api/v1/cases/", api, None, {200}),
            ("GET", "/api/v1/inspections/", api, None, {200}),
            ("GET", "/api/v1/me/", api, None, {200}),
            ("GET", "/health/", {}, None, {200}),
            ("GET", "/static/css/akrim.css", {}, None, {200}),
        ]
        if cases:
            case = rng.choice(cases)
            steps.append(("GET", f"/arenden/{case}/", browser, None, {200}))
            steps.append(("GET", f"/api/v1/cases/{case}/", api, None, {200}))
        if rng.random() < 0.1:
            body = json.dumps({"title": f"Soak {rng.randrange(10**9)}", "summary": "Belastning"})
            steps.append(
                ("POST", "/api/v1/cases/", {**api, "Content-Type": "application/json"}, body, {201})
            )
        rng.shuffle(steps)
        return steps

    def call(self, method, path, headers, body, expected):
        request = urllib.request.Request(
            self.base + path, data=body.encode() if body else None, headers=headers, method=method
        )
        started = time.perf_counter()
        try:
            with _OPENER.open(request, timeout=60) as response:
                status = response.status
                response.read()
        except urllib.error.HTTPError as error:
            status = error.code
            error.read()
        except OSError as error:
            status = f"{type(error).__name__}: {error}"
        elapsed = time.perf_counter() - started
        key = re.sub(r"/\d+/", "/<id>/", path)
        with self.lock:
            self.requests += 1
            self.latencies.append(elapsed)
            self.by_path[f"{method} {key}"] = self.by_path.get(f"{method} {key}", 0) + 1
            if status not in expected:
                self.errors.append(
                    {"at": time.time(), "request": f"{method} {path}", "got": status}
                )

    def client(self, index: int, until: float, pause: float):
        rng = random.Random(index * 7919 + 1)
        while time.monotonic() < until:
            for step in self.plan(rng):
                if time.monotonic() >= until:
                    return
                self.call(*step)
                time.sleep(pause)


def slope_mb_per_minute(samples: list[tuple[float, float]]) -> float:
    if len(samples) < 3:
        return 0.0
    xs = [t / 60 for t, _ in samples]
    ys = [v for _, v in samples]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=1, help="minutes not counted for growth")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--pause", type=float, default=0.05, help="seconds between requests")
    parser.add_argument("--db", default="akrim_soak")
    parser.add_argument(
        "--server", default=os.environ.get("DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    static_root = Path(tempfile.mkdtemp(prefix="akrim-soak-static-"))
    var_dir = Path(tempfile.mkdtemp(prefix="akrim-soak-var-"))
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DEBUG="false",
        SECRET_KEY="soak-test-only-" + "s" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"{args.server.rstrip('/')}/{args.db}",
        AKRIM_STATIC_ROOT=str(static_root),
        AKRIM_VAR_DIR=str(var_dir),
        AKRIM_FAST_PASSWORD_HASHER="true",
        LOG_LEVEL="WARNING",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    logins = prepare(args, env)

    port = args.port or _free_port()
    log = open(var_dir / "gunicorn.log", "w")  # noqa: SIM115 (lives as long as the server)
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--no-control-socket", "--worker-tmp-dir", tempfile.gettempdir()],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base)
        workers = worker_pids(server.pid)
        load = Load(base, logins, seed=1)
        started = time.monotonic()
        until = started + args.minutes * 60
        threads = [
            threading.Thread(target=load.client, args=(i, until, args.pause), daemon=True)
            for i in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        samples: dict[int, list[tuple[float, float]]] = {pid: [] for pid in workers}
        restarts = 0
        while time.monotonic() < until:
            now = time.monotonic() - started
            current = worker_pids(server.pid)
            if current != workers:
                restarts += 1
                for pid in current:
                    samples.setdefault(pid, [])
                workers = current
            for pid in workers:
                if (mb := rss_mb(pid)) is not None:
                    samples[pid].append((now, mb))
            done = len(load.latencies)
            if int(now) % 60 < 5:
                print(f"  {now / 60:4.1f} min: {done} requests, {len(load.errors)} errors, RSS "
                      + ", ".join(f"{s[-1][1]:.1f} MB" for s in samples.values() if s), flush=True)  # fmt: skip
            time.sleep(5)
        for thread in threads:
            thread.join(timeout=90)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
        server_log = (var_dir / "gunicorn.log").read_text(errors="replace")
        shutil.rmtree(static_root, ignore_errors=True)
        shutil.rmtree(var_dir, ignore_errors=True)
        if not args.keep_db:
            subprocess.run(
                ["psql", f"{args.server.rstrip('/')}/postgres", "-qc",
                 f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)'],
                env=env, capture_output=True,
            )  # fmt: skip

    warm = args.warmup * 60
    per_worker = {}
    for pid, series in samples.items():
        after = [(t, v) for t, v in series if t >= warm]
        if len(after) < 4:
            continue
        first = [v for t, v in after if t < warm + 60]
        last = [v for t, v in after if t >= after[-1][0] - 60]
        per_worker[pid] = {
            "rss_start_mb": round(series[0][1], 1),
            "rss_after_warmup_mb": round(statistics.median(first), 1),
            "rss_end_mb": round(statistics.median(last), 1),
            "rss_max_mb": round(max(v for _, v in series), 1),
            "growth_mb": round(statistics.median(last) - statistics.median(first), 1),
            "slope_mb_per_min": round(slope_mb_per_minute(after), 3),
            "samples": len(series),
        }
    latencies = sorted(load.latencies)
    result = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "minutes": args.minutes,
        "clients": args.clients,
        "pause_s": args.pause,
        "requests": load.requests,
        "requests_per_s": round(load.requests / (args.minutes * 60), 1),
        "errors": len(load.errors),
        "first_errors": load.errors[:10],
        "latency_ms": {
            "p50": round(1000 * latencies[len(latencies) // 2], 1) if latencies else None,
            "p95": round(1000 * latencies[int(len(latencies) * 0.95)], 1) if latencies else None,
            "max": round(1000 * latencies[-1], 1) if latencies else None,
        },
        "worker_restarts": restarts,
        "workers": per_worker,
        "by_request": dict(sorted(load.by_path.items())),
        "server_errors_logged": server_log.count("Traceback"),
    }
    out = ROOT / "bench" / "results" / f"soak-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "by_request"}, indent=2))
    print(f"written to {out}")
    growing = [w for w in per_worker.values() if w["growth_mb"] > 10 or w["slope_mb_per_min"] > 1]
    return 0 if not load.errors and not growing and not restarts and per_worker else 1


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/health/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit("gunicorn did not answer within 60 s")


if __name__ == "__main__":
    sys.exit(main())
