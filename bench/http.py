"""Benchmark d: the per-request overhead, under load, against the bare limit.

gunicorn with 2 sync workers (production settings: DEBUG off) serves the benchmark database;
wrk (Debian's package, installed here with apt-get when missing) sends requests for
`--duration` seconds over `--connections` connections to, in one run:

1. a bare Django view without middleware or database (bench/bare.py, its own gunicorn with
   the same workers): the limit on this machine at this moment;
   and, for reference, Django's own stack signed in (bench/floor.py: the middleware, session
   store and backend of `django-admin startproject` over akrim's database and Redis, a view
   answering from `request.user`): what any Django view behind a login pays;
2. `/api/v1/me/`, signed in as a staff user (a session, as the browser has, with its second
   factor verified when the user needs one): the whole middleware and authentication stack
   around an endpoint that does nearly nothing;
3. the first page of `/api/v1/cases/` as the same user.

akrim's gunicorn gets Redis as production has it (`--redis-url`, default $REDIS_URL): the
sessions are then read from it (network/sessions.py); without, from the database.

Targets: `/me/` at least half the bare view's requests per second, the case list at least
half of `/me/`'s; no errors; p99 at most 5 x p50. Only loopback traffic, bounded in time.
Reported per endpoint: requests per second, errors (socket errors, timeouts and non-2xx
answers), p50 and p99 latency; and the ratios the targets speak of, met or not.

    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python -m bench.http --db akrim_bench --duration 30
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


def wait_until_up(url: str, headers: dict, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(url, headers=headers)
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {url}")


def run_wrk(wrk: str, url: str, headers: dict, args, script: Path) -> dict:
    command = [
        wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--timeout",
        "10s",
        *[x for name, value in headers.items() for x in ("-H", f"{name}: {value}")],
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


def signed_in(user, backend: str = "network.backends.MembershipModelBackend") -> dict:
    """The headers of a browser session of `user`, second factor verified where needed: the
    session is made as the login and code pages make it (SessionStore, django_otp's key).
    Django's floor (bench/floor.py) gets one of its own, signed in through its `backend`."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY

    from network import twofactor

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if twofactor.needs_two_factor(user):
        device = twofactor.totp_device(user) or twofactor.start_enrolment(user)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"}


def gunicorn(app: str, port: int, workers: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            app,
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )


def verdict(value, target: float) -> str:
    if value is None:
        return "not measured"
    return "met" if value >= target else "NOT MET"


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="akrim_bench")
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--agency", default="skv")
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL", ""),
        help="Redis for akrim's gunicorn, as in production (default: $REDIS_URL; none: the "
        "sessions are read from the database)",
    )
    args = parser.parse_args(argv)
    # The session is signed with the server's SECRET_KEY: this process and gunicorn share one.
    secret = "bench-" + os.urandom(24).hex()
    os.environ["SECRET_KEY"] = secret
    setup(args.db)
    from bench.access import pick_user

    wrk = ensure_wrk()
    user = pick_user(args.agency, "staff")
    headers = signed_in(user)
    floor_headers = signed_in(user, backend="django.contrib.auth.backends.ModelBackend")
    env = {
        **os.environ,
        "DATABASE_URL": f"{HOST}/{args.db}",
        "DEBUG": "false",
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
    }
    # Production has Redis: the sessions are then read from it (network/sessions.py). Without
    # one, akrim runs on its embedded default and reads each session from the database.
    env.pop("REDIS_URL", None)
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    port, bare_port, floor_port = free_port(), free_port(), free_port()
    servers = [
        gunicorn("config.wsgi:application", port, args.workers, env),
        gunicorn("bench.bare:application", bare_port, args.workers, env),
        gunicorn("bench.floor:application", floor_port, args.workers, env),
    ]
    base, bare = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}"
    floor = f"http://127.0.0.1:{floor_port}"
    rows = []
    try:
        wait_until_up(f"{base}/api/v1/me/", headers)
        wait_until_up(f"{bare}/bare/", {})
        wait_until_up(f"{floor}/floor/", floor_headers)
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "summary.lua"
            script.write_text(LUA)
            for name, url, sent in [
                ("bare Django view (limit)", f"{bare}/bare/", {}),
                ("Django's own stack, signed in", f"{floor}/floor/", floor_headers),
                ("/api/v1/me/ (signed in)", f"{base}/api/v1/me/", headers),
                ("case list /api/v1/cases/", f"{base}/api/v1/cases/", headers),
            ]:
                # A short warm-up, then the measured run.
                warm = argparse.Namespace(**{**vars(args), "duration": 3})
                run_wrk(wrk, url, sent, warm, script)
                rows.append({"endpoint": name, **run_wrk(wrk, url, sent, args, script)})
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
    limit, django_floor, me, cases = rows
    for row in rows:
        row["p99_x_p50"] = ratio(row["p99_ms"], row["p50_ms"])
    me_share = ratio(me["rps"], limit["rps"])
    cases_share = ratio(cases["rps"], me["rps"])
    # For reference, not targets: how far Django's own signed-in stack gets from the bare
    # view, and how much of that akrim's /me/ keeps (docs/performance.md).
    floor_share = ratio(django_floor["rps"], limit["rps"])
    me_share_of_floor = ratio(me["rps"], django_floor["rps"])
    print(f"INFO Django's own stack signed in / bare view (rps): {floor_share}")
    print(f"INFO /me/ / Django's own stack signed in (rps): {me_share_of_floor}")
    worst_tail = max(row["p99_x_p50"] or 0 for row in (me, cases))
    errors = sum(row["errors"] for row in rows)
    targets = [
        ("/me/ >= 0.5 x bare view (rps)", me_share, verdict(me_share, 0.5)),
        ("case list >= 0.5 x /me/ (rps)", cases_share, verdict(cases_share, 0.5)),
        ("errors = 0", errors, "met" if errors == 0 else "NOT MET"),
        ("p99 <= 5 x p50", worst_tail, "met" if worst_tail <= 5 else "NOT MET"),
    ]
    for label, value, met in targets:
        print(f"TARGET {label}: {value} -> {met}")
    return report(
        "http",
        rows,
        {
            "database": args.db,
            "user": user.username,
            "auth": "session (second factor verified where needed)",
            "sessions": "Redis, written through to the database"
            if args.redis_url
            else "database (no Redis)",
            "gunicorn_workers": args.workers,
            "connections": args.connections,
            "duration_s": args.duration,
            "me_share_of_bare_rps": me_share,
            "django_floor_share_of_bare_rps": floor_share,
            "me_share_of_django_floor_rps": me_share_of_floor,
            "case_list_share_of_me_rps": cases_share,
            "targets": [{"target": t, "value": v, "result": m} for t, v, m in targets],
        },
    )


if __name__ == "__main__":
    main()
