"""The benchmark data set (bench/generate.py) at a small size, in the test database.

Correctness, not timings: the generated rows are ones our models accept, in the requested
proportions; `visible_to` gives the same answer as guardian on the copies of the grants; and
the benchmarked paths (case list, inspection list, employer search, Lägesbild figures) run a
constant number of queries, none of which counts every row a list could show.
"""

import pytest
from django.db import connection
from django.db.models import Count, F
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import get_objects_for_user
from rest_framework.test import APIClient

from bench.access import generic_guardian
from bench.generate import YEARS, load
from cases.coordination.models import Case, CaseGroupObjectPermission, CaseUserObjectPermission
from cases.employers.models import Employer
from inspections.models import AgencyAssignment, Finding, Inspection
from network.models import User
from reports import figures

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SCALE = 0.003  # 3,000 cases and inspections, 6,000 grant rows


@pytest.fixture
def data():
    connection.ensure_connection()
    return load(connection.connection, SCALE, seed=3)


def staff(agency, role="staff"):
    user = (
        User.objects.filter(membership__agency__code=agency, membership__roles=[role])
        .order_by("id")
        .first()
    )
    return User.objects.get(pk=user.pk)


def test_sizes_and_distributions(data):
    sizes, counts = data["sizes"], data["counts"]
    assert Case.objects.count() == sizes["cases"] == 3000
    assert Inspection.objects.count() == sizes["inspections"] == 3000
    assert User.objects.filter(username__startswith="bench.").count() == sizes["users"]
    # Every share and grant row the generator wrote, the expired ones too (`objects` holds
    # those in force); the owning agency's rows apart: view, change and share on every case.
    grants = (
        CaseGroupObjectPermission.all_grants.filter(owner=False).count()
        + CaseUserObjectPermission.all_grants.count()
    )
    owner_rows = CaseGroupObjectPermission.all_grants.filter(owner=True)
    assert owner_rows.count() == counts["owner_rows"] == 3 * sizes["cases"]
    assert owner_rows.filter(part_of=None).count() == sizes["cases"]
    assert grants == counts["grants"]
    assert abs(grants - sizes["grants"]) / sizes["grants"] < 0.05
    # 5 % of cases shared (binomial, n=3000: sd 0.4 %), expired shares about 1 %.
    shared = Case.objects.filter(shares__owner=False).distinct().count()
    assert shared == counts["cases_shared"]
    assert 0.035 < shared / 3000 < 0.065
    assert counts["shares_expired"] <= 0.05 * counts["shares"]
    # 0-6 findings per inspection, about 3 on average overall.
    per = Finding.objects.values("inspection").annotate(n=Count("id"))
    assert max(row["n"] for row in per) <= 6
    assert 2.5 < Finding.objects.count() / 3000 < 3.5
    # Every performed inspection has its coordinator assigned; years as requested.
    years = set(Inspection.objects.values_list("planned_date__year", flat=True))
    assert set(YEARS) <= years
    assert not Inspection.objects.exclude(
        assignments__agency_id=F("coordinating_agency_id")
    ).exists()


def test_rows_are_consistent(data):
    """Foreign keys were not checked during the load: check them here."""
    with connection.cursor() as cur:
        for child, column, parent in [
            ("cases_case", "owner_agency_id", "network_agency"),
            ("cases_case", "employer_id", "cases_employer"),
            ("cases_case", "created_by_id", "network_user"),
            ("cases_casegroupobjectpermission", "content_object_id", "cases_case"),
            ("cases_caseuserobjectpermission", "user_id", "network_user"),
            ("inspections_inspection", "workplace_id", "inspections_workplace"),
            ("inspections_agencyassignment", "inspection_id", "inspections_inspection"),
            ("inspections_finding", "inspection_id", "inspections_inspection"),
            ("inspections_decision", "finding_id", "inspections_finding"),
            ("inspections_inspection", "operation_id", "inspections_controloperation"),
            ("inspections_personcount", "inspection_id", "inspections_inspection"),
        ]:
            cur.execute(
                f"SELECT count(*) FROM {child} c WHERE c.{column} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {parent} p WHERE p.id = c.{column})"
            )
            assert cur.fetchone()[0] == 0, f"{child}.{column} points nowhere"
    # A finding's agency took part (accepted) in its inspection.
    assert not Finding.objects.exclude(
        inspection__assignments__agency_id=F("agency_id"),
        inspection__assignments__status="accepted",
    ).exists()
    # Models accept the rows; sequences continue after the loaded ids.
    for obj in (Case.objects.first(), Inspection.objects.first(), Employer.objects.first()):
        obj.full_clean()
    case = Case.objects.create(
        reference="AK-2099-000001",
        title="t",
        owner_agency_id=Case.objects.first().owner_agency_id,
        created_by=User.objects.first(),
    )
    assert case.pk > Case.objects.exclude(pk=case.pk).order_by("-pk").first().pk


@pytest.mark.parametrize(("agency", "role"), [("skv", "staff"), ("jamy", "staff"), ("av", "admin")])
def test_visible_to_equals_guardian(data, agency, role):
    user = staff(agency, role)
    mine = set(Case.objects.visible_to(user).values_list("pk", flat=True))
    assert mine
    with generic_guardian():
        # guardian's default call: no role carries `cases.view_case` (docs/access.md)
        theirs = get_objects_for_user(user, "cases.view_case", Case)
        assert mine == set(theirs.values_list("pk", flat=True))
    inspections = set(Inspection.objects.visible_to(user).values_list("pk", flat=True))
    with generic_guardian():
        # guardian copies of inspection grants are made by the access benchmark itself
        from bench.access import guardian_inspection_copies

        guardian_inspection_copies(connection)
        theirs = get_objects_for_user(
            User.objects.get(pk=user.pk),
            "inspections.view_inspection",
            Inspection,
            accept_global_perms=False,
        )
        assigned = set(theirs.values_list("pk", flat=True))
    if user.has_perm("inspections.coordinate_inspection"):
        assert inspections >= assigned
    else:
        assert inspections == assigned


def queries(client, url):
    """Queries of one request, the user loaded afresh as each request has it."""
    client.force_authenticate(User.objects.get(pk=client.handler._force_user.pk))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    sql = [q["sql"] for q in captured.captured_queries]
    assert not any("COUNT(" in s.upper() for s in sql), "a list counted its rows"
    return len(sql), response.json()


@pytest.mark.parametrize(
    "url",
    ["/api/v1/cases/", "/api/v1/inspections/", "/api/v1/employers/?q=Bygg"],
)
def test_benchmarked_lists_run_constant_queries(data, url):
    client = APIClient()
    client.force_authenticate(staff("skv"))
    sep = "&" if "?" in url else "?"
    small, page = queries(client, f"{url}{sep}page_size=5")
    large, _ = queries(client, f"{url}{sep}page_size=50")
    larger, _ = queries(client, f"{url}{sep}page_size=100")
    # The count does not grow with the page. A small page may need fewer: the case list
    # records one read per case with its basis, and looks up shares and grants only when the
    # page holds cases the user's agency does not own (docs/access.md).
    assert large == larger
    assert small <= large
    assert len(page["results"]) == 5
    assert page["next"]
    follow, _ = queries(client, page["next"])
    assert follow <= large


def test_employer_search_by_case_employer(data):
    employer = Case.objects.filter(employer__isnull=False).first().employer
    client = APIClient()
    client.force_authenticate(staff("skv"))
    small, _ = queries(client, f"/api/v1/cases/?employer={employer.orgnr}&page_size=2")
    large, _ = queries(client, f"/api/v1/cases/?employer={employer.orgnr}&page_size=50")
    assert small == large


def test_lagesbild_figures_constant_queries(data):
    counts = []
    # Two years that both have akrim's own previous year (the first year reads the published
    # history for its comparison instead: one query more, whatever the data size).
    for year in (YEARS[1], YEARS[-1]):
        with CaptureQueriesContext(connection) as captured:
            result = figures.compute(year, "network")
        counts.append(len(captured))
        assert (
            result["inspections_total"]
            == Inspection.objects.filter(performed_on__year=year).count()
        )
    assert counts[0] == counts[1]
    agency_counts = []
    for year in (YEARS[1], YEARS[-1]):  # an agency's own build: constant too
        with CaptureQueriesContext(connection) as captured:
            figures.compute(year, "skv")
        agency_counts.append(len(captured))
    assert agency_counts[0] == agency_counts[1]
    assert AgencyAssignment.objects.exists()


# The figures contract's keys (docs/reports.md): version 1, and version 2 with its counts.
CONTRACT_KEYS = {
    "inspections_total",
    "inspections_by_county",
    "inspections_by_sni_section",
    "inspections_with_findings",
    "findings_by_agency_category",
    "decisions_by_type",
    "persons_checked_total",
    "referrals_total",
    "employers_controlled",
    "employers_with_findings",
    "employers_with_decision_by_type",
    "persons_checked_by_agency",
    "persons_by_right_to_work",
    "inspections_with_persons_by_right_to_work",
    "persons_by_nationality",
    "inspections_by_operation",
    "inspections_trend",
    "change_from_previous_year",
}


def test_the_benchmarks_hand_written_sql_agrees_on_every_contract_key(data):
    """bench/lagesbild.py times the figures against its own SQL: both must give the same
    answer, on data that has something in every v2 figure (operations, person counts,
    withdrawn decisions, published history)."""
    from bench.lagesbild import CONTRACT_KEYS as BENCH_KEYS
    from bench.lagesbild import compare, hand_written

    assert BENCH_KEYS == CONTRACT_KEYS
    year = YEARS[-1]
    computed = figures.compute(year, "network")
    same, _only_in_build = compare(computed, hand_written(connection, year))
    assert set(same) >= CONTRACT_KEYS
    for key in CONTRACT_KEYS - {"inspections_total", "inspections_with_findings",
                                "persons_checked_total", "referrals_total",
                                "employers_controlled", "employers_with_findings"}:  # fmt: skip
        assert computed[key], f"{key} is empty in the benchmark data"
    operation = next(iter(computed["inspections_by_operation"]))
    assert operation.startswith(f"KI-{year}-")
    assert computed["inspections_trend_source"]["2017"] == "published"
