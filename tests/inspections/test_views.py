"""The joint-control pages in the browser: scope (404), rules (403), service errors (400), and
what a person sees. Data is made through inspections/services/ and the fixtures only."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.employers.models import Employer
from inspections.models import AgencyAssignment, Decision, Finding, FollowUp, Inspection
from inspections.services import decisions, follow_ups, lifecycle, operations, planning, results
from network.models import Agency, AuditEvent
from tests.inspections.conftest import WORKPLACE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are asserted by their English msgids, whatever Swedish they get later."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def fk_staff(persona):
    return persona("fk", "staff")


@pytest.fixture
def av_staff(persona):
    return persona("av", "staff")


def url(name, inspection=None, *args):
    return reverse(f"inspections:{name}", args=[inspection.pk, *args] if inspection else args)


def iso_week(day):
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def counts_data(rows, extra=3):
    """The person-count formset as a browser posts it: `rows` filled, `extra` left empty."""
    data = {
        "counts-TOTAL_FORMS": str(len(rows) + extra),
        "counts-INITIAL_FORMS": "0",
        "counts-MIN_NUM_FORMS": "0",
        "counts-MAX_NUM_FORMS": "100",
    }
    for index, row in enumerate([*rows, *[{}] * extra]):
        for field in ("right_to_work", "nationality", "count"):
            data[f"counts-{index}-{field}"] = str(row.get(field, ""))
    return data


# --- scope: list, calendar, detail --------------------------------------------------------


def test_coordinator_and_assigned_agencies_see_it_others_do_not(
    client, plan, assign, av_coordinator, skv_staff, polis_staff, fk_staff, av_staff
):
    inspection = plan()
    assign(inspection, "skv")  # not answered yet: already in scope
    assign(inspection, "polis", mode="desk")
    week = {"week": iso_week(inspection.planned_date)}

    for user in (av_coordinator, skv_staff, polis_staff):
        client.force_login(user)
        listed = client.get(url("inspection_list"))
        assert [i.pk for i in listed.context["inspections"]] == [inspection.pk], user
        assert inspection.reference in listed.content.decode()
        calendar = client.get(url("inspection_calendar"), week).content.decode()
        assert inspection.reference in calendar
        assert url("inspection_detail", inspection) in calendar
        assert client.get(url("inspection_detail", inspection)).status_code == 200

    # An unassigned agency, and the coordinating agency's own non-coordinator staff.
    for user in (fk_staff, av_staff):
        client.force_login(user)
        assert client.get(url("inspection_list")).context["inspections"] == []
        calendar = client.get(url("inspection_calendar"), week)
        assert calendar.status_code == 200
        assert inspection.reference not in calendar.content.decode()
        assert inspection.workplace.name not in calendar.content.decode()
        assert client.get(url("inspection_detail", inspection)).status_code == 404
        assert client.get(url("inspection_results", inspection)).status_code == 404


def test_list_shows_my_agencys_part_and_links_to_the_other_pages(client, plan, assign, skv_staff):
    inspection = plan()
    assign(inspection, "skv", mode="desk")
    client.force_login(skv_staff)

    response = client.get(url("inspection_list"))

    page = response.content.decode()
    assert "Desk support" in page
    assert "Awaiting answer" in page
    # Names, not codes: the county and the SNI title.
    assert "Stockholm" in page
    assert "Building of residential and other buildings" not in page
    assert "Byggande av bostadshus och andra byggnader" in page
    for name in ("inspection_calendar", "operation_board", "follow_up_list"):
        assert url(name) in page
    assert url("inspection_create") not in page  # staff do not plan


def test_list_filters_by_reference_and_pages_with_a_cursor(client, plan, av_coordinator):
    wanted = plan(name="Restaurang Lyktan")
    plan(name="Bygget Hagastaden")
    client.force_login(av_coordinator)

    found = client.get(url("inspection_list"), {"q": wanted.reference})
    assert [i.pk for i in found.context["inspections"]] == [wanted.pk]

    older = client.get(url("inspection_list"), {"before": wanted.pk})
    assert wanted.pk not in [i.pk for i in older.context["inspections"]]


def test_list_is_sorted_by_date_newest_first_and_pages_on(client, plan, av_coordinator):
    today = timezone.localdate()
    newest = plan(planned_date=today + timedelta(days=30))
    oldest = plan(planned_date=today - timedelta(days=30))
    middle = plan(planned_date=today)
    client.force_login(av_coordinator)

    listed = client.get(url("inspection_list")).context["inspections"]
    assert [i.pk for i in listed] == [newest.pk, middle.pk, oldest.pk]
    cursor = f"{middle.planned_date.isoformat()}_{middle.pk}"
    after = client.get(url("inspection_list"), {"before": cursor}).context["inspections"]
    assert [i.pk for i in after] == [oldest.pk]


def test_list_runs_the_same_number_of_queries_for_1_and_50_inspections(
    client, plan, assign, skv_staff, django_assert_num_queries, session_not_touched
):
    assign(plan(), "skv")
    client.force_login(skv_staff)
    client.get(url("inspection_list"))  # warm up the session
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url("inspection_list")).context["inspections"]) == 1

    for _ in range(49):
        assign(plan(), "skv")
    with django_assert_num_queries(len(one)):
        response = client.get(url("inspection_list"))
    assert len(response.context["inspections"]) == 50


def test_calendar_groups_the_week_by_day_and_filters_by_centre(client, plan, av_coordinator):
    monday = date(2026, 3, 2)
    wednesday = plan(planned_date=monday + timedelta(days=2))
    next_week = plan(planned_date=monday + timedelta(days=7))
    client.force_login(av_coordinator)

    response = client.get(url("inspection_calendar"), {"week": "2026-W10"})

    days = response.context["days"]
    assert [day for day, _ in days] == [monday + timedelta(days=n) for n in range(7)]
    assert [[i.pk for i in items] for _, items in days] == [[], [], [wednesday.pk], [], [], [], []]
    assert next_week.reference not in response.content.decode()
    assert response.context["previous_week"] == "2026-W09"
    assert response.context["next_week"] == "2026-W11"
    assert "week=2026-W11" in response.content.decode()

    elsewhere = client.get(url("inspection_calendar"), {"week": "2026-W10", "centre": "malmo"})
    assert all(items == [] for _, items in elsewhere.context["days"])
    here = client.get(url("inspection_calendar"), {"week": "2026-W10", "centre": "stockholm"})
    assert [i.pk for _, items in here.context["days"] for i in items] == [wednesday.pk]


def test_calendar_defaults_to_this_week(client, plan, av_coordinator):
    today = plan(planned_date=timezone.localdate())
    client.force_login(av_coordinator)
    response = client.get(url("inspection_calendar"))
    assert response.context["week"] == iso_week(timezone.localdate())
    assert today.reference in response.content.decode()


def test_analyst_may_not_open_the_inspection_pages(client, persona, plan):
    inspection = plan()
    client.force_login(persona("av", "analyst"))
    assert client.get(url("inspection_list")).status_code == 403
    assert client.get(url("inspection_detail", inspection)).status_code == 403


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(url("inspection_calendar"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- planning -----------------------------------------------------------------------------


def plan_data(**overrides):
    return {
        "name": "Kvarteret Hagastaden, hus B",
        "address": "Hagagatan 1",
        "city": "Stockholm",
        "municipality": "0180",
        "county": "01",
        "sni": "41.200",
        "workplace_type": "building_site",
        "planned_date": timezone.localdate().isoformat(),
        "unannounced": "on",
        "employer_1": "556036-0793",
        "role_1": "subcontractor",
        "role_2": "employer",
        "role_3": "employer",
        "new_role": "employer",
        "operation": "",
        **overrides,
    }


def test_coordinator_plans_an_inspection(client, av_coordinator, employer):
    client.force_login(av_coordinator)

    response = client.post(url("inspection_create"), plan_data())

    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response.url == url("inspection_detail", inspection)
    assert inspection.workplace.county.code == "01"
    assert inspection.coordinating_agency.code == "av"
    assert inspection.inspectionemployer_set.get().role == "subcontractor"
    detail = client.get(response.url).content.decode()
    assert "Bygg &amp; Montage AB" in detail
    assert "556036-0793" in detail


def test_plan_shows_the_services_workplace_and_employer_errors(client, av_coordinator, employer):
    client.force_login(av_coordinator)

    bad_place = client.post(url("inspection_create"), plan_data(municipality="1480"))
    assert bad_place.status_code == 400
    assert "Göteborg" in bad_place.context["form"].errors["municipality"][0]
    assert 'id="id_municipality_error"' in bad_place.content.decode()

    unknown = client.post(url("inspection_create"), plan_data(employer_1="202100-5489"))
    assert unknown.status_code == 400
    assert unknown.context["form"].errors["employer_1"]
    assert not Inspection.objects.exists()


def test_staff_may_not_plan(client, skv_staff):
    client.force_login(skv_staff)
    assert client.post(url("inspection_create"), plan_data()).status_code == 403


# --- answering, assigning, the visit ------------------------------------------------------


def test_accept_staffs_the_inspection(client, plan, assign, skv_staff):
    inspection = plan()
    assignment = assign(inspection, "skv")
    client.force_login(skv_staff)
    assert client.get(url("inspection_detail", inspection)).context["respond_form"] is not None

    response = client.post(url("inspection_respond", inspection), {"answer": "accept"})

    assert response.status_code == 302
    assignment.refresh_from_db()
    inspection.refresh_from_db()
    assert (assignment.status, inspection.status) == ("accepted", "staffed")
    assert client.get(url("inspection_detail", inspection)).context["respond_form"] is None


def test_decline_needs_a_reason_and_then_the_agency_loses_the_inspection(
    client, plan, assign, skv_staff
):
    inspection = plan()
    assignment = assign(inspection, "skv")
    client.force_login(skv_staff)

    no_reason = client.post(url("inspection_respond", inspection), {"answer": "decline"})
    assert no_reason.status_code == 400
    assert no_reason.context["respond_form"].errors["reason"]
    assignment.refresh_from_db()
    assert assignment.status == "pending"

    response = client.post(
        url("inspection_respond", inspection), {"answer": "decline", "reason": "Ingen personal"}
    )
    assert response.status_code == 302
    assert response.url == url("inspection_list")
    assert client.get(url("inspection_detail", inspection)).status_code == 404
    assert client.get(url("inspection_list")).context["inspections"] == []
    assert (
        inspection.reference
        not in client.get(
            url("inspection_calendar"), {"week": iso_week(inspection.planned_date)}
        ).content.decode()
    )


def test_respond_by_an_unassigned_agency_is_404(client, plan, assign, fk_staff):
    inspection = plan()
    assign(inspection, "skv")
    client.force_login(fk_staff)
    assert client.post(url("inspection_respond", inspection), {"answer": "accept"}).status_code == (
        404
    )


def test_coordinator_assigns_an_agency(client, plan, av_coordinator, skv_staff):
    inspection = plan()
    client.force_login(av_coordinator)

    response = client.post(
        url("inspection_assign", inspection), {"agency": "polis", "mode": "on_site"}
    )

    assert response.status_code == 302
    assert response.url.endswith("#assignments")
    assignment = AgencyAssignment.objects.get(inspection=inspection)
    assert (assignment.agency.code, assignment.mode, assignment.status) == (
        "polis",
        "on_site",
        "pending",
    )
    again = client.post(url("inspection_assign", inspection), {"agency": "polis", "mode": "desk"})
    assert again.status_code == 400  # already assigned: not offered any more
    assert again.context["assign_form"].errors["agency"]


def test_staff_of_an_assigned_agency_may_not_assign(client, plan, assign, skv_staff):
    inspection = plan()
    assign(inspection, "skv")
    client.force_login(skv_staff)
    response = client.post(url("inspection_assign", inspection), {"agency": "fk", "mode": "desk"})
    assert response.status_code == 403
    assert not AgencyAssignment.objects.filter(agency__code="fk").exists()


def test_an_agency_on_site_records_the_visit(client, plan, assign, skv_staff):
    inspection = plan(planned_date=timezone.localdate())
    planning.respond_to_assignment(assign(inspection, "skv"), accept=True, actor=skv_staff)
    client.force_login(skv_staff)
    assert client.get(url("inspection_detail", inspection)).context["perform_form"] is not None

    future = client.post(
        url("inspection_perform", inspection),
        {"performed_on": timezone.localdate() + timedelta(days=1), "persons_checked": 7},
    )
    assert future.status_code == 400
    assert future.context["perform_form"].errors["performed_on"]

    response = client.post(
        url("inspection_perform", inspection),
        {"performed_on": timezone.localdate(), "persons_checked": 7},
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert (inspection.status, inspection.persons_checked) == ("performed", 7)
    detail = client.get(url("inspection_detail", inspection))
    assert detail.context["perform_form"] is None
    assert detail.context["results_open"]
    assert detail.context["can_submit"]
    assert url("inspection_results", inspection) in detail.content.decode()


def test_a_desk_agency_may_not_record_the_visit(client, plan, assign, polis_staff):
    inspection = plan()
    planning.respond_to_assignment(
        assign(inspection, "polis", mode="desk"), accept=True, actor=polis_staff
    )
    client.force_login(polis_staff)
    response = client.post(
        url("inspection_perform", inspection),
        {"performed_on": timezone.localdate(), "persons_checked": 3},
    )
    assert response.status_code == 403


def test_cancel_needs_a_reason(client, plan, av_coordinator):
    inspection = plan()
    client.force_login(av_coordinator)

    assert client.post(url("inspection_cancel", inspection), {"reason": " "}).status_code == 400
    response = client.post(
        url("inspection_cancel", inspection), {"reason": "Företaget har flyttat"}
    )

    assert response.status_code == 302
    inspection.refresh_from_db()
    assert (inspection.status, inspection.status_reason) == ("cancelled", "Företaget har flyttat")


def test_cancel_is_asked_on_a_page_of_its_own(client, plan, av_coordinator):
    """The detail page only links to the cancel page; opening it changes nothing, and the
    page says what is cancelled before the one button does it."""
    inspection = plan()
    client.force_login(av_coordinator)
    detail = client.get(url("inspection_detail", inspection)).content.decode()
    assert 'class="cancel-form"' not in detail
    assert url("inspection_cancel", inspection) in detail

    page = client.get(url("inspection_cancel", inspection))

    assert page.status_code == 200
    assert inspection.reference in page.content.decode()
    assert 'class="inspection-cancel-form"' in page.content.decode()
    inspection.refresh_from_db()
    assert inspection.status == "planned"


@pytest.mark.parametrize("who", ["skv_staff", "fk_staff"])
def test_the_cancel_page_is_for_the_coordinator_only(client, plan, assign, who, request):
    """Staff of an agency taking part: 403; an agency not involved: 404, as for nothing."""
    inspection = plan()
    assign(inspection, "skv")
    client.force_login(request.getfixturevalue(who))
    expected = {"skv_staff": 403, "fk_staff": 404}[who]
    assert client.get(url("inspection_cancel", inspection)).status_code == expected
    response = client.post(url("inspection_cancel", inspection), {"reason": "Fel"})
    assert response.status_code == expected
    inspection.refresh_from_db()
    assert inspection.status == "planned"


def test_a_visited_inspection_has_no_cancel_page(client, plan, av_coordinator):
    inspection = plan()
    lifecycle.perform_inspection(
        inspection, performed_on=timezone.localdate(), persons_checked=2, actor=av_coordinator
    )
    client.force_login(av_coordinator)
    assert (
        url("inspection_cancel", inspection)
        not in client.get(url("inspection_detail", inspection)).content.decode()
    )
    assert client.get(url("inspection_cancel", inspection)).status_code == 403
    assert client.post(url("inspection_cancel", inspection), {"reason": "Fel"}).status_code == 403


def test_submit_results_documents_and_the_coordinator_closes(
    client, joint, skv_staff, polis_staff, av_coordinator
):
    for user in (skv_staff, polis_staff):
        client.force_login(user)
        assert client.post(url("inspection_submit_results", joint)).status_code == 302
    joint.refresh_from_db()
    assert joint.status == "documented"

    client.force_login(av_coordinator)
    assert client.get(url("inspection_detail", joint)).context["can_close"] is True
    assert client.post(url("inspection_close", joint)).status_code == 302
    joint.refresh_from_db()
    assert joint.status == "closed"


# --- the results page ---------------------------------------------------------------------


def test_results_page_before_the_visit_records_nothing(client, plan, assign, skv_staff):
    inspection = plan()
    planning.respond_to_assignment(assign(inspection, "skv"), accept=True, actor=skv_staff)
    client.force_login(skv_staff)

    response = client.get(url("inspection_results", inspection))

    assert response.status_code == 200
    assert response.context["finding_form"] is None
    assert response.context["persons_formset"] is None
    # ... but the agency on site records the visit right here, without leaving the page.
    assert response.context["visit_form"] is not None
    assert url("results_visit", inspection) in response.content.decode()


def test_a_finding_is_recorded_and_the_page_says_so(client, joint, skv_staff):
    client.force_login(skv_staff)
    page = client.get(url("inspection_results", joint)).content.decode()
    assert 'data-draft-key="inspection-' in page
    assert "js/results-draft.js" in page
    assert "data-draft-saved" not in page

    response = client.post(
        url("results_finding", joint),
        {
            "category": "personalliggare_saknas",
            "severity": "high",
            "description": "Ingen liggare\r\npå plats",
            "legal_reference": "SFL 39 kap. 11 §",
        },
        follow=True,
    )

    finding = Finding.objects.get()
    assert (finding.agency.code, finding.category, finding.severity) == (
        "skv",
        "personalliggare_saknas",
        "high",
    )
    assert finding.description == "Ingen liggare\npå plats"
    assert response.redirect_chain == [(url("inspection_results", joint) + "#finding", 302)]
    page = response.content.decode()
    assert "The finding is recorded." in page
    # The server tells results-draft.js that this form was stored, once.
    assert 'class="finding-form" data-draft-key="inspection-' in page
    assert "data-draft-saved" in page
    assert "data-draft-saved" not in client.get(url("inspection_results", joint)).content.decode()


def test_a_finding_from_another_agencys_list_is_refused(client, joint, skv_staff):
    client.force_login(skv_staff)
    response = client.post(
        url("results_finding", joint), {"category": "utan_arbetstillstand", "severity": "medium"}
    )
    assert response.status_code == 400
    assert response.context["finding_form"].errors["category"]
    assert not Finding.objects.exists()


def test_the_category_list_is_my_agencys(client, joint, polis_staff):
    client.force_login(polis_staff)
    choices = dict(
        client.get(url("inspection_results", joint))
        .context["finding_form"]
        .fields["category"]
        .choices
    )
    assert "utan_arbetstillstand" in choices
    assert "indikator_manniskohandel" in choices
    assert "personalliggare_saknas" not in choices


def test_a_secret_finding_is_not_shown_to_polis(client, joint, skv_staff, polis_staff):
    client.force_login(skv_staff)
    client.post(
        url("results_finding", joint),
        {"category": "svartarbete", "severity": "medium", "description": "Hemlig uppgift"},
    )
    client.post(
        url("results_finding", joint),
        {
            "category": "svartarbete",
            "severity": "medium",
            "description": "Källa i bolaget",
            "secret": "on",
        },
    )
    assert "Källa i bolaget" in client.get(url("inspection_detail", joint)).content.decode()

    client.force_login(polis_staff)
    response = client.get(url("inspection_detail", joint))
    page = response.content.decode()
    assert "Hemlig uppgift" in page  # not secret: shared under the duty to share
    assert "Källa i bolaget" not in page
    assert [f.secret for f in response.context["findings"]] == [False]
    read = AuditEvent.objects.filter(action="finding.viewed", actor_username="polis.staff")
    assert read.exists()


def test_a_control_fee_needs_an_amount(client, joint, skv_staff):
    finding = results.record_finding(joint, category="personalliggare_saknas", actor=skv_staff)
    client.force_login(skv_staff)

    missing = client.post(
        url("results_decision", joint), {"finding": finding.pk, "type": "kontrollavgift"}
    )
    assert missing.status_code == 400
    assert missing.context["decision_form"].errors["amount_sek"]
    assert not Decision.objects.exists()

    response = client.post(
        url("results_decision", joint),
        {"finding": finding.pk, "type": "kontrollavgift", "amount_sek": "12500"},
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.type, decision.amount_sek, decision.agency.code) == (
        "kontrollavgift",
        12500,
        "skv",
    )


def test_a_decision_on_another_agencys_finding_is_refused(client, joint, skv_staff, polis_staff):
    finding = results.record_finding(joint, category="personalliggare_saknas", actor=skv_staff)
    client.force_login(polis_staff)
    response = client.post(
        url("results_decision", joint),
        {"finding": finding.pk, "type": "polisanmalan"},
    )
    assert response.status_code == 400  # not one of polis's findings: not offered
    assert not Decision.objects.exists()


# --- a decision's status on the inspection page --------------------------------------------


def _fee(joint, skv_staff):
    finding = results.record_finding(joint, category="personalliggare_saknas", actor=skv_staff)
    return decisions.record_decision(
        finding, type="kontrollavgift", amount_sek=12500, actor=skv_staff
    )


def test_the_deciding_agency_is_offered_only_the_next_statuses(
    client, joint, skv_staff, polis_staff, av_coordinator
):
    decision = _fee(joint, skv_staff)
    client.force_login(skv_staff)
    page = client.get(url("inspection_detail", joint))
    form = page.context["findings"][0].decisions.all()[0].status_form
    offered = [value for value, _label in form.fields["status"].choices if value]
    assert offered == ["appealed", "final", "paid", "withdrawn"]  # decided -> ...
    html = page.content.decode()
    assert url("decision_status", joint, decision.pk) in html
    # Swedish labels, never codes, for a Swedish reader.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "sv"
    html = client.get(url("inspection_detail", joint)).content.decode()
    assert ">Överklagat<" in html
    assert ">appealed<" not in html
    # Those who see the decision but did not make it get no form.
    for other in (polis_staff, av_coordinator):
        client.force_login(other)
        assert url("decision_status", joint, decision.pk) not in (
            client.get(url("inspection_detail", joint)).content.decode()
        )


def test_a_police_report_is_never_offered_paid(client, joint, polis_staff):
    finding = results.record_finding(joint, category="utan_arbetstillstand", actor=polis_staff)
    decisions.record_decision(
        finding, type="polisanmalan", law="utlanningslagen", actor=polis_staff
    )
    client.force_login(polis_staff)
    page = client.get(url("inspection_detail", joint))
    form = page.context["findings"][0].decisions.all()[0].status_form
    assert [v for v, _label in form.fields["status"].choices if v] == [
        "appealed",
        "final",
        "withdrawn",
    ]


def test_the_status_changes_with_a_reason_and_is_audited(client, joint, skv_staff):
    decision = _fee(joint, skv_staff)
    client.force_login(skv_staff)
    response = client.post(
        url("decision_status", joint, decision.pk),
        {"status": "withdrawn", "reason": "Upphävt efter överklagande", "version": 1},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#decision-{decision.pk}")
    decision.refresh_from_db()
    assert (decision.status, decision.version) == ("withdrawn", 2)
    event = AuditEvent.objects.get(action="decision.status_changed")
    assert event.purpose == "Upphävt efter överklagande"
    assert event.changes == {"status": ["decided", "withdrawn"]}
    # Withdrawn is the end of the way: no form any more.
    page = client.get(url("inspection_detail", joint))
    assert not hasattr(page.context["findings"][0].decisions.all()[0], "status_form")


def test_a_missing_reason_or_a_refused_step_is_400_on_the_field(client, joint, skv_staff):
    decision = _fee(joint, skv_staff)
    client.force_login(skv_staff)
    cases = [
        ({"status": "appealed", "reason": "", "version": 1}, "reason"),
        ({"status": "proposed", "reason": "Tillbaka", "version": 1}, "status"),
        ({"status": "", "reason": "Tillbaka", "version": 1}, "status"),
    ]
    for data, field in cases:
        response = client.post(url("decision_status", joint, decision.pk), data)
        assert response.status_code == 400, data
        form = response.context["findings"][0].decisions.all()[0].status_form
        assert list(form.errors) == [field], data
    decision.refresh_from_db()
    assert (decision.status, decision.version) == ("decided", 1)
    assert not AuditEvent.objects.filter(action="decision.status_changed").exists()


def test_a_change_made_meanwhile_is_not_overwritten(client, joint, skv_staff):
    decision = _fee(joint, skv_staff)
    decisions.change_decision_status(
        decision, status="appealed", reason="Överklagat", actor=skv_staff
    )
    client.force_login(skv_staff)
    response = client.post(
        url("decision_status", joint, decision.pk),
        {"status": "final", "reason": "Vunnit laga kraft", "version": 1},  # the page read v1
        follow=True,
    )
    assert "changed this in the meantime" in response.content.decode()
    decision.refresh_from_db()
    assert (decision.status, decision.version) == ("appealed", 2)


def test_another_agency_is_403_and_out_of_scope_is_404(
    client, joint, skv_staff, polis_staff, fk_staff
):
    decision = _fee(joint, skv_staff)
    data = {"status": "appealed", "reason": "Överklagat", "version": 1}
    client.force_login(polis_staff)  # sees the finding and its decision
    assert client.post(url("decision_status", joint, decision.pk), data).status_code == 403
    client.force_login(fk_staff)  # not taking part
    assert client.post(url("decision_status", joint, decision.pk), data).status_code == 404
    client.force_login(skv_staff)  # a decision id that is not on this inspection
    assert client.post(url("decision_status", joint, decision.pk + 999), data).status_code == 404
    decision.refresh_from_db()
    assert decision.status == "decided"


def test_person_counts_replace_my_agencys_counts(client, joint, skv_staff, polis_staff):
    results.record_person_counts(
        joint, counts=[{"right_to_work": "unknown", "count": 2}], actor=polis_staff
    )
    client.force_login(skv_staff)
    first = client.post(
        url("results_persons", joint),
        counts_data(
            [
                {"right_to_work": "eu_eea_citizen", "nationality": "se", "count": 5},
                {"right_to_work": "no_right_to_work", "nationality": "UA", "count": 2},
            ]
        ),
    )
    assert first.status_code == 302

    formset = client.get(url("inspection_results", joint)).context["persons_formset"]
    assert len(formset.forms) == 5  # the two saved rows and three empty ones

    second = client.post(
        url("results_persons", joint),
        counts_data([{"right_to_work": "valid_permit", "nationality": "IN", "count": 4}]),
    )
    assert second.status_code == 302
    rows = joint.person_counts.order_by("agency__code")
    assert [(r.agency.code, r.right_to_work, r.nationality, r.count) for r in rows] == [
        ("polis", "unknown", "", 2),
        ("skv", "valid_permit", "IN", 4),
    ]


def test_a_half_filled_count_row_is_400(client, joint, skv_staff):
    client.force_login(skv_staff)
    response = client.post(
        url("results_persons", joint), counts_data([{"nationality": "SE", "count": 3}])
    )
    assert response.status_code == 400
    assert response.context["persons_formset"].forms[0].errors["right_to_work"]
    assert not joint.person_counts.exists()


def test_a_follow_up_is_added_from_the_results_page(client, joint, skv_staff):
    client.force_login(skv_staff)
    response = client.post(
        url("results_follow_up", joint),
        {"title": "Begär in personalliggaren", "due_date": "2026-12-01"},
    )
    assert response.status_code == 302
    assert response.url.endswith("#follow-up")
    follow_up = FollowUp.objects.get()
    assert (follow_up.agency.code, follow_up.due_date) == ("skv", date(2026, 12, 1))


def test_results_page_of_an_invisible_inspection_is_404(client, joint, fk_staff):
    client.force_login(fk_staff)
    assert client.get(url("inspection_results", joint)).status_code == 404
    response = client.post(
        url("results_finding", joint), {"category": "misstankt_felaktig_utbetalning"}
    )
    assert response.status_code == 404


# --- follow-ups ---------------------------------------------------------------------------


def test_follow_up_done_by_another_agency_is_403(client, joint, skv_staff, polis_staff, fk_staff):
    follow_up = follow_ups.add_follow_up(
        joint, title="Begär in underlag", due_date=date.today(), actor=skv_staff
    )
    done = url("follow_up_complete", None, follow_up.pk)

    client.force_login(fk_staff)
    assert client.post(done).status_code == 404
    client.force_login(polis_staff)
    assert client.post(done).status_code == 403
    follow_up.refresh_from_db()
    assert follow_up.status == "open"

    client.force_login(skv_staff)
    response = client.post(done, {"show": "mine"})
    assert response.status_code == 302
    assert response.url.endswith("?show=mine")
    follow_up.refresh_from_db()
    assert follow_up.status == "done"


def test_follow_up_tabs_overdue_and_mine(client, joint, skv_staff, polis_staff):
    late = follow_ups.add_follow_up(
        joint, title="Sen uppgift", due_date=date.today() - timedelta(days=2), actor=skv_staff
    )
    soon = follow_ups.add_follow_up(
        joint, title="Kommande", due_date=date.today() + timedelta(days=5), actor=polis_staff
    )
    client.force_login(polis_staff)

    everything = client.get(url("follow_up_list")).context["follow_ups"]
    overdue = client.get(url("follow_up_list"), {"show": "overdue"}).context["follow_ups"]
    mine = client.get(url("follow_up_list"), {"show": "mine"})

    assert [f.pk for f in everything] == [late.pk, soon.pk]
    assert [f.pk for f in overdue] == [late.pk]
    assert [f.pk for f in mine.context["follow_ups"]] == [soon.pk]
    # The Done button is offered for the own agency's open follow-ups only.
    assert url("follow_up_complete", None, soon.pk) in mine.content.decode()
    page = client.get(url("follow_up_list")).content.decode()
    assert url("follow_up_complete", None, late.pk) not in page


# --- operations ---------------------------------------------------------------------------


def test_operations_board_counts_visible_inspections_and_answers(
    client, av_coordinator, skv_staff, polis_staff, employer
):
    operation = operations.create_operation(
        title="Byggvecka Stockholm",
        period_start=date(2026, 3, 2),
        period_end=date(2026, 3, 8),
        selection_basis="risk_industry",
        actor=av_coordinator,
    )

    def plan_in_operation():
        return planning.plan_inspection(
            workplace=WORKPLACE,
            planned_date=date(2026, 3, 4),
            employers=[employer.orgnr],
            operation=operation,
            actor=av_coordinator,
        )

    def assign(inspection, code):
        agency = Agency.objects.get(code=code)
        return planning.assign_agency(
            inspection, agency=agency, mode="on_site", actor=av_coordinator
        )

    staffed, waiting, unassigned = plan_in_operation(), plan_in_operation(), plan_in_operation()
    planning.respond_to_assignment(assign(staffed, "skv"), accept=True, actor=skv_staff)
    assign(waiting, "skv")
    planning.respond_to_assignment(
        assign(waiting, "polis"), accept=False, reason="Ingen personal", actor=polis_staff
    )
    assert unassigned.assignments.count() == 0

    client.force_login(av_coordinator)
    board = client.get(url("operation_board"))
    [row] = board.context["operations"]
    assert (row.n_total, row.n_planned, row.n_staffed, row.n_performed) == (3, 2, 1, 0)
    assert row.agency_answers == [
        {
            "inspection__operation_id": operation.pk,
            "agency_name": "Swedish Police Authority",
            "pending": 0,
            "accepted": 0,
            "declined": 1,
        },
        {
            "inspection__operation_id": operation.pk,
            "agency_name": "Swedish Tax Agency",
            "pending": 1,
            "accepted": 1,
            "declined": 0,
        },
    ]
    assert board.context["operation_form"] is not None

    client.force_login(skv_staff)  # sees only the two inspections skv is assigned to
    board = client.get(url("operation_board"))
    [row] = board.context["operations"]
    assert (row.n_total, row.n_planned, row.n_staffed) == (2, 1, 1)
    assert "operation_form" not in board.context


def test_coordinator_plans_an_operation_from_the_board(client, av_coordinator, skv_staff):
    client.force_login(av_coordinator)
    data = {
        "title": "Restaurangvecka",
        "scope": "regional",
        "centre": "stockholm",
        "period_start": "2026-04-06",
        "period_end": "2026-04-10",
        "selection_basis": "risk_industry",
        "focus_sni": ["56.1", "56.3"],  # chosen from SCB's titles (SniCodesField)
    }

    backwards = client.post(url("operation_create"), {**data, "period_end": "2026-04-01"})
    assert backwards.status_code == 400
    assert backwards.context["operation_form"].errors["period_end"]

    response = client.post(url("operation_create"), data)
    assert response.status_code == 302
    assert client.get(url("operation_board")).context["operations"][0].focus_sni == [
        "56.1",
        "56.3",
    ]
    unknown = client.post(url("operation_create"), {**data, "focus_sni": ["56.9"]})
    assert unknown.status_code == 400
    assert unknown.context["operation_form"].errors["focus_sni"]

    client.force_login(skv_staff)
    assert client.post(url("operation_create"), data).status_code == 403


def test_operation_status_buttons_on_the_board(client, av_coordinator, skv_staff):
    operation = operations.create_operation(
        title="Byggvecka",
        period_start=date(2026, 5, 4),
        period_end=date(2026, 5, 8),
        selection_basis="campaign",
        actor=av_coordinator,
    )
    client.force_login(av_coordinator)
    board = client.get(reverse("inspections:operation_board")).content.decode()
    assert 'value="in_progress"' in board
    response = client.post(
        reverse("inspections:operation_status", args=[operation.pk]), {"status": "in_progress"}
    )
    assert response.status_code == 302
    operation.refresh_from_db()
    assert operation.status == "in_progress"
    client.force_login(skv_staff)
    assert client.post(
        reverse("inspections:operation_status", args=[operation.pk]), {"status": "follow_up"}
    ).status_code in (403, 404)


def test_board_filters_hide_finished_operations_and_cancelling_needs_its_own_page(
    client, av_coordinator
):
    today = timezone.localdate()
    period = {"period_start": today, "period_end": today + timedelta(days=4)}
    running = operations.create_operation(
        title="Restaurangvecka", selection_basis="campaign", actor=av_coordinator, **period
    )
    finished = operations.create_operation(
        title="Städvecka", selection_basis="campaign", actor=av_coordinator, **period
    )
    operations.move_operation(finished, status="cancelled", reason="Ersatt", actor=av_coordinator)
    client.force_login(av_coordinator)
    board = reverse("inspections:operation_board")

    default = client.get(board).content.decode()
    assert "Restaurangvecka" in default
    assert "Städvecka" not in default
    assert 'name="status" value="cancelled"' not in default  # no cancel button on the cards
    everything = client.get(board, {"status": "all"}).content.decode()
    assert "Städvecka" in everything
    searched = client.get(board, {"status": "all", "q": "städ"}).content.decode()
    assert "Städvecka" in searched
    assert "Restaurangvecka" not in searched

    cancel = reverse("inspections:operation_cancel", args=[running.pk])
    assert cancel in default
    confirm = client.get(cancel)
    assert confirm.status_code == 200
    assert "Restaurangvecka" in confirm.content.decode()
    assert client.post(cancel, {"reason": ""}).status_code == 400
    running.refresh_from_db()
    assert running.status == "planned"
    assert client.post(cancel, {"reason": "Inga inspektörer lediga"}).status_code == 302
    running.refresh_from_db()
    assert running.status == "cancelled"


# --- planning by name, inline employers, date questions -----------------------------------


def test_coordinator_finds_employers_by_name_or_number(client, av_coordinator, employer):
    client.force_login(av_coordinator)

    by_name = client.get(url("employer_search"), {"q": "bygg &"}).json()["results"]
    by_number = client.get(url("employer_search"), {"q": "5560360"}).json()["results"]
    nothing = client.get(url("employer_search"), {"q": "Ingen sådan firma"}).json()["results"]

    assert [e["label"] for e in by_name] == ["Bygg & Montage AB (556036-0793)"]
    assert [e["orgnr"] for e in by_number] == ["5560360793"]
    assert nothing == []


def test_anonymous_visitor_gets_no_employers(client, employer):
    response = client.get(url("employer_search"), {"q": "bygg"})
    assert response.status_code == 302


def test_plan_with_a_picked_name_a_swedish_role_and_a_new_employer(
    client, av_coordinator, employer
):
    client.force_login(av_coordinator)
    page = client.get(url("inspection_create")).content.decode()
    assert "Underentreprenör" in page or "Subcontractor" in page
    assert ">Göteborg<" in page  # municipalities by name

    response = client.post(
        url("inspection_create"),
        plan_data(
            municipality="1480",
            county="14",
            employer_1="Bygg & Montage AB (556036-0793)",
            role_1="builder",
            new_orgnr="212000-0142",
            new_name="Göteborgs Stad",
            new_role="employer",
        ),
    )

    assert response.status_code == 302, response.context["form"].errors
    inspection = Inspection.objects.get()
    assert inspection.workplace.municipality == "1480"
    assert sorted(inspection.inspectionemployer_set.values_list("employer__orgnr", "role")) == [
        ("2120000142", "employer"),
        ("5560360793", "builder"),
    ]


def test_a_new_employer_with_a_bad_number_is_refused_and_nothing_is_stored(
    client, av_coordinator, employer
):
    client.force_login(av_coordinator)
    response = client.post(
        url("inspection_create"), plan_data(new_orgnr="556036-0794", new_name="Fel AB")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["new_orgnr"]
    assert not Inspection.objects.exists()
    assert not Employer.objects.filter(name="Fel AB").exists()


def test_a_date_long_ago_is_questioned_once(client, av_coordinator, employer):
    client.force_login(av_coordinator)
    long_ago = (timezone.localdate() - timedelta(days=400)).isoformat()

    questioned = client.post(url("inspection_create"), plan_data(planned_date=long_ago))
    assert questioned.status_code == 400
    assert "400" in questioned.context["form"].errors["planned_date"][0]
    assert 'name="confirm_date"' in questioned.content.decode()
    assert not Inspection.objects.exists()

    confirmed = client.post(
        url("inspection_create"), plan_data(planned_date=long_ago, confirm_date="on")
    )
    assert confirmed.status_code == 302
    assert Inspection.objects.get().planned_date.isoformat() == long_ago


def test_finished_operations_are_not_offered_for_planning(client, av_coordinator, employer):
    today = timezone.localdate()
    common = {"period_start": today, "period_end": today + timedelta(days=7)}
    open_one = operations.create_operation(
        title="Vårens byggkontroller",
        selection_basis="risk_industry",
        actor=av_coordinator,
        **common,
    )
    done = operations.create_operation(
        title="Förra årets insats", selection_basis="risk_industry", actor=av_coordinator, **common
    )
    operations.move_operation(done, status="cancelled", reason="Ersatt", actor=av_coordinator)
    client.force_login(av_coordinator)

    page = client.get(url("inspection_create")).content.decode()
    assert "Vårens byggkontroller" in page
    assert "Förra årets insats" not in page
    refused = client.post(url("inspection_create"), plan_data(operation=str(done.pk)))
    assert refused.status_code == 400
    assert not Inspection.objects.exists()
    assert open_one.pk


# --- the visit and results from the results page --------------------------------------------


def test_staff_on_site_record_the_visit_from_the_results_page(client, plan, assign, skv_staff):
    inspection = plan(planned_date=timezone.localdate())
    assignment = assign(inspection, "skv")
    planning.respond_to_assignment(assignment, accept=True, actor=skv_staff)
    client.force_login(skv_staff)

    page = client.get(url("inspection_results", inspection))
    assert page.status_code == 200
    body = page.content.decode()
    assert "visit-form" in body
    assert url("results_visit", inspection) in body

    response = client.post(
        url("results_visit", inspection),
        {"performed_on": timezone.localdate().isoformat(), "persons_checked": "21"},
    )
    assert response.status_code == 302
    assert response.url.endswith("resultat/#finding")
    inspection.refresh_from_db()
    assert (inspection.status, inspection.persons_checked) == ("performed", 21)
    after = client.get(url("inspection_results", inspection)).content.decode()
    assert "finding-form" in after
    assert "visit-form" not in after


def test_a_visit_before_the_planned_date_is_questioned(client, plan, assign, skv_staff):
    inspection = plan(planned_date=timezone.localdate())
    assignment = assign(inspection, "skv")
    planning.respond_to_assignment(assignment, accept=True, actor=skv_staff)
    client.force_login(skv_staff)
    early = (timezone.localdate() - timedelta(days=3)).isoformat()

    questioned = client.post(
        url("results_visit", inspection), {"performed_on": early, "persons_checked": "4"}
    )
    assert questioned.status_code == 400
    assert questioned.context["visit_form"].errors["performed_on"]
    inspection.refresh_from_db()
    assert inspection.status == "staffed"

    confirmed = client.post(
        url("results_visit", inspection),
        {"performed_on": early, "persons_checked": "4", "confirm_date": "on"},
    )
    assert confirmed.status_code == 302
    inspection.refresh_from_db()
    assert inspection.performed_on.isoformat() == early


def test_desk_staff_are_told_to_wait_for_the_visit(client, plan, assign, polis_staff):
    inspection = plan()
    assignment = assign(inspection, "polis", mode="desk")
    planning.respond_to_assignment(assignment, accept=True, actor=polis_staff)
    client.force_login(polis_staff)

    body = client.get(url("inspection_results", inspection)).content.decode()
    assert "visit-form" not in body
    assert 'class="notice"' in body


def test_documented_only_when_every_accepted_agency_reported_or_was_waived(
    client, plan, assign, skv_staff, polis_staff, av_coordinator
):
    inspection = plan(planned_date=timezone.localdate())
    for code, user, mode in (("skv", skv_staff, "on_site"), ("polis", polis_staff, "desk")):
        planning.respond_to_assignment(assign(inspection, code, mode=mode), accept=True, actor=user)
    lifecycle.perform_inspection(
        inspection, performed_on=timezone.localdate(), persons_checked=21, actor=skv_staff
    )
    client.force_login(skv_staff)
    assert client.post(url("results_submit", inspection)).status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == "performed"  # the police (desk) have not reported

    client.force_login(av_coordinator)
    detail = client.get(url("inspection_detail", inspection)).content.decode()
    assert Agency.objects.get(code="polis").name in detail
    assert "not-reporting-form" in detail
    refused = client.post(url("inspection_not_reporting", inspection), {"agency": "polis"})
    assert refused.status_code == 400
    waived = client.post(
        url("inspection_not_reporting", inspection),
        {"agency": "polis", "reason": "Polisen lämnade platsen innan kontrollen började."},
    )
    assert waived.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == "documented"


def test_persons_total_and_agency_counts_agree_on_the_detail_page(
    client, joint, skv_staff, polis_staff
):
    client.force_login(skv_staff)
    before = client.get(url("inspection_detail", joint)).content.decode()
    assert "No counts recorded." not in before  # 12 persons were checked at the visit
    results.record_person_counts(
        joint,
        counts=[{"right_to_work": "no_right_to_work", "nationality": "UA", "count": 5}],
        actor=skv_staff,
    )
    after = client.get(url("inspection_detail", joint)).content.decode()
    assert f"{Agency.objects.get(code='skv').name}: 5 of 12" in after
    assert "Ukraine" in after or "Ukraina" in after
