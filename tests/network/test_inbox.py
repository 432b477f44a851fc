"""The start page's task inbox: each kind of task appears when something waits for the person
or their agency, links to it, and disappears when it is done; nothing out of scope is ever
counted (the matrix at the end: persona x relation to the waiting object -> count shown)."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.coordination import services as case_services
from cases.grants import LegalBasis
from cases.tips import services as tip_services
from inspections.services import follow_ups, lifecycle, planning, results
from network.models import Agency, AuditEvent, County
from network.services import mark_event_reviewed
from reports import services as report_services
from tests.inspections.conftest import WORKPLACE
from tests.matrix import Row


def inbox(client, user) -> dict:
    """What the person sees: {item key: (count, its sentence, [linked urls])}."""
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    shown = {}
    for entry in response.context["items"]:
        assert entry.text in page  # the sentence is on the page, as a link to the list
        shown[entry.key] = (entry.count, entry.text, [link.url for link in entry.links])
    return shown


def count(client, user, key) -> int:
    return inbox(client, user).get(key, (0, "", []))[0]


@pytest.fixture
def coordinator(persona):
    return persona("av", "coordinator")


@pytest.fixture
def planned(coordinator):
    """plan(days) -> an inspection coordinated by AV, `days` from today."""

    def make(days=3, **workplace):
        return planning.plan_inspection(
            workplace={**WORKPLACE, **workplace},
            planned_date=timezone.localdate() + timedelta(days=days),
            actor=coordinator,
        )

    return make


def assign(inspection, code, coordinator, mode="on_site"):
    return planning.assign_agency(
        inspection, agency=Agency.objects.get(code=code), mode=mode, actor=coordinator
    )


def test_greeting_uses_the_persons_name(client, skv_staff):
    skv_staff.first_name, skv_staff.last_name = "Saga", "Lind"
    skv_staff.save()
    client.force_login(skv_staff)
    page = client.get(reverse("home")).content.decode()
    assert "Saga Lind" in page
    assert "skv.staff" not in page


def test_an_empty_inbox_says_so(client, skv_staff):
    client.force_login(skv_staff)
    response = client.get(reverse("home"))
    assert response.context["items"] == []
    assert 'class="inbox-empty"' in response.content.decode()


def test_participation_request_waits_for_an_answer_then_results(
    client, coordinator, planned, skv_staff, persona
):
    inspection = planned(days=0)
    assignment = assign(inspection, "skv", coordinator)
    detail = reverse("inspections:inspection_detail", args=[inspection.pk])

    count_, text, links = inbox(client, skv_staff)["assignments_to_answer"]
    assert count_ == 1
    assert links == [detail]
    assert "Kvarteret" not in text
    assert count(client, coordinator, "answers_awaited") == 1

    planning.respond_to_assignment(assignment, accept=True, actor=skv_staff)
    shown = inbox(client, skv_staff)
    assert "assignments_to_answer" not in shown
    assert count(client, coordinator, "answers_awaited") == 0
    # Accepted, and the day has come: the results are waited for, linked to the form.
    results_page = reverse("inspections:inspection_results", args=[inspection.pk])
    assert shown["results_to_report"][0] == 1
    assert shown["results_to_report"][2] == [results_page]

    lifecycle.perform_inspection(
        inspection, performed_on=timezone.localdate(), persons_checked=3, actor=skv_staff
    )
    assert count(client, skv_staff, "results_to_report") == 1
    results.submit_results(inspection, actor=skv_staff)
    assert count(client, skv_staff, "results_to_report") == 0


def test_results_are_not_asked_for_before_the_day(client, coordinator, planned, skv_staff):
    inspection = planned(days=5)
    planning.respond_to_assignment(
        assign(inspection, "skv", coordinator), accept=True, actor=skv_staff
    )
    assert count(client, skv_staff, "results_to_report") == 0


def test_follow_ups_overdue_and_due_this_week(client, coordinator, planned, skv_staff):
    inspection = planned(days=-10)
    planning.respond_to_assignment(
        assign(inspection, "skv", coordinator), accept=True, actor=skv_staff
    )
    today = timezone.localdate()
    late = follow_ups.add_follow_up(
        inspection,
        title="Begär personalliggare",
        due_date=today - timedelta(days=1),
        actor=skv_staff,
    )
    follow_ups.add_follow_up(
        inspection, title="Ring arbetsgivaren", due_date=today + timedelta(days=6), actor=skv_staff
    )
    follow_ups.add_follow_up(
        inspection, title="Om en månad", due_date=today + timedelta(days=30), actor=skv_staff
    )
    shown = inbox(client, skv_staff)
    assert shown["follow_ups_overdue"][0] == 1
    assert shown["follow_ups_due"][0] == 1
    # The coordinator's agency did not make them: not its work.
    assert count(client, coordinator, "follow_ups_overdue") == 0

    follow_ups.complete_follow_up(late, actor=skv_staff)
    assert count(client, skv_staff, "follow_ups_overdue") == 0


def submit_tip(county_code):
    return tip_services.submit_tip(
        data={
            "address": "Storgatan 1",
            "municipality": "Kommunen",
            "county": County.objects.get(code=county_code),
            "industry": "restaurant",
            "employer_name": "Krogen AB",
            "description": "Personalen sover i köket.",
        }
    )


def test_new_tips_in_my_centre(client, persona):
    stockholm = persona("av", "coordinator", centre="stockholm", username="av.sthlm")
    national = persona("av", "coordinator", username="av.national")
    tip = submit_tip("01")  # Stockholms län: the Stockholm centre's
    submit_tip("12")  # Skåne: another centre's

    shown = inbox(client, stockholm)["new_tips"]
    assert shown[0] == 1
    assert shown[2] == [reverse("tips:tip_detail", args=[tip.pk])]
    assert count(client, national, "new_tips") == 2
    assert count(client, persona("skv", "staff"), "new_tips") == 0

    tip_services.dismiss_tip(tip, reason="Inte arbetslivskriminalitet", actor=stockholm)
    assert count(client, stockholm, "new_tips") == 0


def test_shares_ending_this_week(client, skv_staff, polis_staff, persona):
    case = case_services.open_case(title="Byggfusk", actor=skv_staff)
    share = case_services.share_case(
        case,
        agency=Agency.objects.get(code="polis"),
        access="view",
        legal_basis=LegalBasis.AKRIM,
        reason="Gemensam kontroll",
        expires_at=timezone.now() + timedelta(days=3),
        actor=skv_staff,
    )
    detail = reverse("cases:case_detail", args=[case.pk])
    assert inbox(client, skv_staff)["access_expiring"][2] == [detail]  # given by my agency
    assert count(client, polis_staff, "access_expiring") == 1  # received by my agency
    assert count(client, persona("fk", "staff"), "access_expiring") == 0

    case_services.revoke_share(case, share_id=share.pk, actor=skv_staff)
    assert count(client, skv_staff, "access_expiring") == 0
    assert count(client, polis_staff, "access_expiring") == 0


def test_break_the_glass_waits_for_the_auditor(client, skv_staff, persona):
    case = case_services.open_case(title="Lönefusk", actor=skv_staff)
    polis = persona("polis", "staff")
    review = case_services.break_the_glass(
        case, justification="Pågående förundersökning om grovt lönefusk", actor=polis
    )
    assert count(client, persona("polis", "auditor"), "access_reviews") == 1
    assert count(client, persona("skv", "auditor"), "access_reviews") == 0
    # Personal break-the-glass access is short by design: not an "ending this week" task.
    assert count(client, polis, "access_expiring") == 0

    case_services.review_access(review, verdict="justified", actor=persona("polis", "auditor"))
    assert count(client, persona("polis", "auditor"), "access_reviews") == 0


def test_finished_build_is_announced_to_who_asked(
    client, persona, django_capture_on_commit_callbacks
):
    analyst = persona("av", "analyst")
    assert count(client, analyst, "builds_finished") == 0
    with django_capture_on_commit_callbacks(execute=True):  # the task runs in-process
        build, _ = report_services.request_build(year=2025, actor=analyst)
    shown = inbox(client, analyst)["builds_finished"]
    assert shown[0] == 1
    assert shown[2] == [reverse("reports:build_detail", args=[build.pk])]
    assert count(client, persona("skv", "analyst"), "builds_finished") == 0


def test_log_sample_waits_for_review(client, skv_staff, persona):
    auditor = persona("skv", "auditor")
    assert count(client, auditor, "audit_sample_due") == 1
    for n in range(3):
        case_services.open_case(title=f"Ärende {n}", actor=skv_staff)
    client.get(reverse("network:audit_sample"), {"n": 2})
    shown = inbox(client, auditor)
    assert "audit_sample_due" not in shown
    assert shown["audit_sample_events"][0] == 2
    sampled = AuditEvent.objects.filter(action="audit.sampled").latest("at")
    mark_event_reviewed(
        AuditEvent.objects.get(pk=sampled.changes["ids"][0]), note="", actor=auditor
    )
    assert count(client, auditor, "audit_sample_events") == 1
    assert count(client, persona("polis", "auditor"), "audit_sample_events") == 0


# --- nothing out of scope is counted --------------------------------------------------------
#
# One world with one waiting thing of each kind, each belonging to Skatteverket or to the
# Stockholm centre. Every persona below has a relation to it; the count shown is the answer.

SCOPE = [
    # an assignment of skv to answer
    Row("skv.staff", "assigned_agency", "assignments_to_answer", 1),
    Row("polis.staff", "other_agency_assigned", "assignments_to_answer", 0),
    Row("fk.staff", "unassigned", "assignments_to_answer", 0),
    Row("av.coordinator", "coordinating", "answers_awaited", 1),
    Row("ebm.coordinator", "other_coordinator", "answers_awaited", 0),
    # an overdue follow-up of skv on an inspection polis also takes part in
    Row("skv.staff", "own_agency", "follow_ups_overdue", 1),
    Row("polis.staff", "other_agency_same_inspection", "follow_ups_overdue", 0),
    Row("fk.staff", "unassigned", "follow_ups_overdue", 0),
    # a case of skv shared with polis, ending in three days; and a case of ebm shared with af
    Row("skv.staff", "owner", "access_expiring", 1),
    Row("polis.staff", "receiver", "access_expiring", 1),
    Row("af.staff", "receiver_of_another_case", "access_expiring", 1),
    Row("fk.staff", "neither", "access_expiring", 0),
    Row("skv.auditor", "no_case_role", "access_expiring", 0),
    # a tip in Stockholm
    Row("av.sthlm", "centre_of_the_county", "new_tips", 1),
    Row("polis.malmo", "other_centre", "new_tips", 0),
    Row("skv.staff", "not_triaging", "new_tips", 0),
    # a break-the-glass by a polis user
    Row("polis.auditor", "own_agency", "access_reviews", 1),
    Row("skv.auditor", "owner_of_the_case", "access_reviews", 0),
    Row("polis.staff", "not_an_auditor", "access_reviews", 0),
]


@pytest.fixture
def scoped_world(persona, planned, coordinator):
    skv, polis = persona("skv", "staff"), persona("polis", "staff")
    for username in ("fk.staff", "ebm.coordinator", "af.staff", "ebm.staff"):
        agency, role = username.split(".")
        persona(agency, role)
    persona("skv", "auditor")
    persona("polis", "auditor")
    persona("av", "coordinator", centre="stockholm", username="av.sthlm")
    persona("polis", "coordinator", centre="malmo", username="polis.malmo")

    waiting = planned(days=4)
    assign(waiting, "skv", coordinator)
    done = planned(days=-5)
    for code, user in (("skv", skv), ("polis", polis)):
        planning.respond_to_assignment(assign(done, code, coordinator), accept=True, actor=user)
    follow_ups.add_follow_up(
        done,
        title="Begär underlag",
        due_date=timezone.localdate() - timedelta(days=2),
        actor=skv,
    )
    soon = timezone.now() + timedelta(days=3)
    for owner, receiver in ((skv, "polis"), (persona("ebm", "staff"), "af")):
        case_services.share_case(
            case_services.open_case(title="Delat", actor=owner),
            agency=Agency.objects.get(code=receiver),
            access="view",
            legal_basis=LegalBasis.AKRIM,
            reason="Gemensam kontroll",
            expires_at=soon,
            actor=owner,
        )
    submit_tip("01")
    case_services.break_the_glass(
        case_services.open_case(title="Skyddat", actor=skv),
        justification="Förundersökning om människohandel på arbetsplatsen",
        actor=polis,
    )


@pytest.mark.parametrize("row", SCOPE, ids=str)
def test_no_count_includes_an_out_of_scope_object(client, scoped_world, row):
    from network.models import User

    user = User.objects.get(username=row.persona)
    assert count(client, user, row.action) == row.expected
