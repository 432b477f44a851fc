"""Typed readers for settings that come from the environment.

Every value akrim needs from outside is read here, and a bad value stops start-up with a
message that names the variable (Healthchecks' envbool/envint/envsecret, plus `NAME_FILE`
for Docker secrets). Guessing at a malformed value would be worse than refusing to start.
"""

import os
from pathlib import Path

import dj_database_url
from dj_database_url import DBConfig
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    """The variable's value, or the contents of the file named by `NAME_FILE`."""
    if path := os.environ.get(f"{name}_FILE"):
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"Error reading {name}_FILE ({path}): {exc}") from exc
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set {name} (or {name}_FILE).")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = env_str(name, "true" if default else "false").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = env_str(name, str(default)).strip()
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_database(name: str, default: str) -> DBConfig:
    """Parse a database URL; only PostgreSQL and SQLite are supported."""
    raw = env_str(name, default).strip()
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several kinds for bad URLs
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
    engine = config.get("ENGINE", "")
    if engine not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
        raise ImproperlyConfigured(
            f"{name} must be a postgres:// or sqlite:// URL, not {raw.split(':', 1)[0]!r}."
        )
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} names no database: {raw!r}.")
    if engine == "django.db.backends.postgresql":
        # Django's backend with a health check that costs no round trip (config/db/).
        config["ENGINE"] = "config.db.postgresql"
        # A statement used this often on one connection is prepared on the server, which
        # then reuses its plan: planning was most of the time of the short queries every
        # request sends (docs/performance.md, "Prepared statements"). "off" behind a pooler
        # in transaction mode, which cannot keep a statement prepared on one connection.
        threshold = env_str("DATABASE_PREPARE_THRESHOLD", "5").strip().lower()
        if threshold not in _FALSE:
            config["OPTIONS"] = {
                # Prepared statements need the parameters bound on the server.
                "server_side_binding": True,
                "prepare_threshold": env_int("DATABASE_PREPARE_THRESHOLD", 5, minimum=1),
            }
    if engine.endswith("sqlite3"):
        config["CONN_MAX_AGE"] = 0
        # WAL lets the web thread read while a task thread writes (`make run`), and with
        # synchronous=NORMAL a commit no longer waits for the disk: seeding the demo world
        # commits thousands of small transactions (docs/deploy.md, "SQLite (the embedded default)").
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config


def env_url(name: str, schemes: tuple[str, ...]) -> str | None:
    """An optional URL with one of the given schemes; empty or unset means None."""
    raw = env_str(name, "").strip()
    if not raw:
        return None
    if not raw.startswith(tuple(f"{s}://" for s in schemes)):
        raise ImproperlyConfigured(f"{name} must start with {' or '.join(schemes)}://.")
    return raw
