"""Roles and agencies are data: no agency code or role name decides anything in app code.

Who coordinates the network, who is the national coordinator for victims and who
coordinates a centre are flags on the agency and the membership (docs/access.md, "Roles come
from data"); the policies read them. An agency code written into a rule (`agency.code ==
"jamy"`) silently stops working when an operator renames or adds an agency, so this test
reads every app module and fails on one outside reference data and the policies.
"""

import re
from pathlib import Path

from network.reference import AGENCIES

ROOT = Path(__file__).resolve().parent.parent
APPS = ("network", "cases", "inspections", "reports")
CODES = "|".join(code for code, *_rest in AGENCIES)
AGENCY_CODE = re.compile(rf"""["']({CODES})["']""")
ROLES = "staff|coordinator|analyst|auditor|admin"
ROLE_TEST = re.compile(
    rf"""has_role\([^)]*["']({ROLES})["']|["']({ROLES})["']\s+(not\s+)?in\s+[\w.]*roles"""
)

# Reference data: the finding categories each agency records (inspections/choices.py) and
# the receiving bodies of referrals with their agencies (cases/referrals/models.py) are lists of facts
# about the agencies, not rules about who may do what.
REFERENCE = {"inspections/choices.py", "cases/referrals/models.py"}
PENDING: set[str] = set()


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative.endswith(
                ("reference.py", "demo.py", "policies.py")
            ):
                continue
            yield relative, path.read_text(encoding="utf-8")


def test_no_agency_code_or_role_name_in_app_code():
    found = {}
    for relative, text in _modules():
        if relative in REFERENCE:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if AGENCY_CODE.search(line) or ROLE_TEST.search(line):
                found.setdefault(relative, []).append(f"{number}: {line.strip()}")
    unexpected = {path: lines for path, lines in found.items() if path not in PENDING}
    assert unexpected == {}


def test_the_checker_sees_a_code_written_into_a_rule():
    assert AGENCY_CODE.search('if agency.code == "jamy":')
    assert ROLE_TEST.search('if "coordinator" in membership.roles:')
    assert not ROLE_TEST.search('fields = ["staff"]')
