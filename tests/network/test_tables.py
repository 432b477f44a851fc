"""The list-page base (network/tables.py, network/pagination.py): the sort whitelist, keyset
pages that follow the chosen order in both directions (ties broken by id), the empty state,
bad parameters (never a 500), accessible headers, and a constant number of queries on a
sorted page."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.coordination import services as case_services
from cases.coordination.models import AccessReview, Case
from cases.coordination.tables import CaseTable, ReviewTable
from cases.referrals.models import VictimReferral
from cases.referrals.tables import ReferralTable
from cases.tips.models import Tip
from cases.tips.tables import TipTable
from inspections.models import ControlOperation, FollowUp, Inspection
from inspections.tables import FollowUpTable, InspectionTable, OperationTable
from network.models import AuditEvent
from network.pagination import keyset_page
from network.tables import AuditEventTable, Table, sort_order
from reports.models import ReportBuild
from reports.tables import BuildTable

pytestmark = pytest.mark.django_db

TABLES = {
    CaseTable: Case,
    ReviewTable: AccessReview,
    ReferralTable: VictimReferral,
    TipTable: Tip,
    InspectionTable: Inspection,
    FollowUpTable: FollowUp,
    OperationTable: ControlOperation,
    AuditEventTable: AuditEvent,
    BuildTable: ReportBuild,
}


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_every_table_is_checked_here():
    assert set(TABLES) == {
        table for table in _subclasses(Table) if table.__module__.split(".")[0] != "tests"
    }


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.__name__)
def test_every_sortable_column_sorts_by_one_non_null_field(table):
    """A keyset cursor cannot step past a NULL: the whitelist only holds non-null fields."""
    model = TABLES[table]
    for name, path in table.sort_fields().items():
        field_model, field = model, None
        for part in path.split("__"):
            field = field_model._meta.get_field(part)
            assert not field.null, f"{table.__name__}.{name} sorts by nullable {path}"
            field_model = field.related_model
        assert field is not None


def test_sort_whitelist():
    default = ("-id",)
    assert sort_order(CaseTable, "title", default) == (("title", "id"), "title")
    assert sort_order(CaseTable, "-updated", default) == (("-updated_at", "-id"), "-updated")
    # A column that is not sortable, a field that is not a column, junk: the default order.
    for value in ("employer", "summary", "updated_at", "--title", "", "title;drop", "-"):
        assert sort_order(CaseTable, value, default) == (default, "")


def _events(actions, same_time=0):
    """Events with these actions, a minute apart (the first `same_time` at one instant)."""
    at = timezone.now()
    return AuditEvent.objects.bulk_create(
        AuditEvent(action=action, at=at - datetime.timedelta(minutes=max(n, same_time - 1)))
        for n, action in enumerate(actions)
    )


def _walk(rows, order, size=2, **extra):
    """Every page of `rows` in `order`, following the cursors."""
    seen, params, pages = [], dict(extra), 0
    while True:
        page = keyset_page(rows, params, order=order, size=size)
        seen += [row.pk for row in page.rows]
        pages += 1
        if page.next_before is None:
            return seen, pages
        params["before"] = page.next_before
        assert pages < 50


@pytest.mark.parametrize("descending", [False, True])
def test_keyset_follows_the_sort_in_both_directions_across_ties(descending):
    # Ties on the sort key, and values with the cursor's separator and percent signs in them.
    _events(["b_x", "a", "b_x", "c%2F", "a", "b_x", "a_", "c%2F"])
    rows = AuditEvent.objects.all()
    sign = "-" if descending else ""
    expected = list(rows.order_by(f"{sign}action", f"{sign}id").values_list("pk", flat=True))

    for size in (1, 2, 3, 8, 9):
        seen, _pages = _walk(rows, (f"{sign}action", f"{sign}id"), size=size)
        assert seen == expected, size


def test_keyset_by_datetime_and_a_three_key_order():
    _events(["x", "y", "x", "y", "x"], same_time=2)  # two events at the very same instant
    rows = AuditEvent.objects.all()
    for order in (("at", "id"), ("-at", "-id"), ("action", "-at", "-id")):
        seen, _ = _walk(rows, order)
        assert seen == list(rows.order_by(*order).values_list("pk", flat=True)), order


def test_an_older_bare_id_cursor_still_pages_under_a_longer_order():
    events = _events(["a", "b", "c", "d"])
    rows = AuditEvent.objects.all()
    ordered = list(rows.order_by("action", "id"))
    page = keyset_page(rows, {"before": str(ordered[1].pk)}, order=("action", "id"), size=10)
    assert [e.pk for e in page.rows] == [e.pk for e in ordered[2:]]
    assert page.paged
    assert len(events) == 4


@pytest.mark.parametrize(
    "cursor", ["abc", "2026-13-01_5", "x_y_z", "_", "%ZZ_1", "1_2_3_4", "99999999999999999999"]
)
def test_a_cursor_that_does_not_fit_gives_the_first_page(cursor):
    _events(["a", "b", "c"])
    rows = AuditEvent.objects.all()
    first = keyset_page(rows, {}, order=("-at", "-id"), size=2)
    page = keyset_page(rows, {"before": cursor}, order=("-at", "-id"), size=2)
    if page.paged:  # only a number that parses may be read as an (absent) row's id
        assert page.rows == []
    else:
        assert page.rows == first.rows


def test_an_order_without_the_id_tiebreak_is_refused():
    with pytest.raises(ValueError, match="tiebreak"):
        keyset_page(AuditEvent.objects.all(), {}, order=("action",))


# --- through a page ---------------------------------------------------------------------------


def _cases(user, titles):
    return [case_services.open_case(title=title, actor=user) for title in titles]


def test_a_sorted_list_pages_in_its_order_and_marks_the_header(client, skv_staff):
    _cases(skv_staff, ["Bygge", "Anläggning", "Bygge", "Café", "Anläggning"])
    client.force_login(skv_staff)
    url = reverse("cases:case_list")
    expected = list(
        Case.objects.visible_to(skv_staff).order_by("-title", "-id").values_list("pk", flat=True)
    )

    seen, params = [], {"sort": "-title"}
    view_page_size = 2
    from cases.coordination.views import CaseListView

    original = CaseListView.page_size
    CaseListView.page_size = view_page_size
    try:
        while True:
            response = client.get(url, params)
            assert response.status_code == 200
            seen += [case.pk for case in response.context["cases"]]
            if response.context["next_before"] is None:
                break
            params["before"] = response.context["next_before"]
    finally:
        CaseListView.page_size = original
    assert seen == expected

    page = client.get(url, {"sort": "-title"}).content.decode()
    sorted_headers = re.findall(r"<th [^>]*aria-sort=\"(\w+)\"[^>]*>(.*?)</th>", page)
    assert len(sorted_headers) == 1
    assert sorted_headers[0][0] == "descending"
    assert "Title" in sorted_headers[0][1]
    # Its link turns the order round; the other sortable headers start ascending.
    assert 'href="?sort=title"' in page
    assert 'href="?sort=reference"' in page
    assert '<th scope="col"' in page
    assert '<input type="hidden" name="sort" value="-title">' in page  # filtering keeps it
    assert "<caption" in page


def test_an_unknown_sort_or_a_bad_cursor_is_ignored(client, skv_staff):
    cases = _cases(skv_staff, ["Ett", "Två"])
    client.force_login(skv_staff)
    url = reverse("cases:case_list")
    for params in (
        {"sort": "summary"},
        {"sort": "-employer"},
        {"sort": "title", "before": "2026-01-01_x"},
        {"before": "Ett_12"},
        {"sort": "updated", "before": "not-a-time_3"},
    ):
        response = client.get(url, params)
        assert response.status_code == 200, params
        if params.get("sort") in (None, "summary", "-employer"):
            assert [c.pk for c in response.context["cases"]] == [cases[1].pk, cases[0].pk]
        marked = 'aria-sort="' in response.content.decode()
        assert marked == (params.get("sort") in ("title", "updated")), params


def test_the_empty_state_says_nothing_matches_and_offers_to_clear_filters(client, skv_staff):
    client.force_login(skv_staff)
    url = reverse("cases:case_list")

    unfiltered = client.get(url).content.decode()
    assert "No cases match." in unfiltered
    assert "Clear the filters" not in unfiltered

    filtered = client.get(url, {"q": "finns inte", "sort": "title"}).content.decode()
    assert "No cases match." in filtered
    assert '<a href="?sort=title">Clear the filters</a>' in filtered


@pytest.mark.parametrize(
    ("name", "persona_name", "sort"),
    [
        ("cases:case_list", "skv_staff", "title"),
        ("cases:case_list", "skv_staff", "-updated"),
        ("network:audit_list", "skv_auditor", "at"),
    ],
)
def test_a_sorted_page_costs_the_same_queries_for_1_and_many_rows(
    client, request, session_not_touched, django_assert_num_queries, name, persona_name, sort
):
    user = request.getfixturevalue(persona_name)
    staff = request.getfixturevalue("skv_staff")
    _cases(staff, ["Första"])
    client.force_login(user)
    url = reverse(name)
    client.get(url, {"sort": sort})  # warm up the session
    with CaptureQueriesContext(connection) as few:
        response = client.get(url, {"sort": sort})
    assert response.status_code == 200
    few_rows = len(response.context["table"].rows)

    _cases(staff, [f"Ärende {n}" for n in range(30)])
    with django_assert_num_queries(len(few)):
        response = client.get(url, {"sort": sort})
    assert len(response.context["table"].rows) > few_rows


@pytest.mark.parametrize(
    ("name", "who"),
    [
        ("tips:tip_list", ("av", "coordinator")),
        ("inspections:follow_up_list", ("skv", "staff")),
        ("cases:review_list", ("skv", "auditor")),
        ("inspections:operation_board", ("av", "coordinator")),
        ("cases:case_list", ("skv", "staff")),
        ("reports:report_home", ("av", "analyst")),
    ],
)
def test_an_old_numbered_page_link_opens_the_first_page_with_its_filters(
    client, persona, name, who
):
    """Before the keyset pager these lists had `?page=N`; a bookmark or a mailed link with
    one opens the first page, keeping the link's other parameters."""
    client.force_login(persona(*who))
    url = reverse(name)

    response = client.get(url, {"page": "3", "sort": "-title", "q": "bygg"})
    assert response.status_code == 302
    assert response.url == f"{url}?sort=-title&q=bygg"
    assert client.get(response.url).status_code == 200

    bare = client.get(url, {"page": "x"})
    assert (bare.status_code, bare.url) == (302, url)


def test_an_old_numbered_page_link_is_refused_like_the_list_itself(client, persona):
    """The redirect comes after the capability check, so it shows nobody a list they may
    not open."""
    client.force_login(persona("av", "analyst"))
    assert client.get(reverse("tips:tip_list"), {"page": "2"}).status_code == 403
