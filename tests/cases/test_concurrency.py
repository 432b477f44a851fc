"""Two people at once: optimistic locking and gap-free references under real concurrency.

Runs on PostgreSQL with one connection per thread, released together by a barrier.
"""

import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.coordination import services as case_services
from cases.coordination.models import Case
from network.models import AuditEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_threads(count, work):
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(index):
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_patches_with_the_same_version_one_wins_one_gets_409(skv_staff, persona):
    colleague = persona("skv", "coordinator")
    case = case_services.open_case(title="Ursprunglig", actor=skv_staff)
    users = [skv_staff, colleague]
    titles = ["Första ändringen", "Andra ändringen"]

    def patch(index):
        client = APIClient()
        client.force_authenticate(users[index])
        response = client.patch(
            reverse("case-detail", args=[case.pk]),
            {"title": titles[index], "version": 1},
            format="json",
        )
        return response.status_code, response.json()

    results = _in_threads(2, patch)
    codes = sorted(code for code, _body in results)
    assert codes == [200, 409]
    winner = next(body for code, body in results if code == 200)
    case.refresh_from_db()
    assert case.title == winner["title"]
    assert case.version == 2
    # created + the winner's change, nothing from the loser
    assert (
        AuditEvent.objects.filter(
            object_id=str(case.pk), action__in=("case.created", "case.updated")
        ).count()
        == 2
    )


def test_concurrent_openings_get_unique_gap_free_references(persona):
    users = [
        persona("skv", "staff"),
        persona("polis", "staff"),
        persona("av", "coordinator"),
        persona("migr", "staff"),
    ]
    references = _in_threads(
        4, lambda i: case_services.open_case(title=f"Samtidigt {i}", actor=users[i]).reference
    )
    year = timezone.localdate().year
    assert sorted(references) == [f"AK-{year}-{n:06d}" for n in range(1, 5)]
    assert Case.objects.count() == 4
