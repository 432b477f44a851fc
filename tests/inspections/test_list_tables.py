"""The inspection and follow-up lists sorted by a column (network/tables.py): the order is
the column's with the id as tiebreak, across keyset pages, and a sorted page costs the same
number of queries for one row as for many."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inspections.services import follow_ups
from inspections.views import FollowUpListView

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _follow_ups(inspection, actor, days):
    return [
        follow_ups.add_follow_up(
            inspection, title=f"Uppgift {n}", due_date=date.today() + timedelta(days=d), actor=actor
        )
        for n, d in enumerate(days)
    ]


def test_follow_ups_sorted_by_due_date_both_ways_across_pages_and_ties(
    client, joint, skv_staff, monkeypatch
):
    made = _follow_ups(joint, skv_staff, [3, 1, 3, 2, 1, 3])
    monkeypatch.setattr(FollowUpListView, "page_size", 2)
    client.force_login(skv_staff)
    for sort, reverse_order in (("due", False), ("-due", True)):
        expected = [
            f.pk for f in sorted(made, key=lambda f: (f.due_date, f.pk), reverse=reverse_order)
        ]
        seen, params = [], {"sort": sort}
        for _page in range(10):
            response = client.get(reverse("inspections:follow_up_list"), params)
            seen += [f.pk for f in response.context["follow_ups"]]
            if response.context["next_before"] is None:
                break
            params["before"] = response.context["next_before"]
        assert seen == expected, sort


@pytest.mark.parametrize(
    ("name", "sort"),
    [
        ("inspections:follow_up_list", "due"),
        ("inspections:follow_up_list", "-title"),
        ("inspections:inspection_list", "-planned"),
        ("inspections:inspection_list", "reference"),
    ],
)
def test_a_sorted_page_costs_the_same_for_1_and_many_rows(
    client,
    joint,
    plan,
    skv_staff,
    av_coordinator,
    django_assert_num_queries,
    name,
    sort,
    session_not_touched,
):
    _follow_ups(joint, skv_staff, [1])
    user = skv_staff if "follow_up" in name else av_coordinator
    client.force_login(user)
    url = reverse(name)
    client.get(url, {"sort": sort})  # warm up the session
    with CaptureQueriesContext(connection) as few:
        response = client.get(url, {"sort": sort})
    assert response.status_code == 200
    assert len(response.context["table"].rows) == 1

    _follow_ups(joint, skv_staff, range(2, 12))
    for n in range(10):
        plan(planned_date=date.today() + timedelta(days=20 + n))
    with django_assert_num_queries(len(few)):
        response = client.get(url, {"sort": sort})
    assert len(response.context["table"].rows) == 11
