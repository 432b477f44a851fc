"""The assignment flow and results, through the API as other programs use it."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inspections.models import (
    AgencyAssignment,
    ControlOperation,
    Decision,
    Finding,
    FollowUp,
    Inspection,
)
from inspections.services import follow_ups, lifecycle, operations, planning, results
from network.models import AuditEvent
from tests.conftest import ids
from tests.inspections.conftest import WORKPLACE

pytestmark = pytest.mark.django_db


def test_coordinator_plans_with_the_contract_shape(api, av_coordinator, employer):
    response = api.as_user(av_coordinator).post(
        reverse("inspection-list"),
        {
            "workplace": WORKPLACE,
            "employers": ["556036-0793"],
            "planned_date": "2025-03-04",
            "operation": None,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"] == "KO-2025-000001"
    assert body["status"] == "planned"
    assert body["workplace"]["county"] == "01"
    assert body["workplace"]["sni_section"] == "F"
    assert body["employers"] == [
        {"orgnr": "5560360793", "name": "Bygg & Montage AB", "role": "employer"}
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"county": "02"}, "workplace"),
        ({"sni": "restaurang"}, "workplace"),
        ({"municipality": "180"}, "workplace"),
    ],
)
def test_bad_workplace_is_a_400_naming_the_field(api, av_coordinator, change, field):
    response = api.as_user(av_coordinator).post(
        reverse("inspection-list"),
        {"workplace": {**WORKPLACE, **change}, "planned_date": "2025-03-04"},
        format="json",
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Inspection.objects.exists()


def test_unknown_employer_is_refused(api, av_coordinator):
    response = api.as_user(av_coordinator).post(
        reverse("inspection-list"),
        {"workplace": WORKPLACE, "employers": ["202100-5489"], "planned_date": "2025-03-04"},
        format="json",
    )
    assert response.status_code == 400
    assert "employers" in response.json()


def test_staff_cannot_plan(api, skv_staff):
    response = api.as_user(skv_staff).post(
        reverse("inspection-list"),
        {"workplace": WORKPLACE, "planned_date": "2025-03-04"},
        format="json",
    )
    assert response.status_code == 403


def test_assignment_flow_staffs_the_inspection_and_mails_after_commit(
    api, av_coordinator, skv_staff, plan, django_capture_on_commit_callbacks
):
    skv_staff.email = "skv.staff@example.se"
    skv_staff.save()
    inspection = plan()
    coordinator = api.as_user(av_coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(
            reverse("inspection-assignments", args=[inspection.pk]),
            {"agency": "skv", "mode": "on_site", "staff": ["skv.staff"]},
            format="json",
        )
    assert response.status_code == 201, response.json()
    assignment = response.json()
    assert (assignment["agency"], assignment["status"], assignment["staff"]) == (
        "skv",
        "pending",
        ["skv.staff"],
    )
    # Sent through the outbox once the assignment commits (Celery in-process here).
    assert [m.to for m in mail.outbox] == [[skv_staff.email]]
    assert all(WORKPLACE["name"] not in m.body for m in mail.outbox)  # no leak by e-mail
    staff = api.as_user(skv_staff)
    url = reverse("inspection-respond", args=[inspection.pk, assignment["id"]])
    assert staff.post(url, {"accept": True}).status_code == 200
    inspection.refresh_from_db()
    assert inspection.status == "staffed"


def test_notification_is_sent_once_even_if_the_task_runs_twice(plan, assign, persona):
    from inspections.tasks import notify_assignment
    from network import outbox
    from network.models import OutboxMessage

    persona("skv", "staff").__class__.objects.filter(username="skv.staff").update(
        email="skv.staff@example.se"
    )
    assignment = assign(plan(), "skv")  # queues the mail with the assignment
    (message,) = OutboxMessage.objects.filter(kind="inspection.assignment")
    assert message.to == ["skv.staff@example.se"]
    assert notify_assignment(assignment.pk) == 0  # an old task delivered late: nothing more
    assert outbox.send_due() == 1
    assert outbox.send_due() == 0
    assert len(mail.outbox) == 1
    assert "gemensam kontroll" in mail.outbox[0].subject
    assert WORKPLACE["name"] not in mail.outbox[0].body  # no leak by e-mail


def test_declining_needs_a_reason_and_hides_the_inspection(api, plan, assign, polis_staff):
    inspection = plan()
    assignment = assign(inspection, "polis")
    client = api.as_user(polis_staff)
    url = reverse("inspection-respond", args=[inspection.pk, assignment.pk])
    assert client.post(url, {"accept": False}).status_code == 400
    assert client.post(url, {"accept": False, "reason": "Ingen personal"}).status_code == 200
    assert client.get(reverse("inspection-detail", args=[inspection.pk])).status_code == 404


def test_only_the_assigned_agency_may_answer(api, plan, assign, persona):
    inspection = plan()
    assignment = assign(inspection, "polis")
    assign(inspection, "skv")
    other = api.as_user(persona("skv", "staff"))
    url = reverse("inspection-respond", args=[inspection.pk, assignment.pk])
    assert other.post(url, {"accept": True}).status_code == 403
    assert AgencyAssignment.objects.get(pk=assignment.pk).status == "pending"


def test_perform_by_on_site_staff_and_not_in_the_future(api, plan, assign, skv_staff):
    inspection = plan()
    planning.respond_to_assignment(assign(inspection, "skv"), accept=True, actor=skv_staff)
    client = api.as_user(skv_staff)
    url = reverse("inspection-perform", args=[inspection.pk])
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    future = client.post(url, {"performed_on": tomorrow, "persons_checked": 3})
    assert future.status_code == 400
    assert "performed_on" in future.json()
    done = client.post(url, {"performed_on": date.today().isoformat(), "persons_checked": 3})
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["persons_checked"]) == ("performed", 3)


def test_desk_agency_may_not_perform(api, plan, assign, persona):
    inspection = plan()
    migr = persona("migr", "staff")
    planning.respond_to_assignment(assign(inspection, "migr", mode="desk"), accept=True, actor=migr)
    response = api.as_user(migr).post(
        reverse("inspection-perform", args=[inspection.pk]),
        {"performed_on": date.today().isoformat(), "persons_checked": 1},
    )
    assert response.status_code == 403


def test_findings_belong_to_the_recording_agency_and_use_its_categories(
    api, joint, skv_staff, polis_staff
):
    url = reverse("inspection-findings", args=[joint.pk])
    skv = api.as_user(skv_staff)
    wrong = skv.post(url, {"category": "utan_arbetstillstand", "severity": "high"})
    assert wrong.status_code == 400
    assert "category" in wrong.json()
    ok = skv.post(
        url,
        {
            "category": "personalliggare_saknas",
            "description": "Ingen liggare",
            "severity": "high",
            "secret": False,
        },
    )
    assert ok.status_code == 201, ok.json()
    assert ok.json()["agency"] == "skv"
    from rest_framework.test import APIClient

    polis = APIClient()
    polis.force_authenticate(polis_staff)
    seen = polis.get(url).json()
    assert [f["category"] for f in seen] == ["personalliggare_saknas"]
    read = AuditEvent.objects.get(action="finding.viewed", actor=polis_staff)
    assert read.purpose == "uppgiftsskyldighet_akrim"


def test_secret_finding_is_owner_only_until_disclosed(api, joint, skv_staff, polis_staff):
    secret = results.record_finding(
        joint,
        category="svartarbete",
        description="Pågående utredning",
        secret=True,
        actor=skv_staff,
    )
    from rest_framework.test import APIClient

    polis = APIClient()
    polis.force_authenticate(polis_staff)
    assert polis.get(reverse("inspection-findings", args=[joint.pk])).json() == []
    assert polis.get(reverse("finding-detail", args=[secret.pk])).status_code == 404
    owner = api.as_user(skv_staff)
    response = owner.post(
        reverse("finding-disclose", args=[secret.pk]),
        {
            "agency": "polis",
            "legal_basis": "uppgiftsskyldighet_brottsbekampning",
            "reason": "Misstanke om brott mot utlänningslagen",
        },
    )
    assert response.status_code == 200
    assert polis.get(reverse("finding-detail", args=[secret.pk])).status_code == 200


def test_decision_by_the_finding_agency_with_amount(api, joint, skv_staff, polis_staff):
    finding = results.record_finding(joint, category="personalliggare_saknas", actor=skv_staff)
    url = reverse("inspection-decisions", args=[joint.pk])
    skv = api.as_user(skv_staff)
    no_amount = skv.post(url, {"finding": finding.pk, "type": "kontrollavgift"})
    assert no_amount.status_code == 400
    assert "amount_sek" in no_amount.json()
    ok = skv.post(url, {"finding": finding.pk, "type": "kontrollavgift", "amount_sek": "12500"})
    assert ok.status_code == 201, ok.json()
    assert ok.json()["amount_sek"] == "12500.00"
    from rest_framework.test import APIClient

    polis = APIClient()
    polis.force_authenticate(polis_staff)
    response = polis.post(url, {"finding": finding.pk, "type": "polisanmalan"})
    assert response.status_code == 403
    assert Decision.objects.count() == 1


def test_results_submitted_by_every_on_site_agency_document_the_inspection(
    api, joint, skv_staff, polis_staff, av_coordinator
):
    for user in (skv_staff, polis_staff):
        api.as_user(user).post(reverse("inspection-submit-results", args=[joint.pk]))
    joint.refresh_from_db()
    assert joint.status == "documented"
    closed = api.as_user(av_coordinator).post(reverse("inspection-close", args=[joint.pk]))
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"


def test_person_counts_are_counts_only(api, joint, polis_staff):
    url = reverse("inspection-persons", args=[joint.pk])
    client = api.as_user(polis_staff)
    bad = client.post(url, {"counts": [{"right_to_work": "maybe", "count": 0}]}, format="json")
    assert bad.status_code == 400
    ok = client.post(
        url,
        {
            "counts": [
                {"right_to_work": "no_right_to_work", "nationality": "ua", "count": 3},
                {"right_to_work": "eu_eea_citizen", "nationality": "PL", "count": 5},
            ]
        },
        format="json",
    )
    assert ok.status_code == 200
    assert sorted((r["nationality"], r["count"]) for r in ok.json()) == [("PL", 5), ("UA", 3)]


def test_overdue_follow_ups(api, joint, skv_staff):
    follow_ups.add_follow_up(
        joint,
        title="Begär in personalliggare",
        due_date=date.today() - timedelta(days=1),
        actor=skv_staff,
    )
    follow_ups.add_follow_up(
        joint, title="Återbesök", due_date=date.today() + timedelta(days=30), actor=skv_staff
    )
    body = api.as_user(skv_staff).get(reverse("followup-list"), {"overdue": "true"}).json()
    assert [f["title"] for f in body["results"]] == ["Begär in personalliggare"]


def test_cancel_needs_a_reason_and_is_final(api, plan, av_coordinator):
    inspection = plan()
    client = api.as_user(av_coordinator)
    url = reverse("inspection-cancel", args=[inspection.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Arbetsplatsen stängd"}).status_code == 200
    again = client.post(
        reverse("inspection-perform", args=[inspection.pk]),
        {"performed_on": date.today().isoformat(), "persons_checked": 0},
    )
    assert again.status_code == 400
    assert "status" in again.json()


@pytest.mark.parametrize("rows", [1, 10])
def test_inspection_list_query_count_is_constant(
    rows, api, plan, assign, av_coordinator, django_assert_num_queries
):
    for _ in range(rows):
        inspection = plan()
        assign(inspection, "skv")
        assign(inspection, "polis", mode="desk")
    user = type(av_coordinator).objects.get(pk=av_coordinator.pk)
    client = api.as_user(user)
    # capabilities (one query, network/backends.py), membership, the page, employers,
    # assignments, named staff
    with django_assert_num_queries(6):
        response = client.get(reverse("inspection-list"))
    assert len(response.json()["results"]) == rows


def test_finding_count_unaffected_by_secret_rows(joint, skv_staff, polis_staff):
    results.record_finding(joint, category="svartarbete", secret=True, actor=skv_staff)
    results.record_finding(joint, category="olaglig_vistelse", actor=polis_staff)
    assert Finding.objects.visible_to(polis_staff).count() == 1
    assert Finding.objects.visible_to(skv_staff).count() == 2


def test_operation_moves_along_its_states_and_closes_when_its_inspections_are_done(
    api, av_coordinator, joint, skv_staff, polis_staff
):
    operation = operations.create_operation(
        title="Byggvecka",
        period_start=date.today(),
        period_end=date.today(),
        selection_basis="campaign",
        actor=av_coordinator,
    )
    Inspection.objects.filter(pk=joint.pk).update(operation=operation)
    client = api.as_user(av_coordinator)
    url = reverse("operation-change-status", args=[operation.pk])
    assert client.post(url, {"status": "closed"}).status_code == 400  # not from planned
    assert client.post(url, {"status": "in_progress"}).status_code == 200
    assert client.post(url, {"status": "follow_up"}).status_code == 200
    early = client.post(url, {"status": "closed"})
    assert early.status_code == 400
    assert "status" in early.json()
    for user in (skv_staff, polis_staff):
        results.submit_results(joint, actor=user)
    lifecycle.close_inspection(joint, actor=av_coordinator)
    assert client.post(url, {"status": "closed"}).json()["status"] == "closed"


def test_cancelling_an_operation_needs_a_reason(api, av_coordinator):
    operation = operations.create_operation(
        title="Restaurangvecka",
        period_start=date.today(),
        period_end=date.today(),
        selection_basis="risk_industry",
        actor=av_coordinator,
    )
    url = reverse("operation-change-status", args=[operation.pk])
    client = api.as_user(av_coordinator)
    assert client.post(url, {"status": "cancelled"}).status_code == 400
    assert (
        client.post(url, {"status": "cancelled", "reason": "Polisen kan inte delta"}).status_code
        == 200
    )


# --- the operations and follow-up lists filter as their pages do --------------------------


def operation(actor, title):
    return operations.create_operation(
        title=title,
        period_start=date.today(),
        period_end=date.today(),
        selection_basis="campaign",
        actor=actor,
    )


@pytest.fixture
def two_operations(av_coordinator):
    """A running operation and a cancelled one, both AV's."""
    running = operation(av_coordinator, "Byggvecka")
    cancelled = operation(av_coordinator, "Restaurangvecka")
    operations.move_operation(
        cancelled, status="cancelled", reason="Polisen kan inte delta", actor=av_coordinator
    )
    return running, cancelled


def test_the_operations_list_filters_as_the_board_does_without_its_default(
    api, av_coordinator, two_operations
):
    """The board shows the running operations when no status is chosen; the API list given
    no parameter answers what it answered before it had filters: every visible operation."""
    running, cancelled = two_operations
    client = api.as_user(av_coordinator)
    url = reverse("operation-list")
    visible = ControlOperation.objects.visible_to(av_coordinator).values_list("pk", flat=True)
    assert ids(client.get(url)) == sorted(visible) == sorted([running.pk, cancelled.pk])
    assert ids(client.get(url, {"status": "open"})) == [running.pk]
    assert ids(client.get(url, {"status": "cancelled"})) == [cancelled.pk]
    assert ids(client.get(url, {"status": "all", "q": "restaurang"})) == [cancelled.pk]
    # another filter alone does not bring in the board's default status either
    assert ids(client.get(url, {"q": "vecka"})) == sorted([running.pk, cancelled.pk])
    assert ids(client.get(url, {"q": running.reference})) == [running.pk]


@pytest.mark.parametrize(
    ("params", "field"), [({"status": "running"}, "status"), ({"q": "x" * 101}, "q")]
)
def test_a_bad_operation_filter_is_a_400_naming_it(api, av_coordinator, params, field):
    response = api.as_user(av_coordinator).get(reverse("operation-list"), params)
    assert response.status_code == 400
    assert field in response.json()


def test_an_operation_filter_never_reaches_outside_the_callers_scope(
    api, av_coordinator, two_operations, joint, persona
):
    """skv sees the operation its inspection is part of, and filtering finds nothing of
    AV's other one; fk, in neither, finds nothing whatever it asks for."""
    running, cancelled = two_operations
    Inspection.objects.filter(pk=joint.pk).update(operation=running)
    url = reverse("operation-list")
    skv = api.as_user(persona("skv", "staff"))
    assert ids(skv.get(url, {"status": "all"})) == [running.pk]
    assert ids(skv.get(url, {"q": cancelled.reference})) == []
    assert ids(skv.get(url, {"status": "cancelled"})) == []
    fk = api.as_user(persona("fk", "staff"))
    for params in ({"q": running.reference}, {"q": "vecka"}, {"status": "all"}):
        assert ids(fk.get(url, params)) == [], params


def test_changing_an_operations_status_ignores_the_lists_filters(
    api, av_coordinator, two_operations
):
    """The action finds its operation by id alone: `status=cancelled` in the query would hide
    the running operation (404) if it used the list's FilterSet, `status=nonsense` would be a
    400 on `status`."""
    running, _cancelled = two_operations
    client = api.as_user(av_coordinator)
    url = reverse("operation-change-status", args=[running.pk])
    for query, move in (("?status=cancelled", "in_progress"), ("?status=nonsense", "follow_up")):
        response = client.post(url + query, {"status": move})
        assert response.status_code == 200, (query, response.content)
        assert response.json()["status"] == move


@pytest.mark.parametrize("params", [{}, {"q": "vecka", "status": "open"}])
def test_operation_list_query_count_is_constant(
    params, api, av_coordinator, django_assert_num_queries
):
    """1 and 10 operations cost the same queries, filtered or not: the board's filters are
    clauses of the page's one statement."""
    user = type(av_coordinator).objects.get(pk=av_coordinator.pk)
    client = api.as_user(user)
    url = reverse("operation-list")
    operation(av_coordinator, "Byggvecka 0")
    client.get(url, params)  # warm up
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url, params).json()["results"]) == 1
    for n in range(1, 10):
        operation(av_coordinator, f"Byggvecka {n}")
    with django_assert_num_queries(len(one)):
        assert len(client.get(url, params).json()["results"]) == 10


@pytest.fixture
def three_follow_ups(joint, skv_staff, polis_staff):
    """skv's overdue one, skv's done one and polis's for next month, all on `joint`."""
    late = follow_ups.add_follow_up(
        joint,
        title="Begär in personalliggare",
        due_date=date.today() - timedelta(days=1),
        actor=skv_staff,
    )
    done = follow_ups.add_follow_up(
        joint,
        title="Skicka protokoll",
        due_date=date.today() - timedelta(days=2),
        actor=skv_staff,
    )
    follow_ups.complete_follow_up(done, actor=skv_staff)
    later = follow_ups.add_follow_up(
        joint, title="Återbesök", due_date=date.today() + timedelta(days=30), actor=polis_staff
    )
    return late, done, later


def test_the_follow_up_list_filters_as_the_follow_up_page_does(api, skv_staff, three_follow_ups):
    late, done, later = three_follow_ups
    client = api.as_user(skv_staff)
    url = reverse("followup-list")
    visible = FollowUp.objects.visible_to(skv_staff).values_list("pk", flat=True)
    assert ids(client.get(url)) == sorted(visible) == sorted([late.pk, done.pk, later.pk])
    assert ids(client.get(url, {"show": "overdue"})) == [late.pk]
    assert ids(client.get(url, {"overdue": "true"})) == [late.pk]  # the older spelling
    assert ids(client.get(url, {"overdue": "false"})) == sorted(visible)
    assert ids(client.get(url, {"show": "mine"})) == sorted([late.pk, done.pk])
    assert ids(client.get(url, {"mine": "true"})) == sorted([late.pk, done.pk])
    assert ids(client.get(url, {"status": "done"})) == [done.pk]
    assert ids(client.get(url, {"q": "återbesök"})) == [later.pk]
    assert ids(client.get(url, {"q": "hagastaden", "status": "open"})) == sorted(
        [late.pk, later.pk]
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [({"status": "closed"}, "status"), ({"show": "all"}, "show"), ({"q": "x" * 101}, "q")],
)
def test_a_bad_follow_up_filter_is_a_400_naming_it(api, skv_staff, params, field):
    response = api.as_user(skv_staff).get(reverse("followup-list"), params)
    assert response.status_code == 400
    assert field in response.json()


def test_a_follow_up_filter_never_reaches_outside_the_callers_scope(api, three_follow_ups, persona):
    late, _done, later = three_follow_ups
    fk = api.as_user(persona("fk", "staff"))
    url = reverse("followup-list")
    for params in (
        {"q": late.title},
        {"q": "hagastaden"},
        {"show": "overdue"},
        {"overdue": "true"},
        {"status": "open"},
    ):
        assert ids(fk.get(url, params)) == [], params


def test_completing_a_follow_up_ignores_the_lists_filters(api, polis_staff, three_follow_ups):
    _late, _done, later = three_follow_ups
    url = reverse("followup-complete", args=[later.pk])
    # `show=overdue` would hide the follow-up (a 404) if the action used the list's
    # FilterSet, and `show=nonsense` would make it a 400.
    for query in ("?show=overdue", "?show=nonsense"):
        response = api.as_user(polis_staff).post(url + query)
        assert response.status_code == 200, query
        assert response.json()["status"] == "done"
