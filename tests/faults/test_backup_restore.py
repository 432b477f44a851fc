"""Backup and restore: seed the demo world into a scratch database, back up with
scripts/backup.py, wipe the database and the private files, restore with scripts/restore.py,
and compare every table's row count, the audit log's checksum and the private files. Runs on
a PostgreSQL server of its own.

The world is `seed_demo --small`: every table the full demo fills gets rows, with a tenth of
its controls. The round trip is the same for 30 findings as for 500; seeding the full year
took most of this test's time (docs/testing.md, "Where the CI run's time goes")."""

import hashlib
import json
import shutil
import subprocess

import pytest

from tests.faults import services as s
from tests.faults.conftest import manage

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.timeout(900)]

_ATTACH = """
from django.core.files.uploadedfile import SimpleUploadedFile
from cases.coordination.services import add_attachment, open_case
from network.models import User
user = User.objects.get(username="skv.staff")
case = open_case(title="Backup-prov", actor=user)
pdf = b"%PDF-1.4\\n1 0 obj<<>>endobj\\ntrailer<<>>\\n%%EOF\\n"
attachment = add_attachment(case, upload=SimpleUploadedFile("avtal.pdf", pdf, "application/pdf"), actor=user)
print("FILE", attachment.file.name)
"""

_READ_BACK = """
from cases.coordination.models import CaseAttachment
attachment = CaseAttachment.objects.get(case__title="Backup-prov")
with attachment.file.open("rb") as f:
    print("READ", f.read().decode())
"""


def _script(name, env, *args):
    return subprocess.run(
        [str(s.BIN / "python"), f"scripts/{name}.py", *args],
        cwd=s.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _summary(env):
    sys_path = "import sys; sys.path.insert(0, 'scripts');"
    code = f"{sys_path} import json, os; from backup_common import database_summary as d; "
    code += "print(json.dumps(d(os.environ['DATABASE_URL'])))"
    result = subprocess.run(
        [str(s.BIN / "python"), "-c", code], cwd=s.ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _tree(root):
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_backup_wipe_restore_gives_back_every_row_the_audit_log_and_the_files(
    throwaway_postgres, tmp_path
):
    throwaway_postgres.psql("postgres", "CREATE DATABASE akrim")
    var = tmp_path / "var"
    env = s.akrim_env(DATABASE_URL=throwaway_postgres.url("akrim"), AKRIM_VAR_DIR=str(var))
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo", "--quiet", "--small", timeout=600)
    stored = next(x for x in manage(env, "shell", "-c", _ATTACH).splitlines() if x[:4] == "FILE")
    before = _summary(env)
    files_before = _tree(var / "private")
    assert before["audit_events"] > 100
    # Every kind of work of the demo is in the backup: its tables are not empty.
    filled = {table for table, rows in before["tables"].items() if rows}
    assert filled >= {
        "cases_case",
        "cases_victimreferral",
        "cases_tip",
        "inspections_inspection",
        "inspections_finding",
        "inspections_decision",
        "inspections_followup",
        "inspections_personcount",
        "network_outboxmessage",
        "reports_publishedfigure",
    }
    assert len(files_before) >= 1
    assert stored.split()[1] in files_before

    backup_dir = tmp_path / "backup"
    made = _script("backup", env, str(backup_dir))
    assert made.returncode == 0, made.stderr
    assert {p.name for p in backup_dir.iterdir()} == {"db.dump", "files.tar.gz", "manifest.json"}

    # Wipe: the database and the private files are gone.
    throwaway_postgres.psql("postgres", "DROP DATABASE akrim WITH (FORCE)")
    shutil.rmtree(var)

    restored = _script("restore", env, str(backup_dir))
    assert restored.returncode == 0, restored.stderr
    assert "all as in the backup" in restored.stdout

    after = _summary(env)
    assert after["tables"] == before["tables"]
    assert (after["audit_events"], after["audit_checksum"]) == (
        before["audit_events"],
        before["audit_checksum"],
    )
    assert _tree(var / "private") == files_before
    assert "READ %PDF-1.4" in manage(env, "shell", "-c", _READ_BACK)
    # The restored audit log is still append-only, and akrim's schema is current.
    refused = subprocess.run(
        [s.postgres_bin("psql"), throwaway_postgres.url("akrim"), "-c"]
        + ["UPDATE network_auditevent SET purpose = 'x'"],
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0
    assert "append-only" in refused.stderr.lower()
    assert "No planned migration operations" in manage(env, "migrate", "--plan")

    # Restoring over a live database needs --force, which replaces it whole.
    again = _script("restore", env, str(backup_dir))
    assert again.returncode != 0
    assert "--force" in again.stderr + again.stdout
    forced = _script("restore", env, str(backup_dir), "--force")
    assert forced.returncode == 0, forced.stderr
    assert _summary(env) == before
