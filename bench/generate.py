"""Load a national-scale data set into a PostgreSQL database with COPY.

Full size (docs/performance.md): 1,000,000 cases, 1,000,000 inspections, about 3,000,000 findings,
2,000 users and 2,000,000 direct-FK grant rows (agency shares and personal grants, as our
models hold them), plus copies of the grants in guardian's generic tables for the peer
benchmarks. `--scale 0.1` gives the everyday size (100,000 cases and inspections).

    .venv/bin/python -m bench.generate --db akrim_bench --scale 1

The database is dropped, created and migrated first; then every table is filled with COPY
(psycopg), with secondary indexes dropped during the load and rebuilt after, foreign-key
triggers off for the load session only (every id written is generated consistently here and
checked at small size by tests/bench), sequences reset to max(id) and the tables analysed.

Distributions (fixed seed, so two runs give the same data): agencies weighted by size; users
70 % staff, 15 % coordinators, 8 % analysts, 5 % auditors, 2 % admins; cases spread over five
years, 90 % with an employer (skewed: some employers have many cases); 5 % of cases shared
with one or two other agencies (30 % of shares with edit), 1 % of shares and personal grants
expired, 30 % expiring in the future; inspections over five years plus 5 % planned ahead,
coordinated mostly by Arbetsmiljöverket, each with 2-4 agencies (90 % accepted), 0-6 findings
per performed one (3 % secret) and a decision on 10 % of findings; workplaces by county population and the
risk industries of the joint risk assessment. For the Lägesbild's version-2 figures: a week-long
control operation every week or so of each year (numbered like the real ones), a quarter of the
year's inspections in one, person counts (right to work, nationality) by the agencies on site
at half the performed inspections, and the network's published history for 2017-2019.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FULL = {
    "users": 2000,
    "employers": 200_000,
    "cases": 1_000_000,
    "inspections": 1_000_000,
    "grants": 2_000_000,
}
YEARS = (2021, 2022, 2023, 2024, 2025)
FUTURE_YEAR = 2026

# Relative sizes of the agencies (cases they own, users they have).
AGENCY_WEIGHTS = {
    "skv": 25,
    "polis": 20,
    "av": 15,
    "fk": 12,
    "migr": 10,
    "af": 8,
    "ebm": 5,
    "aklag": 3,
    "jamy": 2,
}
ROLE_WEIGHTS = {"staff": 70, "coordinator": 15, "analyst": 8, "auditor": 5, "admin": 2}
# Counties by rough share of the workforce (per mille); "xx80" is a real kommunkod in each.
COUNTY_WEIGHTS = {
    "01": 240, "03": 40, "04": 30, "05": 45, "06": 35, "07": 20, "08": 25, "09": 6,
    "10": 15, "12": 135, "13": 33, "14": 170, "17": 27, "18": 30, "19": 27, "20": 28,
    "21": 28, "22": 24, "23": 13, "24": 27, "25": 25,
}  # fmt: skip
SNI_WEIGHTS = {
    "41.200": 14, "43.210": 6, "43.990": 6, "56.100": 16, "81.210": 9, "49.410": 8,
    "96.021": 5, "45.200": 6, "88.100": 4, "01.130": 4, "02.200": 2, "47.110": 8,
    "55.100": 5, "52.100": 4, "62.010": 3,
}  # fmt: skip
INSPECTION_COORDINATORS = {"av": 70, "polis": 20, "skv": 10}
PARTNERS = ["skv", "polis", "migr", "fk", "af", "ebm", "av"]
DECISION_TYPES = {
    "av": ["forelaggande", "forbud", "sanktionsavgift", "vite"],
    "skv": ["kontrollavgift", "aterkrav"],
    "polis": ["polisanmalan"],
    "migr": ["sarskild_avgift", "aterkallat_arbetstillstand"],
    "af": ["stopp_av_stod", "aterkrav"],
    "fk": ["indragen_ersattning", "aterkrav"],
    "ebm": ["polisanmalan"],
}
FEES = {"kontrollavgift", "sanktionsavgift", "sarskild_avgift", "aterkrav", "vite"}
LEGAL_BASES = [
    "uppgiftsskyldighet_akrim",
    "uppgiftsskyldighet_brottsbekampning",
    "osl_10_15a",
    "osl_10_27",
    "samtycke",
]
NAMES = ["Bygg", "Städ", "Transport", "Restaurang", "Service", "Montage", "Skog", "Bil", "Vård"]
N = r"\N"  # NULL in COPY text format
CHUNK = 200_000
# 0-6 findings per performed inspection, 3.37 on average: about 3 per inspection overall.
FINDINGS_PER_INSPECTION = [10, 11, 13, 15, 17, 17, 17]
# Control operations per year at full size (weekly campaigns and county actions).
OPERATIONS_PER_YEAR = 500
OPERATION_BASES = ["campaign", "risk_industry", "intelligence", "tip"]
NATIONALITIES = ["RO", "UA", "PL", "BG", "TH", "VN", "SE", "EE", ""]
# What the network published before akrim (docs/published-history.csv).
PUBLISHED_HISTORY = {2017: 161, 2018: 1130, 2019: 2000}


def sizes_for(scale: float) -> dict[str, int]:
    sizes = {key: max(1, round(value * scale)) for key, value in FULL.items()}
    sizes["users"] = max(60, min(FULL["users"], sizes["users"] if scale < 0.05 else 2000))
    sizes["employers"] = max(20, sizes["employers"])
    return sizes


def orgnr(n: int) -> str:
    """A valid aktiebolag number 556xxxxxxC (Luhn check digit), unique per n."""
    body = f"556{n:06d}"
    total = 0
    for i, ch in enumerate(body):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def copy_text(value) -> str:
    """A Python value in COPY's text format."""
    if value is None:
        return N
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def other_columns(table: str, columns: list[str]) -> list[tuple[str, str]]:
    """Columns of the model behind `table` that this generator does not fill, with each
    one's model default: fields added by later migrations still get valid rows."""
    from django.apps import apps
    from django.db import models

    model = next(m for m in apps.get_models(include_auto_created=True) if m._meta.db_table == table)
    extra = []
    for field in model._meta.local_concrete_fields:
        if field.column in columns or field.primary_key:
            continue
        if field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        elif isinstance(field, models.DateTimeField):
            value = datetime(2026, 1, 15, 12, tzinfo=UTC)
        elif isinstance(field, (models.CharField, models.TextField)):
            value = ""
        else:
            raise SystemExit(f"bench/generate.py does not know how to fill {table}.{field.column}")
        extra.append((field.column, copy_text(value)))
    return extra


class Sink:
    """Rows for one table, written with COPY in chunks. Columns the caller does not give get
    the model's default."""

    def __init__(self, conn, table: str, columns: list[str]):
        extra = other_columns(table, columns)
        self.conn, self.table = conn, table
        self.columns = columns + [column for column, _ in extra]
        self.suffix = "".join("\t" + value for _, value in extra)
        self.lines: list[str] = []
        self.count = 0

    def add(self, line: str) -> None:
        self.lines.append(line + self.suffix if self.suffix else line)
        if len(self.lines) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.lines:
            return
        data = "\n".join(self.lines) + "\n"
        columns = ", ".join(self.columns)
        with (
            self.conn.cursor() as cur,
            cur.copy(f"COPY {self.table} ({columns}) FROM STDIN") as copy,
        ):
            copy.write(data)
        self.count += len(self.lines)
        self.lines = []


def ts(day: date, seconds: int = 36000) -> str:
    return (
        datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)
    ).isoformat()


class Loader:
    def __init__(self, conn, scale: float, seed: int = 8):
        self.conn = conn
        self.sizes = sizes_for(scale)
        self.rng = random.Random(seed)
        self.seed = seed
        self.now = datetime(2026, 1, 15, 12, tzinfo=UTC)
        self.counts: dict[str, int] = {}

    # -- helpers -------------------------------------------------------------------------
    def q(self, sql: str, params=None, conn=None):
        with (conn or self.conn).cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else None

    def next_id(self, table: str, conn=None) -> int:
        return self.q(f"SELECT coalesce(max(id), 0) + 1 FROM {table}", conn=conn)[0][0]

    def weighted(self, weights: dict, k: int, rng=None) -> list:
        return (rng or self.rng).choices(list(weights), weights=list(weights.values()), k=k)

    # -- the load ------------------------------------------------------------------------
    def run(self, second=None) -> dict:
        """Reference rows, users and employers first; then cases (with grants) and
        inspections (with their results), on two connections at once when `second` is given."""
        self.reference_data()
        self.users()
        self.employers()
        if second is None:
            self.cases_and_grants()
            self.inspections(self.conn)
        else:
            failed: list[BaseException] = []

            def other():
                try:
                    self.inspections(second)
                except BaseException as exc:  # noqa: BLE001 - re-raised below
                    failed.append(exc)

            thread = threading.Thread(target=other)
            thread.start()
            self.cases_and_grants()
            thread.join()
            if failed:
                raise failed[0]
        self.reset_sequences()
        self.owner_rows()
        return self.counts

    def owner_rows(self) -> None:
        """The owning agency's rows on every case, as every case made through the ORM has
        them (`cases.grants.write_owner_rows`): the view row is the record, change and share
        point to it. Without them the case scope's share lookup would be measured on a table
        production never has (docs/performance.md, "the share rows the case scope reads")."""
        perms = dict(
            self.q(
                "SELECT codename, p.id FROM auth_permission p JOIN django_content_type t "
                "ON t.id = p.content_type_id WHERE t.app_label = 'cases' AND t.model = 'case' "
                "AND codename IN ('view_case', 'change_case', 'share_case')"
            )
        )
        self.q(
            "WITH record AS ("
            " INSERT INTO cases_casegroupobjectpermission (legal_basis, reason, granted_at,"
            " content_object_id, permission_id, group_id, owner)"
            " SELECT '', '', c.created_at, c.id, %s, a.group_id, true FROM cases_case c"
            " JOIN network_agency a ON a.id = c.owner_agency_id"
            " RETURNING id, content_object_id, group_id, granted_at)"
            " INSERT INTO cases_casegroupobjectpermission (legal_basis, reason, granted_at,"
            " content_object_id, permission_id, group_id, owner, part_of_id)"
            " SELECT '', '', r.granted_at, r.content_object_id, p.perm, r.group_id, true, r.id"
            " FROM record r CROSS JOIN (VALUES (%s), (%s)) AS p(perm)",
            [perms["view_case"], perms["change_case"], perms["share_case"]],
        )
        self.counts["owner_rows"] = self.q(
            "SELECT count(*) FROM cases_casegroupobjectpermission WHERE owner"
        )[0][0]

    def reference_data(self) -> None:
        self.agency = {
            c: (i, g) for i, c, g in self.q("SELECT id, code, group_id FROM network_agency")
        }
        missing = [c for c in AGENCY_WEIGHTS if c not in self.agency]
        if missing or any(g is None for _, g in self.agency.values()):
            raise SystemExit(f"agencies or their groups missing: {missing}; migrate first")
        self.role_group = dict(self.q("SELECT role, group_id FROM network_rolegroup"))
        self.county = dict(self.q("SELECT code, id FROM network_county"))
        perms = dict(
            self.q(
                "SELECT codename, p.id FROM auth_permission p JOIN django_content_type t "
                "ON t.id = p.content_type_id WHERE t.app_label = 'cases' AND t.model = 'case'"
            )
        )
        self.view_perm, self.change_perm = perms["view_case"], perms["change_case"]
        self.case_ct = self.q(
            "SELECT id FROM django_content_type WHERE app_label='cases' AND model='case'"
        )[0][0]

    def users(self) -> None:
        n = self.sizes["users"]
        first = self.next_id("network_user")
        mfirst = self.next_id("network_membership")
        users = Sink(
            self.conn,
            "network_user",
            ["id", "password", "is_superuser", "username", "first_name", "last_name", "email",
             "is_staff", "is_active", "date_joined"],
        )  # fmt: skip
        members = Sink(
            self.conn,
            "network_membership",
            ["id", "roles", "active", "created_at", "updated_at", "agency_id", "user_id"],
        )
        groups = Sink(self.conn, "network_user_groups", ["user_id", "group_id"])
        agencies = self.weighted(AGENCY_WEIGHTS, n)
        # Every agency has at least one user of each role, so every path can be measured.
        fixed = [(code, role) for code in AGENCY_WEIGHTS for role in ROLE_WEIGHTS]
        roles = self.weighted(ROLE_WEIGHTS, n)
        self.users_of: dict[str, list[int]] = {code: [] for code in AGENCY_WEIGHTS}
        self.staff_of: dict[str, list[int]] = {code: [] for code in AGENCY_WEIGHTS}
        joined = ts(date(2021, 1, 4))
        for k in range(n):
            code, role = fixed[k] if k < len(fixed) else (agencies[k], roles[k])
            uid = first + k
            users.add(
                f"{uid}\t!\tf\tbench.{code}.{role}.{k}\tBench\tUser {k}\t\t"
                f"{'t' if role == 'admin' else 'f'}\tt\t{joined}"
            )
            members.add(
                f'{mfirst + k}\t["{role}"]\tt\t{joined}\t{joined}\t{self.agency[code][0]}\t{uid}'
            )
            groups.add(f"{uid}\t{self.agency[code][1]}")
            groups.add(f"{uid}\t{self.role_group[role]}")
            self.users_of[code].append(uid)
            if role in ("staff", "coordinator"):
                self.staff_of[code].append(uid)
        for sink in (users, members, groups):
            sink.flush()
        self.counts["users"] = users.count

    def employers(self) -> None:
        n = self.sizes["employers"]
        first = self.next_id("cases_employer")
        sink = Sink(
            self.conn,
            "cases_employer",
            ["id", "orgnr", "name", "legal_form", "is_sole_trader", "sni_codes",
             "street_address", "postal_code", "city", "created_at", "name_key", "address_key", "created_by_id"],
        )  # fmt: skip
        from cases.employers import matching

        sni = self.weighted(SNI_WEIGHTS, n)
        created = ts(date(2021, 1, 4))
        registrars = [u for users in self.staff_of.values() for u in users]
        for k in range(n):
            name = f"{NAMES[k % len(NAMES)]} {k} AB"
            street = f"Storgatan {k % 90 + 1}"
            sink.add(
                f'{first + k}\t{orgnr(k)}\t{name}\taktiebolag\tf\t["{sni[k]}"]\t'
                f"{street}\t11{k % 1000:03d}\tStockholm\t{created}\t"
                f"{matching.name_key(name)}\t{matching.address_key(street)}\t"
                f"{registrars[k % len(registrars)]}"
            )
        sink.flush()
        self.employer_first, self.employer_count = first, n
        self.counts["employers"] = sink.count

    def cases_and_grants(self) -> None:
        rng = self.rng
        n = self.sizes["cases"]
        first = self.next_id("cases_case")
        cases = Sink(
            self.conn,
            "cases_case",
            ["id", "reference", "title", "summary", "status", "sensitivity", "version",
             "created_at", "updated_at", "closed_at", "created_by_id", "owner_agency_id",
             "employer_id"],
        )  # fmt: skip
        grant_cols = ["id", "legal_basis", "reason", "expires_at", "granted_at",
                      "content_object_id", "granted_by_id", "permission_id"]  # fmt: skip
        shares = Sink(self.conn, "cases_casegroupobjectpermission", [*grant_cols, "group_id"])
        personal = Sink(self.conn, "cases_caseuserobjectpermission", [*grant_cols, "user_id"])
        gid = self.next_id("cases_casegroupobjectpermission")
        uid = self.next_id("cases_caseuserobjectpermission")
        owners = self.weighted(AGENCY_WEIGHTS, n)
        per_year = -(-n // len(YEARS))
        counters: dict[int, int] = {}
        # Shares: 5 % of cases, 1-2 agencies, view (+ change for 30 %): about 0.08 rows per
        # case. Personal grants fill the rest of the grant budget: view, + change for half.
        personal_per_case = max(0.0, (self.sizes["grants"] - n * 0.05 * 1.2 * 1.3) / n / 1.5)
        expired = ts(date(2025, 6, 1))
        future = ts(date(2027, 6, 1))
        stats = {"cases_shared": 0, "shares": 0, "shares_expired": 0, "personal_grants": 0}
        codes = list(AGENCY_WEIGHTS)
        for k in range(n):
            cid = first + k
            owner = owners[k]
            year = YEARS[min(k // per_year, len(YEARS) - 1)]
            counters[year] = counters.get(year, 0) + 1
            day = date(year, 1, 1) + timedelta(days=(k % per_year) * 365 // per_year)
            created = ts(day, k % 80000)
            author = rng.choice(self.staff_of[owner])
            r = rng.random()
            status = "open" if r < 0.3 else ("in_progress" if r < 0.6 else "closed")
            closed = ts(day + timedelta(days=90)) if status == "closed" else N
            r = rng.random()
            sensitivity = "normal" if r < 0.85 else ("sensitive" if r < 0.97 else "secret")
            employer = (
                str(self.employer_first + int(self.employer_count * rng.random() ** 2))
                if rng.random() < 0.9
                else N
            )
            cases.add(
                f"{cid}\tAK-{year}-{counters[year]:06d}\tSamverkansärende {cid}\t"
                f"Uppgifter om arbetsgivaren i ärende {cid}.\t{status}\t{sensitivity}\t1\t"
                f"{created}\t{created}\t{closed}\t{author}\t{self.agency[owner][0]}\t{employer}"
            )
            if rng.random() < 0.05:
                stats["cases_shared"] += 1
                others = rng.sample(
                    [c for c in codes if c != owner], 1 if rng.random() < 0.8 else 2
                )
                for other in others:
                    stats["shares"] += 1
                    r = rng.random()
                    expires = expired if r < 0.01 else (future if r < 0.31 else N)
                    stats["shares_expired"] += r < 0.01
                    basis = rng.choice(LEGAL_BASES)
                    perms = [self.view_perm] + ([self.change_perm] if rng.random() < 0.3 else [])
                    for perm in perms:
                        shares.add(
                            f"{gid}\t{basis}\tSamverkan i kontrollinsats\t{expires}\t{created}\t"
                            f"{cid}\t{author}\t{perm}\t{self.agency[other][1]}"
                        )
                        gid += 1
            count = int(personal_per_case) + (rng.random() < personal_per_case % 1)
            if count:
                pool = self.users_of[owner]
                chosen = rng.sample(pool, min(count, len(pool)))
                if rng.random() < 0.1:  # a named person at another agency
                    other = rng.choice([c for c in codes if c != owner])
                    chosen[-1] = rng.choice(self.users_of[other])
                for user in chosen:
                    stats["personal_grants"] += 1
                    r = rng.random()
                    expires = expired if r < 0.01 else (future if r < 0.31 else N)
                    perms = [self.view_perm] + ([self.change_perm] if rng.random() < 0.5 else [])
                    for perm in perms:
                        personal.add(
                            f"{uid}\tuppgiftsskyldighet_akrim\tHandläggare i ärendet\t{expires}\t"
                            f"{created}\t{cid}\t{author}\t{perm}\t{user}"
                        )
                        uid += 1
        for sink in (cases, shares, personal):
            sink.flush()
        for year, last in counters.items():
            self.q(
                "INSERT INTO cases_casesequence (year, last) VALUES (%s, %s) "
                "ON CONFLICT (year) DO UPDATE SET last = greatest(cases_casesequence.last, "
                "EXCLUDED.last)",
                [year, last],
            )
        self.counts.update(
            cases=cases.count,
            share_rows=shares.count,
            personal_grant_rows=personal.count,
            grants=shares.count + personal.count,
            **stats,
        )

    def inspections(self, conn) -> None:
        rng = random.Random(self.seed + 1)
        n = self.sizes["inspections"]
        ins_id = self.next_id("inspections_inspection", conn)
        wp_id = self.next_id("inspections_workplace", conn)
        ie_id = self.next_id("inspections_inspectionemployer", conn)
        as_id = self.next_id("inspections_agencyassignment", conn)
        fi_id = self.next_id("inspections_finding", conn)
        de_id = self.next_id("inspections_decision", conn)
        op_id = self.next_id("inspections_controloperation", conn)
        pc_id = self.next_id("inspections_personcount", conn)
        # Operations and person counts draw from a generator of their own, so the rest of the
        # data set is the same as before they were added.
        extra = random.Random(self.seed + 2)
        operations = Sink(
            conn,
            "inspections_controloperation",
            ["id", "reference", "title", "scope", "period_start", "period_end",
             "selection_basis", "coordinating_agency_id", "status", "created_by_id",
             "created_at"],
        )  # fmt: skip
        persons = Sink(
            conn,
            "inspections_personcount",
            ["id", "inspection_id", "agency_id", "right_to_work", "nationality", "count"],
        )
        from inspections.choices import RightToWork

        rights = list(RightToWork.values)
        per_year_ops = max(2, round(OPERATIONS_PER_YEAR * n / FULL["inspections"]))
        operation_of: dict[tuple[int, int], int] = {}
        for year in YEARS:
            for j in range(per_year_ops):
                start = date(year, 1, 1) + timedelta(days=j * 365 // per_year_ops)
                operation_of[(year, j)] = op_id
                operations.add(
                    f"{op_id}\tKI-{year}-{j + 1:06d}\tInsats {year} nr {j + 1}\tregional\t"
                    f"{start.isoformat()}\t{(start + timedelta(days=6)).isoformat()}\t"
                    f"{extra.choice(OPERATION_BASES)}\t{self.agency['av'][0]}\tclosed\t"
                    f"{self.staff_of['av'][0]}\t{ts(start - timedelta(days=30))}"
                )
                op_id += 1
        workplaces = Sink(
            conn,
            "inspections_workplace",
            ["id", "name", "street_address", "postal_code", "city", "municipality", "sni",
             "workplace_type", "county_id"],
        )  # fmt: skip
        inspections = Sink(
            conn,
            "inspections_inspection",
            ["id", "reference", "planned_date", "unannounced", "status", "status_reason",
             "performed_on", "persons_checked", "version", "created_at", "updated_at",
             "coordinating_agency_id", "created_by_id", "workplace_id", "operation_id"],
        )  # fmt: skip
        employers = Sink(
            conn,
            "inspections_inspectionemployer",
            ["id", "role", "employer_id", "inspection_id"],
        )
        assignments = Sink(
            conn,
            "inspections_agencyassignment",
            ["id", "mode", "status", "decline_reason", "assigned_at", "answered_at",
             "agency_id", "answered_by_id", "assigned_by_id", "inspection_id"],
        )  # fmt: skip
        findings = Sink(
            conn,
            "inspections_finding",
            ["id", "category", "description", "severity", "legal_reference", "secret",
             "created_at", "agency_id", "created_by_id", "inspection_id", "employer_id"],
        )  # fmt: skip
        decisions = Sink(
            conn,
            "inspections_decision",
            ["id", "type", "amount_sek", "decided_on", "status", "external_reference",
             "created_at", "agency_id", "created_by_id", "finding_id", "law", "version"],
        )  # fmt: skip
        from inspections.choices import categories_for

        categories = {code: categories_for(code) for code in AGENCY_WEIGHTS}
        counties = self.weighted(COUNTY_WEIGHTS, n, rng)
        sni = self.weighted(SNI_WEIGHTS, n, rng)
        coordinators = self.weighted(INSPECTION_COORDINATORS, n, rng)
        planned_share = 0.05
        past = n - int(n * planned_share)
        per_year = -(-past // len(YEARS))
        counters: dict[int, int] = {}
        severities = ["low", "medium", "medium", "high"]
        for k in range(n):
            wid, iid = wp_id + k, ins_id + k
            county = counties[k]
            workplaces.add(
                f"{wid}\tArbetsställe {k}\tIndustrigatan {k % 200 + 1}\t{county}100\t\t"
                f"{county}80\t{sni[k]}\tpremises\t{self.county[county]}"
            )
            coord = coordinators[k]
            if k < past:
                year = YEARS[min(k // per_year, len(YEARS) - 1)]
                day = date(year, 1, 1) + timedelta(days=(k % per_year) * 365 // per_year)
                r = rng.random()
                status = "documented" if r < 0.6 else ("closed" if r < 0.95 else "cancelled")
            else:
                year = FUTURE_YEAR
                day = date(year, 2, 1) + timedelta(days=k % 300)
                status = "planned" if rng.random() < 0.6 else "staffed"
            performed = status in ("documented", "closed")
            operation = N
            if year in YEARS and extra.random() < 0.25:
                week = min(per_year_ops - 1, (day - date(year, 1, 1)).days * per_year_ops // 365)
                operation = operation_of[(year, week)]
            counters[year] = counters.get(year, 0) + 1
            created = ts(day - timedelta(days=14))
            author = rng.choice(self.staff_of[coord])
            inspections.add(
                f"{iid}\tKO-{year}-{counters[year]:06d}\t{day.isoformat()}\tt\t{status}\t\t"
                f"{day.isoformat() if performed else N}\t"
                f"{rng.randint(0, 25) if performed else N}\t1\t{created}\t{created}\t"
                f"{self.agency[coord][0]}\t{author}\t{wid}\t{operation}"
            )
            met = self.employer_first + int(self.employer_count * rng.random() ** 2)
            employers.add(f"{ie_id}\temployer\t{met}\t{iid}")
            ie_id += 1
            partners = rng.sample([p for p in PARTNERS if p != coord], rng.randint(1, 3))
            accepted = []
            for code in (coord, *partners):
                r = rng.random()
                astatus = (
                    "accepted"
                    if code == coord or r < 0.9
                    else ("declined" if r < 0.95 else "pending")
                )
                if astatus == "accepted":
                    accepted.append(code)
                answered = created if astatus != "pending" else N
                answerer = rng.choice(self.staff_of[code]) if astatus != "pending" else N
                assignments.add(
                    f"{as_id}\ton_site\t{astatus}\t"
                    f"{'Ingen personal tillgänglig' if astatus == 'declined' else ''}\t"
                    f"{created}\t{answered}\t{self.agency[code][0]}\t{answerer}\t{author}\t{iid}"
                )
                as_id += 1
            if not performed:
                continue
            if extra.random() < 0.5:
                rows = {
                    (extra.choice(accepted), extra.choice(rights), extra.choice(NATIONALITIES))
                    for _ in range(extra.randint(1, 3))
                }
                for code, right, land in sorted(rows):
                    persons.add(
                        f"{pc_id}\t{iid}\t{self.agency[code][0]}\t{right}\t{land}\t"
                        f"{extra.randint(1, 8)}"
                    )
                    pc_id += 1
            for _ in range(rng.choices(range(7), weights=FINDINGS_PER_INSPECTION)[0]):
                code = rng.choice(accepted)
                recorder = rng.choice(self.staff_of[code])
                findings.add(
                    f"{fi_id}\t{rng.choice(categories[code])}\tNoterat vid kontrollen\t"
                    f"{rng.choice(severities)}\t\t{'t' if rng.random() < 0.03 else 'f'}\t"
                    f"{ts(day)}\t{self.agency[code][0]}\t{recorder}\t{iid}\t"
                    f"{met if rng.random() < 0.9 else N}"
                )
                if rng.random() < 0.1:
                    kind = rng.choice(DECISION_TYPES.get(code, ["polisanmalan"]))
                    amount = f"{rng.choice((12500, 25000, 40000, 75000))}.00" if kind in FEES else N
                    r = rng.random()
                    state = "decided" if r < 0.9 else ("withdrawn" if r < 0.95 else "proposed")
                    law = "utlanningslagen" if kind in ("polisanmalan", "atalsanmalan") else ""
                    decisions.add(
                        f"{de_id}\t{kind}\t{amount}\t{(day + timedelta(days=30)).isoformat()}\t"
                        f"{state}\t\t{ts(day + timedelta(days=30))}\t{self.agency[code][0]}\t"
                        f"{recorder}\t{fi_id}\t{law}\t1"
                    )
                    de_id += 1
                fi_id += 1
        sinks = (operations, workplaces, inspections, employers, assignments, findings, decisions)
        for sink in (*sinks, persons):
            sink.flush()
        for year in YEARS:
            self.q(
                "INSERT INTO inspections_operationsequence (year, last) VALUES (%s, %s) "
                "ON CONFLICT (year) DO UPDATE SET last = greatest("
                "inspections_operationsequence.last, EXCLUDED.last)",
                [year, per_year_ops],
                conn=conn,
            )
        for year, value in PUBLISHED_HISTORY.items():
            self.q(
                "INSERT INTO reports_publishedfigure (year, key, value, source, entered_at) "
                "VALUES (%s, 'inspections_total', %s, 'Arbetsmiljöverket, Lägesbild', now()) "
                "ON CONFLICT DO NOTHING",
                [year, value],
                conn=conn,
            )
        for year, last in counters.items():
            self.q(
                "INSERT INTO inspections_inspectionsequence (year, last) VALUES (%s, %s) "
                "ON CONFLICT (year) DO UPDATE SET last = greatest("
                "inspections_inspectionsequence.last, EXCLUDED.last)",
                [year, last],
                conn=conn,
            )
        self.counts.update(
            workplaces=workplaces.count,
            inspections=inspections.count,
            inspection_employers=employers.count,
            assignments=assignments.count,
            findings=findings.count,
            decisions=decisions.count,
            operations=operations.count,
            person_counts=persons.count,
        )

    def reset_sequences(self) -> None:
        for table in TABLES:
            self.q(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )

    def guardian_copies(self) -> dict:
        """The peers' grants in guardian's generic tables: the owner agency's group holds
        view and change on each case (guardian has no owner column), plus every share and
        personal grant that has not expired (guardian has no expiry)."""
        now = self.now
        ct = self.case_ct
        self.q(
            "INSERT INTO guardian_groupobjectpermission (object_pk, content_type_id, group_id, "
            "permission_id) "
            "SELECT c.id::text, %s, a.group_id, p.perm FROM cases_case c "
            "JOIN network_agency a ON a.id = c.owner_agency_id "
            "CROSS JOIN (VALUES (%s), (%s)) AS p(perm) "
            "UNION ALL SELECT content_object_id::text, %s, group_id, permission_id "
            "FROM cases_casegroupobjectpermission "
            "WHERE NOT owner AND (expires_at IS NULL OR expires_at > %s)",
            [ct, self.view_perm, self.change_perm, ct, now],
        )
        self.q(
            "INSERT INTO guardian_userobjectpermission (object_pk, content_type_id, user_id, "
            "permission_id) SELECT content_object_id::text, %s, user_id, permission_id "
            "FROM cases_caseuserobjectpermission WHERE expires_at IS NULL OR expires_at > %s",
            [ct, now],
        )
        return {
            "guardian_generic_group_rows": self.q(
                "SELECT count(*) FROM guardian_groupobjectpermission"
            )[0][0],
            "guardian_generic_user_rows": self.q(
                "SELECT count(*) FROM guardian_userobjectpermission"
            )[0][0],
        }


TABLES = [
    "network_user",
    "network_membership",
    "network_user_groups",
    "cases_employer",
    "cases_case",
    "cases_casegroupobjectpermission",
    "cases_caseuserobjectpermission",
    "inspections_controloperation",
    "inspections_workplace",
    "inspections_inspection",
    "inspections_inspectionemployer",
    "inspections_agencyassignment",
    "inspections_finding",
    "inspections_decision",
    "inspections_personcount",
    "guardian_groupobjectpermission",
    "guardian_userobjectpermission",
]


def secondary_indexes(conn) -> list[tuple[str, str]]:
    """(name, definition) of the loaded tables' indexes that back no constraint."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = 'public' AND i.tablename = ANY(%s) AND NOT EXISTS ("
            "SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [TABLES],
        )
        return cur.fetchall()


def unique_constraints(conn) -> list[tuple[str, str, str]]:
    """(table, name, definition) of the loaded tables' unique constraints (not primary keys)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid WHERE c.contype = 'u' AND t.relname = ANY(%s)",
            [TABLES],
        )
        return cur.fetchall()


def load(
    conn,
    scale: float,
    *,
    seed: int = 8,
    fast: bool = False,
    guardian: bool = True,
    second=None,
) -> dict:
    """Fill the (migrated, akrim-empty) database behind the psycopg `conn`. `fast` drops
    secondary indexes and unique constraints during the load and builds them after (for a
    dedicated database); a `second` connection loads inspections while `conn` loads cases."""
    started = time.perf_counter()
    for c in (conn, second) if second is not None else (conn,):
        with c.cursor() as cur:
            # Foreign-key checks are triggers; off for this session's load only.
            cur.execute("SET session_replication_role = replica")
            if fast:
                cur.execute("SET maintenance_work_mem = '512MB'")
    dropped = secondary_indexes(conn) if fast else []
    uniques = unique_constraints(conn) if fast else []
    for name, _ in dropped:
        conn.execute(f'DROP INDEX "{name}"')
    for table, name, _ in uniques:
        conn.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    loader = Loader(conn, scale, seed)
    try:
        counts = loader.run(second)
    finally:
        if not fast:
            conn.execute("SET session_replication_role = origin")
    timings = {"copy_s": round(time.perf_counter() - started, 1)}
    if guardian:
        counts.update(loader.guardian_copies())
        loader.q(
            "SELECT setval(pg_get_serial_sequence('guardian_groupobjectpermission', 'id'), "
            "(SELECT coalesce(max(id), 0) + 1 FROM guardian_groupobjectpermission), false)"
        )
        timings["guardian_copies_s"] = round(time.perf_counter() - started, 1)
    for table, name, definition in uniques:
        conn.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    for _, definition in dropped:
        conn.execute(definition)
    timings["indexes_s"] = round(time.perf_counter() - started, 1)
    with conn.cursor() as cur:
        cur.execute("SET session_replication_role = origin")
        # COPY sends no signals: every inspection's ranking facts are stale, as after the
        # migration that made them (built by `manage.py ranking_facts --rebuild`, or by
        # bench/risk.py before it measures).
        cur.execute(
            "INSERT INTO inspections_rankingstale (inspection_id, marked_at) "
            "SELECT id, now() FROM inspections_inspection ON CONFLICT DO NOTHING"
        )
    return {"sizes": loader.sizes, "counts": counts, "timings": timings}


def recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
            "AND pid <> pg_backend_pid()",
            [name],
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="akrim_bench", help="database name (dropped first)")
    parser.add_argument("--host", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = full size, 0.1 = 100k")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args(argv)
    if not args.db.startswith("akrim_bench"):
        sys.exit("the benchmark database name must start with akrim_bench (it is dropped)")
    url = f"{args.host}/{args.db}"
    started = time.perf_counter()
    recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started
    connection.ensure_connection()
    raw = connection.connection
    raw.autocommit = True
    import psycopg

    with psycopg.connect(url, autocommit=True) as second:
        result = load(raw, args.scale, seed=args.seed, fast=True, second=second)
    analysed = time.perf_counter()
    raw.execute("VACUUM ANALYZE")
    result["timings"].update(
        migrate_s=round(migrated, 1),
        vacuum_analyze_s=round(time.perf_counter() - analysed, 1),
        total_s=round(time.perf_counter() - started, 1),
    )
    result.update(database=args.db, scale=args.scale, seed=args.seed)
    print(f"{'table / step':<32}{'rows / s':>14}")
    for key, value in {**result["counts"], **result["timings"]}.items():
        print(f"{key:<32}{value!s:>14}")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"generate-{args.db}.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
