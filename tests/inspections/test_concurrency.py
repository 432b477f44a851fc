"""Two people saving the same inspection's data at once (issue 9, item 6): counts are replaced,
not doubled; a follow-up is closed once. PostgreSQL, one connection per thread."""

import pytest
from django.core.exceptions import ValidationError

from inspections.models import FollowUp, Inspection, PersonCount
from inspections.services import follow_ups, lifecycle, planning, results
from network.models import AuditEvent
from tests.cases.test_concurrency_state import in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_saves_of_the_person_counts_at_once_do_not_add_up(joint, persona):
    one, two = persona("skv", "staff"), persona("skv", "staff", username="skv.staff2")
    first = [{"right_to_work": "eu_eea_citizen", "nationality": "SE", "count": 4}]
    second = [{"right_to_work": "no_right_to_work", "nationality": "UA", "count": 3}]
    outcomes = in_threads(
        lambda: results.record_person_counts(
            Inspection.objects.get(pk=joint.pk), counts=first, actor=one
        ),
        lambda: results.record_person_counts(
            Inspection.objects.get(pk=joint.pk), counts=second, actor=two
        ),
    )
    assert sorted(outcomes) == [3, 4], outcomes
    rows = list(PersonCount.objects.filter(inspection=joint, agency__code="skv"))
    # The later save replaced the earlier one: one submission's rows, never both.
    assert [(r.right_to_work, r.nationality, r.count) for r in rows] in (
        [("eu_eea_citizen", "SE", 4)],
        [("no_right_to_work", "UA", 3)],
    )


def test_a_follow_up_closed_twice_at_once_is_closed_and_audited_once(joint, persona):
    from datetime import date, timedelta

    one, two = persona("skv", "staff"), persona("skv", "staff", username="skv.staff2")
    follow_up = follow_ups.add_follow_up(
        joint, title="Kontrollera personalliggaren", due_date=date.today() + timedelta(7), actor=one
    )
    outcomes = in_threads(
        lambda: follow_ups.complete_follow_up(FollowUp.objects.get(pk=follow_up.pk), actor=one),
        lambda: follow_ups.complete_follow_up(FollowUp.objects.get(pk=follow_up.pk), actor=two),
    )
    assert all(isinstance(r, FollowUp) for r in outcomes), outcomes
    follow_up.refresh_from_db()
    assert follow_up.status == "done"
    assert (
        AuditEvent.objects.filter(action="followup.done", object_id=str(follow_up.pk)).count() == 1
    )


def test_an_inspection_is_performed_once(plan, assign, persona):
    from datetime import date

    skv, polis = persona("skv", "staff"), persona("polis", "staff")
    inspection = plan()
    for code, user in (("skv", skv), ("polis", polis)):
        planning.respond_to_assignment(assign(inspection, code), accept=True, actor=user)
    inspection_before = Inspection.objects.get(pk=inspection.pk).status
    outcomes = in_threads(
        lambda: lifecycle.perform_inspection(
            Inspection.objects.get(pk=inspection.pk),
            performed_on=date.today(),
            persons_checked=5,
            actor=skv,
        ),
        lambda: lifecycle.perform_inspection(
            Inspection.objects.get(pk=inspection.pk),
            performed_on=date.today(),
            persons_checked=9,
            actor=polis,
        ),
    )
    done = [r for r in outcomes if isinstance(r, Inspection)]
    refused = [r for r in outcomes if isinstance(r, ValidationError)]
    assert (len(done), len(refused)) == (1, 1), outcomes
    inspection.refresh_from_db()
    assert inspection.persons_checked == done[0].persons_checked
    moves = AuditEvent.objects.filter(
        action="inspection.status_changed", object_id=str(inspection.pk)
    ).values_list("changes", flat=True)
    assert [m["status"] for m in moves if m["status"][1] == "performed"] == [
        [inspection_before, "performed"]
    ]
