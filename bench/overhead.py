"""Per-request cost in-process: akrim's WSGI handler called directly, without a server.

wrk against gunicorn (bench/http.py) measures what people wait for, but on a shared machine
its numbers move with everyone else's load. Here the same three requests are made to the
WSGI application in this process, as gunicorn would hand them over (production settings:
DEBUG off, sessions from Redis when `--redis-url` or $REDIS_URL is given), and each one's
CPU time (`time.process_time`, which does not count waiting for PostgreSQL or Redis) and
wall time are taken, with the queries it sends. The bare view (bench/bare.py) runs in a
child process, since it configures Django differently.

    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python -m bench.overhead --db akrim_bench_http

`--profile me|cases|bare` prints cProfile's table for that endpoint instead (and writes the
raw statistics to the file named by $PROFILE_OUT, when set, for pstats).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import time

from bench.common import ROOT, report, setup


def environ(path: str, cookie: str = "") -> dict:
    env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT": "*/*",
        "HTTP_USER_AGENT": "wrk",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if cookie:
        env["HTTP_COOKIE"] = cookie
    return env


def call(application, path: str, cookie: str = "") -> bytes:
    status = []

    def start_response(line, headers, exc_info=None):
        status.append(line)

    body = b"".join(application(environ(path, cookie), start_response))
    if not status[0].startswith("200"):
        raise SystemExit(f"{path}: {status[0]} {body[:300]!r}")
    return body


def measure(application, path: str, cookie: str, repeat: int) -> dict:
    for _ in range(20):  # warm: compiled statements, imports, connections
        call(application, path, cookie)
    cpu, wall = [], []
    for _ in range(repeat):
        c, w = time.process_time(), time.perf_counter()
        call(application, path, cookie)
        cpu.append((time.process_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
    return {
        "cpu_ms_median": round(statistics.median(cpu), 2),
        "cpu_ms_mean": round(statistics.fmean(cpu), 2),
        "wall_ms_median": round(statistics.median(wall), 2),
    }


def profile(application, path: str, cookie: str, repeat: int, rows: int) -> None:
    for _ in range(20):
        call(application, path, cookie)
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(repeat):
        call(application, path, cookie)
    profiler.disable()
    stats = pstats.Stats(profiler)
    if os.environ.get("PROFILE_OUT"):
        stats.dump_stats(os.environ["PROFILE_OUT"])
    stats.sort_stats("cumulative").print_stats(rows)
    stats.sort_stats("tottime").print_stats(rows)


def bare(args) -> None:
    """Run in the child: the bare view's figures as JSON on stdout."""
    from bench.bare import application

    if args.profile == "bare":
        profile(application, "/bare/", "", args.repeat, args.rows)
        return
    print(json.dumps(measure(application, "/bare/", "", args.repeat)))


def main(argv=None) -> dict | None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="akrim_bench")
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--agency", default="skv")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    parser.add_argument("--profile", choices=["bare", "me", "cases"])
    parser.add_argument("--rows", type=int, default=40)
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare:
        bare(args)
        return None
    os.environ.update(
        {"DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false"}
    )
    os.environ.pop("REDIS_URL", None)
    if args.redis_url:
        os.environ["REDIS_URL"] = args.redis_url
    os.environ.setdefault("SECRET_KEY", "bench-" + os.urandom(24).hex())
    setup(args.db)
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.access import pick_user
    from bench.http import signed_in

    application = get_wsgi_application()
    cookie = signed_in(pick_user(args.agency, "staff"))["Cookie"]
    paths = {"me": "/api/v1/me/", "cases": "/api/v1/cases/"}
    if args.profile in paths:
        profile(application, paths[args.profile], cookie, args.repeat, args.rows)
        return None
    child = subprocess.run(
        [sys.executable, "-m", "bench.overhead", "--bare", "--repeat", str(args.repeat)]
        + (["--profile", "bare", "--rows", str(args.rows)] if args.profile == "bare" else []),
        cwd=ROOT,
        capture_output=args.profile != "bare",
        text=True,
        check=True,
    )
    if args.profile == "bare":
        return None
    rows = [{"endpoint": "bare Django view", **json.loads(child.stdout), "queries": 0}]
    for name, path in [("/api/v1/me/", paths["me"]), ("/api/v1/cases/", paths["cases"])]:
        figures = measure(application, path, cookie, args.repeat)
        with CaptureQueriesContext(connection) as captured:
            call(application, path, cookie)
        rows.append({"endpoint": name, **figures, "queries": len(captured.captured_queries)})
    base = rows[0]["cpu_ms_median"]
    for row in rows:
        row["cpu_x_bare"] = round(row["cpu_ms_median"] / base, 1)
    return report(
        "overhead",
        rows,
        {
            "database": args.db,
            "sessions": "Redis" if args.redis_url else "database",
            "repeat": args.repeat,
            "load_average": os.getloadavg(),
        },
    )


if __name__ == "__main__":
    main()
