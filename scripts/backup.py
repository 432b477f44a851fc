"""Back up akrim: the PostgreSQL database and the private files, with a manifest to verify a
restore against. `make backup [DIR=...]`; restore with `make restore DIR=...` (scripts/restore.py).

    DATABASE_URL=postgres://... AKRIM_VAR_DIR=/var/lib/akrim .venv/bin/python scripts/backup.py [DIR]

Writes into DIR (default backups/akrim-<UTC time>/):
- db.dump       pg_dump custom format (no owners or privileges: restorable into any database);
- files.tar.gz  the private upload storage ($AKRIM_VAR_DIR/private: attachments, report files);
- manifest.json row counts of every table, a checksum of the audit log, sha256 of both files.

Needs the PostgreSQL client tools (pg_dump) of the server's major version or newer. The dump
is one consistent snapshot; the files are read just after it, so a file uploaded in between
may be in the archive without its row (harmless), never the other way round.
"""

import argparse
import json
import os
import subprocess
import sys
import tarfile
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "scripts"))

from backup_common import (  # noqa: E402
    database_summary,
    private_dir,
    require_postgres_url,
    sha256,
)


def backup(url: str, target: Path, files: Path) -> dict:
    target.mkdir(parents=True, exist_ok=False)
    dump = target / "db.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}", url],
        check=True,
    )
    archive = target / "files.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        if files.is_dir():
            tar.add(files, arcname="private")
    manifest = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database_summary(url),
        "files": sorted(str(p.relative_to(files)) for p in files.rglob("*") if p.is_file())
        if files.is_dir()
        else [],
        "sha256": {"db.dump": sha256(dump), "files.tar.gz": sha256(archive)},
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    parser.add_argument("target", nargs="?", default=str(BASE_DIR / "backups" / f"akrim-{stamp}"))
    args = parser.parse_args()
    url = require_postgres_url(os.environ.get("DATABASE_URL", ""))
    target = Path(args.target)
    manifest = backup(url, target, private_dir())
    db = manifest["database"]
    print(
        f"backup written to {target}: {len(db['tables'])} tables, {sum(db['tables'].values())} "
        f"rows, {db['audit_events']} audit events, {len(manifest['files'])} private files"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
