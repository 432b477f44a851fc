"""The operations board on the list-page base (network/tables.py): its FilterSet (the
running operations unless asked otherwise), keyset pages that follow the chosen sort, the
empty state, rows and counts only from what the person may see, and the same number of
queries for one card as for a full page of cards."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inspections.services import operations, planning
from inspections.views import OperationBoardView
from network.models import Agency

from .conftest import WORKPLACE

pytestmark = pytest.mark.django_db

BOARD = "inspections:operation_board"


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _operation(actor, title, start=date(2026, 3, 2)):
    return operations.create_operation(
        title=title,
        period_start=start,
        period_end=start + timedelta(days=4),
        selection_basis="campaign",
        actor=actor,
    )


def _inspection(operation, employer, actor, *codes):
    """An inspection in the operation, with the given agencies asked to take part."""
    inspection = planning.plan_inspection(
        workplace=WORKPLACE,
        planned_date=operation.period_start,
        employers=[employer.orgnr],
        operation=operation,
        actor=actor,
    )
    for code in codes:
        planning.assign_agency(
            inspection, agency=Agency.objects.get(code=code), mode="on_site", actor=actor
        )
    return inspection


@pytest.mark.parametrize("sort", ["", "title", "-period"])
def test_a_full_board_costs_the_same_queries_as_one_card(
    client, av_coordinator, employer, django_assert_num_queries, sort, session_not_touched
):
    first = _operation(av_coordinator, "Byggvecka 0")
    _inspection(first, employer, av_coordinator, "skv")
    client.force_login(av_coordinator)
    url = reverse(BOARD)
    client.get(url, {"sort": sort})  # warm up the session
    with CaptureQueriesContext(connection) as few:
        response = client.get(url, {"sort": sort})
    assert len(response.context["operations"]) == 1

    for n in range(1, 12):
        operation = _operation(av_coordinator, f"Byggvecka {n}", date(2026, 3, 2 + n))
        _inspection(operation, employer, av_coordinator, "skv", "polis")
        _inspection(operation, employer, av_coordinator)
    with django_assert_num_queries(len(few)):
        response = client.get(url, {"sort": sort})
    cards = response.context["operations"]
    assert len(cards) == 12
    assert all(card.n_total == 2 for card in cards if card.pk != first.pk)
    assert all(len(card.agency_answers) == 2 for card in cards if card.pk != first.pk)


@pytest.mark.parametrize(
    ("sort", "key", "descending"),
    [
        ("", lambda o: (o.period_start, o.pk), True),
        ("period", lambda o: (o.period_start, o.pk), False),
        ("-title", lambda o: (o.title, o.pk), True),
        ("reference", lambda o: (o.reference, o.pk), False),
    ],
)
def test_the_board_pages_on_in_the_sorted_order_across_ties(
    client, av_coordinator, monkeypatch, sort, key, descending
):
    starts = [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 2), date(2026, 3, 9)]
    titles = ["Städvecka", "Byggvecka", "Byggvecka", "Restaurangvecka", "Städvecka"]
    made = [
        _operation(av_coordinator, title, starts[n % len(starts)]) for n, title in enumerate(titles)
    ]
    monkeypatch.setattr(OperationBoardView, "page_size", 2)
    client.force_login(av_coordinator)
    seen, params = [], {"sort": sort}
    for _page in range(10):
        response = client.get(reverse(BOARD), params)
        seen += [operation.pk for operation in response.context["operations"]]
        if response.context["next_before"] is None:
            break
        params["before"] = response.context["next_before"]
    assert seen == [o.pk for o in sorted(made, key=key, reverse=descending)]
    page = response.content.decode()
    if sort:
        assert page.count('aria-current="true"') == 1
        assert "(sorted descending)" in page if descending else "(sorted ascending)" in page


def test_the_filters_default_to_running_and_never_widen_what_one_sees(
    client, av_coordinator, skv_staff, employer
):
    mine = _operation(av_coordinator, "Byggvecka Hagastaden")
    _inspection(mine, employer, av_coordinator, "skv")
    hidden = _operation(av_coordinator, "Byggvecka Kiruna")  # no inspection skv may see
    done = _operation(av_coordinator, "Byggvecka Luleå")
    _inspection(done, employer, av_coordinator, "skv")
    operations.move_operation(done, status="cancelled", reason="Ersatt", actor=av_coordinator)
    url = reverse(BOARD)

    client.force_login(skv_staff)
    shown = [o.pk for o in client.get(url).context["operations"]]
    assert shown == [mine.pk]
    everything = client.get(url, {"status": "all", "q": "byggvecka"})
    assert {o.pk for o in everything.context["operations"]} == {mine.pk, done.pk}
    for params in ({"q": hidden.reference}, {"status": "all", "q": "Kiruna"}):
        response = client.get(url, params)
        assert response.context["operations"] == [], params
        page = response.content.decode()
        assert "No control operations match." in page
        assert "Clear the filters" in page
    assert client.get(url, {"status": "planned"}).context["operations"][0].pk == mine.pk
    assert client.get(url, {"status": "nonsense"}).context["operations"] == []

    client.force_login(av_coordinator)
    shown = {o.pk for o in client.get(url).context["operations"]}
    assert shown == {mine.pk, hidden.pk}


def test_a_card_keeps_its_counts_and_buttons_for_the_coordinator_only(
    client, av_coordinator, skv_staff, employer
):
    operation = _operation(av_coordinator, "Byggvecka")
    _inspection(operation, employer, av_coordinator, "skv")
    status = reverse("inspections:operation_status", args=[operation.pk])
    cancel = reverse("inspections:operation_cancel", args=[operation.pk])

    client.force_login(av_coordinator)
    page = client.get(reverse(BOARD)).content.decode()
    assert f'action="{status}"' in page
    assert 'value="in_progress"' in page
    assert cancel in page
    assert "1 inspection" in page

    client.force_login(skv_staff)
    page = client.get(reverse(BOARD)).content.decode()
    assert "Byggvecka" in page
    assert status not in page
    assert cancel not in page
