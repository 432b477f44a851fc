"""What scripts/backup.py and scripts/restore.py share: where the files are, and a summary of a
database (row counts of every table, a checksum of the audit log) to compare a restore with."""

import hashlib
import os
import sys
from pathlib import Path
from urllib.parse import urlparse

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
AUDIT_TABLE = "network_auditevent"


def require_postgres_url(url: str) -> str:
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL=postgres://... (backups are of the PostgreSQL database).")
    return url


def private_dir() -> Path:
    """The private upload storage, as config/settings.py places it."""
    return Path(os.environ.get("AKRIM_VAR_DIR", str(BASE_DIR / "var"))) / "private"


def database_name(url: str) -> str:
    return urlparse(url).path.lstrip("/")


def maintenance_url(url: str) -> str:
    """The same server, database `postgres`: to drop and create the target database."""
    return urlparse(url)._replace(path="/postgres").geturl()


def database_summary(url: str) -> dict:
    """Exact row counts of every table, and the audit log's count and checksum (every row, in
    id order, as PostgreSQL prints it)."""
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        tables = [row[0] for row in cur.fetchall()]
        counts = {}
        for table in tables:
            cur.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cur.fetchone()[0]
        audit = {"audit_events": 0, "audit_checksum": None}
        if AUDIT_TABLE in counts:
            cur.execute(
                "SELECT count(*), md5(coalesce(string_agg(e::text, E'\\n' ORDER BY e.id), '')) "
                f"FROM {AUDIT_TABLE} e"
            )
            audit["audit_events"], audit["audit_checksum"] = cur.fetchone()
    return {"tables": counts, **audit}


def sha256(path: Path) -> str:
    """The file's SHA-256, read in 1 MiB pieces: the manifest's check of every file."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
