"""What every request costs before the view: the queries of the middleware and
authentication stack, each read once (docs/performance.md, "Per-request overhead")."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from network.models import Membership

pytestmark = pytest.mark.django_db


def queries(client, path):
    client.get(path)  # warm: the first request may write the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content[:200]
    return [q["sql"] for q in captured.captured_queries]


def test_a_signed_in_api_request_reads_session_user_with_membership_and_second_factor(
    client, persona
):
    coordinator = persona("av", "coordinator")  # needs and has passed a second factor
    client.force_login(coordinator)
    sql = queries(client, "/api/v1/me/")
    assert len(sql) == 3, sql  # session; user with membership and agency; the device
    assert "network_membership" in sql[1]
    assert "django_session" in sql[0]
    assert not any(s.startswith("UPDATE") for s in sql)  # the session is not rewritten


def test_capabilities_are_read_in_one_query(client, skv_staff):
    client.force_login(skv_staff)
    sql = queries(client, "/api/v1/cases/")
    capabilities = [s for s in sql if s.startswith('SELECT "django_content_type"."app_label"')]
    assert len(capabilities) == 1, sql


def test_anonymous_requests_make_no_query():
    anonymous = Client()
    with CaptureQueriesContext(connection) as captured:
        assert anonymous.get("/api/v1/me/").status_code in {401, 403}
        assert anonymous.get("/login/").status_code == 200
    assert captured.captured_queries == []


def test_a_changed_membership_counts_from_the_next_request(client, skv_staff):
    client.force_login(skv_staff)
    assert client.get("/api/v1/me/").json()["agency"] == "skv"
    Membership.objects.filter(user=skv_staff).update(active=False)
    assert client.get("/api/v1/me/").json()["agency"] is None


def test_the_idle_session_is_pushed_forward_at_most_once_a_minute(client, skv_staff, settings):
    client.force_login(skv_staff)
    client.get("/api/v1/me/")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    first = Session.objects.get(session_key=key).expire_date
    client.get("/api/v1/me/")
    assert Session.objects.get(session_key=key).expire_date == first  # within the minute
    settings.SESSION_TOUCH_SECONDS = 0
    client.get("/api/v1/me/")
    pushed = Session.objects.get(session_key=key).expire_date
    assert pushed > first
    assert pushed > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
