"""Benchmarks a and b (docs/performance.md): first pages of protected lists against the limit and guardian.

For a staff user of the largest agency, in one run and as medians of repeated runs:

- a. cases: the first page (50, newest first, with the API's select_related) of
  `Case.objects.visible_to(user)` against the same page with no permission filter (the
  limit), against guardian's `get_objects_for_user` on direct-FK tables and on its generic
  tables (the peers, on copies of the grants: guardian has no owner column and no expiry,
  so the owner agency's group holds view+change on every case and expired grants are left
  out);
- a. also the first page of cases as the API's list reads it when no filter is asked
  (`CasePolicy.newest`, network/api/pagination.py): the newest ids of each relation of the
  scope by its index, the page by primary key; row `cases_first_page`, checked equal to the
  `cases` row's answer, its guardian figures those of that row (the same page);
- b. inspections the same way (guardian copies: a view grant to the group of every agency
  assigned and not declined), and a search by employer: the first page of the visible cases
  of the employer with most cases.

Each peer's answer is checked against `visible_to` (same ids) before it is timed. Every side
is given the user as a request has it when the list runs (membership loaded with the user,
role capabilities checked: `fresh` in `main`), so no side is timed for what authentication
did before the list; until 2026-12-07 `visible_to`'s side alone was timed for the membership
look-up (docs/performance.md, "First pages").
The direct-FK peer for cases adds the owner grants to `cases_casegroupobjectpermission`
inside a transaction that is rolled back (a case created through the ORM has them already,
cases/grants.py; the generator's bulk-loaded cases have none); inspections have no direct-FK grant tables in
akrim (visibility comes from assignments; their direct-FK models are views derived from
them, inspections/models.py), so their direct-FK peer is the query guardian builds, on
temporary tables shaped like guardian's direct-FK tables holding the same grants.

    .venv/bin/python -m bench.access --db akrim_bench --repeat 7
"""

from __future__ import annotations

import argparse
from contextlib import contextmanager

from bench.common import median_ms, ratio, report, setup

PAGE = 50


@contextmanager
def generic_guardian():
    """guardian's own code path on its generic tables, for a model that has direct-FK ones."""
    from guardian import shortcuts
    from guardian.models import GroupObjectPermission, UserObjectPermission

    saved = shortcuts.get_user_obj_perms_model, shortcuts.get_group_obj_perms_model
    shortcuts.get_user_obj_perms_model = lambda *a, **k: UserObjectPermission
    shortcuts.get_group_obj_perms_model = lambda *a, **k: GroupObjectPermission
    try:
        yield
    finally:
        shortcuts.get_user_obj_perms_model, shortcuts.get_group_obj_perms_model = saved


def ids(queryset) -> list[int]:
    return [obj.pk for obj in queryset]


def pick_user(agency: str, role: str):
    from network.models import User

    return (
        User.objects.filter(membership__agency__code=agency, membership__roles=[role])
        .order_by("id")
        .first()
    )


def guardian_inspection_copies(connection) -> int:
    """Generic guardian rows for inspections (idempotent): view to each agency assigned."""
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get(app_label="inspections", model="inspection")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM guardian_groupobjectpermission WHERE content_type_id = %s",
            [ct.id],
        )
        count = cur.fetchone()[0]
        if not count:
            cur.execute(
                "INSERT INTO guardian_groupobjectpermission (object_pk, content_type_id, "
                "group_id, permission_id) SELECT a.inspection_id::text, %s, g.group_id, p.id "
                "FROM inspections_agencyassignment a JOIN network_agency g ON g.id = a.agency_id "
                "JOIN auth_permission p ON p.content_type_id = %s "
                "AND p.codename = 'view_inspection' WHERE a.status <> 'declined'",
                [ct.id, ct.id],
            )
            cur.execute("ANALYZE guardian_groupobjectpermission")
            count = cur.rowcount
    return count


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="akrim_bench")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--agency", default="skv")
    args = parser.parse_args(argv)
    setup(args.db)

    from django.db import connection, transaction
    from django.db.models import Count
    from guardian.shortcuts import get_objects_for_user

    from cases.coordination.models import Case
    from cases.coordination.policies import case_policy
    from cases.employers.models import Employer
    from inspections.models import Inspection
    from network.backends import MembershipModelBackend

    staff = pick_user(args.agency, "staff")
    guardian_inspection_copies(connection)

    backend = MembershipModelBackend()

    def fresh():
        """The user as a request has it when the list runs, whichever scoping is used: loaded
        afresh with the active membership (the session's user is loaded with it in one
        query, `MembershipModelBackend.get_user`; a token's user has it loaded by
        `network.tokens.TokenAuthentication`), and the role capabilities already checked
        (HasCapability). Neither is paid again by the list, so neither is timed on either
        side."""
        user = backend.get_user(staff.pk)
        user.get_all_permissions()
        return user

    def case_page(qs):
        return qs.select_related("owner_agency", "employer").order_by("-id")[:PAGE]

    def inspection_page(qs):
        return qs.select_related("workplace__county", "coordinating_agency").order_by("-id")[:PAGE]

    employer = (
        Employer.objects.annotate(n=Count("cases")).order_by("-n").values_list("pk", "orgnr")[0]
    )

    def by_employer(qs):
        return case_page(qs.filter(employer__orgnr=employer[1]))

    paths = {
        "cases": (Case, case_page, "cases.view_case"),
        "inspections": (Inspection, inspection_page, "inspections.view_inspection"),
        "cases_by_employer": (Case, by_employer, "cases.view_case"),
    }
    # The case list's first page as the API reads it when no filter is asked.
    derived = {"cases_first_page": "cases"}
    policy = case_policy()
    rows = []

    def measure(name, model, page, perm, visible=None):
        visible = visible or (lambda user: model.objects.visible_to(user))
        expected = ids(page(visible(fresh())))
        row = {"list": name, "visible": len(expected)}
        row["visible_to_ms"] = median_ms(
            lambda user: ids(page(visible(user))), args.repeat, prepare=fresh
        )
        row["unfiltered_ms"] = median_ms(lambda: ids(page(model.objects.all())), args.repeat)
        # The same two pages as SQL alone (planning, execution, transfer): the database's
        # share, without the ORM building the query.
        for key, queryset in (
            ("visible_to_sql_ms", page(visible(fresh()))),
            ("unfiltered_sql_ms", page(model.objects.all())),
        ):
            sql, params = queryset.query.sql_with_params()
            row[key] = median_ms(lambda sql=sql, params=params: run_sql(sql, params), args.repeat)
        if name in derived:  # the peers of the same page were measured for another row
            return row, expected
        with generic_guardian():
            got = ids(page(get_objects_for_user(fresh(), perm, model, accept_global_perms=False)))
            assert got == expected, f"{name}: guardian generic answer differs"
            row["guardian_generic_ms"] = median_ms(
                lambda user: ids(
                    page(get_objects_for_user(user, perm, model, accept_global_perms=False))
                ),
                max(3, args.repeat // 2),
                prepare=fresh,
            )
        return row, expected

    # akrim's own scoping first, on the tables as the generator left them.
    expected = {}
    for name in ("cases", "cases_by_employer", "inspections"):
        model, page, perm = paths[name]
        row, expected[name] = measure(name, model, page, perm)
        rows.append(row)
    row, first_page = measure(
        "cases_first_page", Case, case_page, "cases.view_case",
        visible=lambda user: policy.newest(user, PAGE),
    )  # fmt: skip
    assert first_page == expected["cases"], "cases_first_page: the answer differs"
    rows.append(row)
    model, page, perm = paths["inspections"]
    rows[2]["guardian_direct_fk_ms"] = inspection_direct_fk(
        connection, fresh, page, expected["inspections"], args.repeat
    )

    # Then the peers on direct-FK tables: the owner grants live only inside this transaction.
    from django.contrib.auth.models import Permission

    view, change = (
        Permission.objects.get(content_type__app_label="cases", codename=c)
        for c in ("view_case", "change_case")
    )
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO cases_casegroupobjectpermission (legal_basis, reason, granted_at, "
                "owner, content_object_id, group_id, permission_id) SELECT '', '', now(), "
                "true, c.id, a.group_id, p.perm FROM cases_case c JOIN network_agency a "
                "ON a.id = c.owner_agency_id CROSS JOIN (VALUES (%s), (%s)) AS p(perm) "
                # Cases created through the ORM have their owner rows already (cases/grants.py).
                "ON CONFLICT DO NOTHING",
                [view.id, change.id],
            )
            # guardian's copies hold no expired grant.
            cur.execute(
                "DELETE FROM cases_casegroupobjectpermission WHERE expires_at <= now(); "
                "DELETE FROM cases_caseuserobjectpermission WHERE expires_at <= now(); "
                "ANALYZE cases_casegroupobjectpermission; ANALYZE cases_caseuserobjectpermission"
            )
        for row in rows[:2]:
            model, page, perm = paths[row["list"]]
            peer = measure_peer(fresh, model, page, perm, args.repeat)
            assert peer.pop("peer_ids") == expected[row["list"]], "guardian direct-FK differs"
            row.update(peer)
        transaction.set_rollback(True)
    with connection.cursor() as cur:
        # The rolled-back rows left the indexes bloated: rebuild them for the next run.
        cur.execute("REINDEX TABLE cases_casegroupobjectpermission")
        cur.execute("VACUUM ANALYZE cases_casegroupobjectpermission")
        cur.execute("VACUUM ANALYZE cases_caseuserobjectpermission")
    for row in rows:
        if row["list"] in derived:
            peer = next(r for r in rows if r["list"] == derived[row["list"]])
            for key in ("guardian_direct_fk_ms", "guardian_generic_ms"):
                row[key] = peer[key]
    for row in rows:
        row["x_unfiltered"] = ratio(row["visible_to_ms"], row["unfiltered_ms"])
        row["x_unfiltered_sql"] = ratio(row["visible_to_sql_ms"], row["unfiltered_sql_ms"])
        row["guardian_direct_fk_x_slower"] = ratio(
            row["guardian_direct_fk_ms"], row["visible_to_ms"]
        )
        row["guardian_generic_x_slower"] = ratio(row["guardian_generic_ms"], row["visible_to_ms"])
    order = [
        "list", "visible", "visible_to_ms", "unfiltered_ms", "guardian_direct_fk_ms",
        "guardian_generic_ms", "x_unfiltered", "visible_to_sql_ms", "unfiltered_sql_ms",
        "x_unfiltered_sql", "guardian_direct_fk_x_slower",
        "guardian_generic_x_slower",
    ]  # fmt: skip
    rows = [{key: row.get(key) for key in order} for row in rows]
    return report(
        "access",
        rows,
        {
            "database": args.db,
            "user": f"{staff.username} ({args.agency} staff)",
            "employer": employer[1],
            "repeat": args.repeat,
            "cases": Case.objects.count(),
            "inspections": Inspection.objects.count(),
            "targets": "x_unfiltered <= 1.5 and guardian_direct_fk_x_slower >= 4",
        },
    )


def run_sql(sql, params):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def measure_peer(fresh, model, page, perm, repeat) -> dict:
    from guardian.shortcuts import get_objects_for_user

    def run(user):
        return ids(page(get_objects_for_user(user, perm, model, accept_global_perms=False)))

    return {
        "peer_ids": run(fresh()),
        "guardian_direct_fk_ms": median_ms(run, repeat, prepare=fresh),
    }


def inspection_direct_fk(connection, fresh, page, expected, repeat) -> float:
    """guardian's direct-FK query for inspections, as `get_objects_for_user` builds it for
    cases (pk IN the user's grants OR pk IN the grants of the user's groups, permission by
    codename), on temporary tables shaped and indexed like guardian's direct-FK base models
    and holding the inspection grants (akrim has no such tables: inspections are scoped by
    their assignments)."""
    from django.contrib.auth.models import Permission
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    from inspections.models import Inspection

    view = Permission.objects.get(content_type__app_label="inspections", codename="view_inspection")
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_inspection_group_grant AS "
            "SELECT a.inspection_id AS content_object_id, g.group_id, %s AS permission_id "
            "FROM inspections_agencyassignment a JOIN network_agency g ON g.id = a.agency_id "
            "WHERE a.status <> 'declined'",
            [view.pk],
        )
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_inspection_user_grant "
            "(content_object_id bigint, user_id bigint, permission_id int); "
            "CREATE UNIQUE INDEX IF NOT EXISTS bench_igg_unique ON bench_inspection_group_grant "
            "(group_id, permission_id, content_object_id); "
            "CREATE INDEX IF NOT EXISTS bench_igg_object ON bench_inspection_group_grant "
            "(content_object_id); "
            "CREATE INDEX IF NOT EXISTS bench_igg_permission ON bench_inspection_group_grant "
            "(permission_id); "
            "CREATE UNIQUE INDEX IF NOT EXISTS bench_iug_unique ON bench_inspection_user_grant "
            "(user_id, permission_id, content_object_id); "
            "ANALYZE bench_inspection_group_grant; ANALYZE bench_inspection_user_grant"
        )
    where = (
        '"inspections_inspection"."id" IN (SELECT u.content_object_id '
        "FROM bench_inspection_user_grant u JOIN auth_permission p ON p.id = u.permission_id "
        "WHERE u.user_id = %s AND p.content_type_id = %s AND p.codename IN (%s)) "
        'OR "inspections_inspection"."id" IN (SELECT g.content_object_id '
        "FROM bench_inspection_group_grant g JOIN auth_permission p ON p.id = g.permission_id "
        "WHERE g.group_id IN (SELECT ug.group_id FROM network_user_groups ug "
        "WHERE ug.user_id = %s) AND p.codename IN (%s) AND p.content_type_id = %s)"
    )

    def run(user):
        params = [user.pk, view.content_type_id, view.codename]
        params += [user.pk, view.codename, view.content_type_id]
        condition = RawSQL(where, params, output_field=BooleanField())
        return ids(page(Inspection.objects.filter(condition)))

    assert run(fresh()) == expected, "inspections: guardian direct-FK shape answer differs"
    return median_ms(run, repeat, prepare=fresh)


if __name__ == "__main__":
    main()
