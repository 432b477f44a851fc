"""Throwaway PostgreSQL and Redis servers for the fault tests, and akrim processes to aim at them.

The fault tests stop, kill and restart services. They must never touch the shared servers on
5432/6379 (other engineers and CI's parallel workers use them), so every test that restarts
something starts its own server on a free port in a temporary directory and removes it after.

PostgreSQL refuses to run as root; CI runs as root. As root the cluster is created and run as
the `postgres` system user (`runuser`); as anyone else, as that user.
"""

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, seconds: float = 60, what: str = "condition", step: float = 0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {seconds}s waiting for {what}")


def postgres_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_key)
    if found:
        return found[-1]
    return shutil.which(name)


def _version_key(path: str) -> int:
    try:
        return int(Path(path).parts[-3])
    except (ValueError, IndexError):
        return 0


def missing_binaries() -> list[str]:
    names = {"initdb": postgres_bin("initdb"), "pg_ctl": postgres_bin("pg_ctl")}
    names["redis-server"] = shutil.which("redis-server")
    names["gunicorn"] = str(BIN / "gunicorn") if (BIN / "gunicorn").exists() else None
    names["celery"] = str(BIN / "celery") if (BIN / "celery").exists() else None
    return [name for name, path in names.items() if not path]


class ThrowawayPostgres:
    """A PostgreSQL cluster of its own (trust auth on 127.0.0.1, fsync off: nothing in it
    needs to outlive the test)."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="akrim-faults-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(
            postgres_bin("initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self.start()

    def _run(self, *args: str) -> None:
        command = [*args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off"
        )
        self._run(
            postgres_bin("pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.dir / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(postgres_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def psql(self, database: str, sql: str) -> str:
        result = subprocess.run(
            [postgres_bin("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
            + ["-d", database, "-v", "ON_ERROR_STOP=1", "-tAc", sql],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return result.stdout.strip()

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already down
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class ThrowawayRedis:
    """A redis-server of its own. `appendonly yes` as in docker-compose.yml: a restarted Redis
    keeps what was queued."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="akrim-faults-redis-"))
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.dir),
                "--appendonly",
                "yes",
                "--save",
                "",
                "--logfile",
                str(self.dir / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.ping, 30, "redis-server to answer")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def command(self, *args: str) -> str:
        result = subprocess.run(
            ["redis-cli", "-p", str(self.port), *args],
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        )
        return result.stdout.strip()

    def stop(self) -> None:
        """A clean stop (SIGTERM): Redis flushes its append-only file, as on a restart."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)

    def restart(self) -> None:
        self.stop()
        self.start()

    def destroy(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


def akrim_env(**overrides: str) -> dict:
    """The environment of an akrim subprocess: this one's, minus what the test must choose."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}
    env.pop("REDIS_URL", None)
    env.update({"PYTHONUNBUFFERED": "1", "AKRIM_FAST_PASSWORD_HASHER": "true"})
    env.update(overrides)
    return env


class Process:
    """A child process whose output goes to a file (a pipe nobody reads would fill up)."""

    def __init__(self, command: list[str], env: dict, name: str):
        self.log = Path(tempfile.mkstemp(prefix=f"akrim-faults-{name}-", suffix=".log")[1])
        self._out = self.log.open("w")
        self.popen = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def output(self) -> str:
        self._out.flush()
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.alive():
            os.killpg(self.popen.pid, sig)
            self.popen.wait(timeout=30)

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self._out.close()
        self.log.unlink(missing_ok=True)


def start_worker(env: dict, queue: str, app: str = "config") -> Process:
    return Process(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            app,
            "worker",
            "--pool=solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"{queue}-{os.getpid()}-{time.monotonic_ns()}@%h",
            "-Q",
            queue,
            "--loglevel=INFO",
        ],
        {**env, "CELERY_QUEUE": queue},
        "worker",
    )


def start_gunicorn(env: dict, port: int, workers: int = 2) -> Process:
    return Process(
        [
            str(BIN / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--worker-tmp-dir",
            tempfile.gettempdir(),
            "--no-control-socket",
        ],
        env,
        "gunicorn",
    )


def get(url: str, headers: dict | None = None, timeout: float = 10) -> tuple[int, dict, str]:
    """(status, headers, body) of a GET; HTTP errors are answers too, not exceptions."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()
