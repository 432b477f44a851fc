"""Lists that number their pages count at most a capped number of rows (issue 8)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from network.models import AuditEvent
from network.pagination import CappedPaginator

pytestmark = pytest.mark.django_db


class Small(CappedPaginator):
    cap = 5


def test_count_stops_at_the_cap():
    AuditEvent.objects.bulk_create(AuditEvent(action=f"test.{n}") for n in range(8))
    paginator = Small(AuditEvent.objects.order_by("id"), 2)
    with CaptureQueriesContext(connection) as captured:
        assert paginator.count == 5
    assert paginator.capped
    assert paginator.num_pages == 3
    (sql,) = [q["sql"] for q in captured.captured_queries]
    assert "LIMIT 6" in sql.upper()
    assert "COUNT(" in sql.upper()
    assert [e.action for e in paginator.page(3)] == ["test.4"]


def test_below_the_cap_it_is_the_exact_count():
    AuditEvent.objects.bulk_create(AuditEvent(action=f"test.{n}") for n in range(3))
    paginator = Small(AuditEvent.objects.order_by("id"), 2)
    assert paginator.count == 3
    assert not paginator.capped
    assert Small([1, 2, 3, 4, 5, 6, 7], 2).count == 5


def test_the_audit_trail_page_counts_nothing(client, skv_auditor):
    """The trail grows with every read: its page is a keyset page (network/pagination.py
    `keyset_page`), so no query counts the rows."""
    from django.urls import reverse

    from network.services import record_event

    for n in range(60):
        record_event("case.viewed", actor=skv_auditor, object_type="cases.case", object_id=n)
    client.force_login(skv_auditor)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("network:audit_list"))
    assert response.status_code == 200
    assert response.context["next_before"]
    assert not [q for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
