"""Restore an akrim backup made by scripts/backup.py, then check it against the backup's manifest.

    DATABASE_URL=postgres://... AKRIM_VAR_DIR=/var/lib/akrim .venv/bin/python scripts/restore.py DIR [--force]

The database is restored with pg_restore into an empty database (created when missing). The
audit log is append-only by trigger (UPDATE and DELETE are refused), which is why a restore
never cleans rows out of a live database: with --force the old database is dropped whole and
created again, and the old private files are moved aside (private.replaced-<time>), not deleted.
Stop the web server, the workers and beat first.

Afterwards every table's row count, the audit log's checksum and the list of private files
must equal what the manifest recorded at backup time; otherwise the exit status is 1.
"""

import argparse
import json
import os
import subprocess
import sys
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent))

from backup_common import (  # noqa: E402
    database_name,
    database_summary,
    maintenance_url,
    private_dir,
    require_postgres_url,
    sha256,
)


def prepare_database(url: str, force: bool) -> None:
    name = database_name(url)
    with psycopg.connect(maintenance_url(url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            with psycopg.connect(url) as target:
                tables = target.execute(
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
                ).fetchone()[0]
            if tables and not force:
                sys.exit(f"Database {name} is not empty; restore with --force to replace it.")
            if tables:
                conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
                exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def restore_files(archive: Path, files: Path, force: bool) -> None:
    if files.exists() and any(files.iterdir()):
        if not force:
            sys.exit(f"{files} is not empty; restore with --force to replace it.")
        aside = files.with_name(f"private.replaced-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
        files.rename(aside)
        print(f"the previous private files were moved to {aside}")
    files.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(files.parent, filter="data")
    files.mkdir(exist_ok=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="a directory written by scripts/backup.py")
    parser.add_argument("--force", action="store_true", help="replace a non-empty database")
    args = parser.parse_args()
    url = require_postgres_url(os.environ.get("DATABASE_URL", ""))
    source = Path(args.source)
    manifest = json.loads((source / "manifest.json").read_text())
    for name, expected in manifest["sha256"].items():
        if sha256(source / name) != expected:
            sys.exit(f"{source / name} does not match its checksum in the manifest; not restoring.")

    prepare_database(url, args.force)
    subprocess.run(
        ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        + [f"--dbname={url}", str(source / "db.dump")],
        check=True,
    )
    files = private_dir()
    restore_files(source / "files.tar.gz", files, args.force)

    restored = database_summary(url)
    restored_files = sorted(str(p.relative_to(files)) for p in files.rglob("*") if p.is_file())
    problems = [
        f"table {table}: {manifest['database']['tables'].get(table)} in the backup, {count} now"
        for table, count in sorted(restored["tables"].items())
        if manifest["database"]["tables"].get(table) != count
    ]
    problems += [
        f"table {table} is missing"
        for table in manifest["database"]["tables"]
        if table not in restored["tables"]
    ]
    if restored["audit_checksum"] != manifest["database"]["audit_checksum"]:
        problems.append("the audit log's checksum differs")
    if restored_files != manifest["files"]:
        problems.append("the private files differ from the backup's list")
    if problems:
        print("RESTORE DOES NOT MATCH THE BACKUP:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    print(
        f"restored {source}: {len(restored['tables'])} tables, "
        f"{sum(restored['tables'].values())} rows and {restored['audit_events']} audit events "
        f"(checksum {restored['audit_checksum']}) and {len(restored_files)} private files, "
        "all as in the backup"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
