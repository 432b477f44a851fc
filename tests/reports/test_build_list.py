"""The builds on the report page are a list on the list-page base (network/tables.py): only
the scopes the person may see, newest request first, keyset pages, and the same number of
queries for one build as for a full page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import ReportBuild
from reports.views import ReportHomeView

pytestmark = pytest.mark.django_db


def _builds(years, scope="network"):
    return [ReportBuild.objects.create(year=year, scope=scope) for year in years]


def test_the_report_page_lists_builds_in_constant_queries(
    client, av_analyst, django_assert_num_queries, session_not_touched
):
    _builds([2024])
    client.force_login(av_analyst)
    url = reverse("reports:report_home")
    client.get(url)  # warm up the session
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert len(response.context["builds"]) == 1

    _builds(range(2000, 2020))
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert len(response.context["builds"]) == 21


def test_builds_page_on_newest_first_and_show_only_visible_scopes(
    client, av_analyst, persona, monkeypatch
):
    made = _builds([2021, 2022, 2023, 2024, 2025])
    hidden = _builds([2025], scope="skv")  # another agency's own figures
    monkeypatch.setattr(ReportHomeView, "page_size", 2)
    client.force_login(av_analyst)
    seen, params = [], {}
    for _page in range(10):
        response = client.get(reverse("reports:report_home"), params)
        assert response.status_code == 200
        seen += [build.pk for build in response.context["builds"]]
        if response.context["next_before"] is None:
            break
        params["before"] = response.context["next_before"]
    assert seen == [build.pk for build in reversed(made)]
    assert hidden[0].pk not in seen

    by_year = client.get(reverse("reports:report_home"), {"sort": "year"})
    assert [b.year for b in by_year.context["builds"]] == [2021, 2022]
    assert 'aria-sort="ascending"' in by_year.content.decode()
