"""Triage of a tip on its page: the actions that apply to the tip's state and no others
(cases/tips/states.py), a message of its own for each, every decision in the tip's history with
the person's name, and from a tip proposed for a control, the control planned in one step."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.employers.services import register_employer
from cases.tips import services as tip_services
from cases.tips.models import Tip
from cases.tips.states import ACTION_OUTCOMES, TIP_STATES, allowed_actions
from inspections.models import Inspection
from network.models import Agency, AuditEvent, County
from network.services import create_staff
from tests.conftest import PASSWORD, enrol_authenticator
from tests.matrix import Row, covers

pytestmark = pytest.mark.django_db

covers(models=["cases.tip"], routes=["tip-triage"])

ALL = ["case", "propose", "forward", "employer", "dismiss"]
# The actions each outcome still offers, as a person reads the table in states.py.
OFFERED = {
    "new": ALL,
    "employer_linked": ["case", "propose", "forward", "dismiss"],
    "proposed": ["case", "forward", "dismiss"],
    "case_created": [],
    "forwarded": [],
    "dismissed": [],
}
# One valid body per action (the employer is registered by the `employer` fixture).
BODIES = {
    "case": {"action": "case", "owner_agency": "polis"},
    "propose": {"action": "propose"},
    "forward": {"action": "forward", "agency": "skv"},
    "employer": {"action": "employer", "orgnr": "556036-0793"},
    "dismiss": {"action": "dismiss", "reason": "Gäller inte arbetslivskriminalitet."},
}
MESSAGES = {
    "case": "är öppnat för Polismyndigheten",
    "propose": "Tipset är föreslaget för kontroll",
    "forward": "Tipset är skickat vidare till Skatteverket",
    "employer": "Tipset är kopplat till Bygg AB",
    "dismiss": "Tipset är avfärdat",
}
HISTORY = {
    "case": "öppnade ett ärende utifrån tipset",
    "propose": "föreslog tipset för kontroll",
    "forward": "skickade tipset vidare",
    "employer": "kopplade tipset till en arbetsgivare",
    "dismiss": "avfärdade tipset",
}


@pytest.fixture
def anna(db):
    """A coordinator at Arbetsmiljöverket with a name, as people are in akrim."""
    user = create_staff(
        username="anna.coord",
        agency_code="av",
        roles=["coordinator"],
        password=PASSWORD,
        first_name="Anna",
        last_name="Berg",
        centre_code="stockholm",
        actor=None,
    )
    enrol_authenticator(user)
    return user


@pytest.fixture
def employer(anna):
    return register_employer(orgnr="556036-0793", name="Bygg AB", actor=anna)


def new_tip(**data) -> Tip:
    return tip_services.submit_tip(
        data={
            "address": "Södra Förstadsgatan 4",
            "municipality": "Malmö",
            "county": County.objects.get(code="12"),
            "industry": "restaurant",
            "employer_name": "Restaurang Solen",
            "description": "Personalen sover i köket.",
            "observations": ["lives_at_workplace"],
            **data,
        }
    )


def tip_in(outcome: str, actor) -> Tip:
    """A tip brought to `outcome` through the services, as a coordinator would."""
    tip = new_tip()
    skv, polis = Agency.objects.get(code="skv"), Agency.objects.get(code="polis")
    if outcome == "employer_linked":
        tip_services.link_tip_to_employer(tip, orgnr="556036-0793", actor=actor)
    elif outcome == "proposed":
        tip_services.propose_tip_for_inspection(tip, actor=actor)
    elif outcome == "case_created":
        tip_services.create_case_from_tip(tip, owner_agency=polis, actor=actor)
    elif outcome == "forwarded":
        tip_services.forward_tip(tip, agency=skv, actor=actor)
    elif outcome == "dismissed":
        tip_services.dismiss_tip(tip, reason="Dubblett av ett tidigare tips.", actor=actor)
    tip.refresh_from_db()
    assert tip.outcome == outcome
    return tip


def offered_on_page(page: str) -> list[str]:
    return [name for name in ALL if f'class="{name}-form"' in page]


def test_the_page_offers_what_the_state_machine_allows():
    """The table in this test is the rule people were told; the state machine agrees."""

    class FakeTip:
        case_id = None

    for outcome, actions in OFFERED.items():
        tip = FakeTip()
        tip.outcome = outcome
        assert allowed_actions(tip) == actions, outcome
        assert {ACTION_OUTCOMES[a] for a in actions} == TIP_STATES.next_states(outcome)


@pytest.mark.parametrize("outcome", list(OFFERED))
def test_each_action_shows_while_it_applies_and_is_explained(client, anna, employer, outcome):
    tip = tip_in(outcome, anna)
    client.force_login(anna)
    page = client.get(reverse("tips:tip_detail", args=[tip.pk])).content.decode()
    assert offered_on_page(page) == OFFERED[outcome]
    # Each offered action says what it does and when to use it.
    assert page.count("Använd det ") == len(OFFERED[outcome])
    # Planning the control is offered for a proposed tip only.
    assert ("?tip=" in page) == (outcome == "proposed")
    if not OFFERED[outcome]:
        assert "ingen sorteringsåtgärd gäller längre" in page


@pytest.mark.parametrize("action", ALL)
def test_each_action_has_its_message_its_audit_event_and_its_history_line(
    client, anna, employer, action
):
    tip = new_tip()
    client.force_login(anna)
    url = reverse("tips:tip_detail", args=[tip.pk])

    response = client.post(url, BODIES[action], follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert MESSAGES[action] in page
    tip.refresh_from_db()
    assert tip.outcome == ACTION_OUTCOMES[action]
    event = AuditEvent.objects.exclude(action="tip.viewed").get(
        object_type="cases.tip", object_id=str(tip.pk), actor=anna
    )
    assert event.action == f"tip.{ACTION_OUTCOMES[action]}"
    # The history names the person and their agency, never the username.
    history = page[page.index('class="card tip-history"') :]
    assert "Anna Berg" in history
    assert "(Arbetsmiljöverket)" in history
    assert HISTORY[action] in history
    assert "En privatperson" in history  # the tip as received, first
    assert "anna.coord" not in page
    # The action just taken is gone once the state no longer allows it.
    assert action not in offered_on_page(page)


def test_the_history_keeps_the_reason_and_the_order(client, anna, employer):
    tip = new_tip()
    tip_services.link_tip_to_employer(tip, orgnr="556036-0793", actor=anna)
    tip_services.dismiss_tip(tip, reason="Arbetsgivaren är redan under kontroll.", actor=anna)
    client.force_login(anna)
    page = client.get(reverse("tips:tip_detail", args=[tip.pk])).content.decode()
    history = page[page.index('class="card tip-history"') :]
    received = history.index("skickade in tipset")
    linked = history.index("kopplade tipset till en arbetsgivare: Bygg AB")
    dismissed = history.index("avfärdade tipset")
    assert received < linked < dismissed
    assert "Arbetsgivaren är redan under kontroll." in history[dismissed:]


@pytest.mark.parametrize("outcome", ["proposed", "case_created", "forwarded", "dismissed"])
def test_an_action_that_no_longer_applies_is_refused(client, api, anna, employer, outcome):
    """403 on the page and over the API, and nothing changes: no decision, no event."""
    tip = tip_in(outcome, anna)
    refused = [a for a in ALL if a not in OFFERED[outcome]]
    events = AuditEvent.objects.filter(object_type="cases.tip", object_id=str(tip.pk)).count()
    client.force_login(anna)
    for action in refused:
        response = client.post(reverse("tips:tip_detail", args=[tip.pk]), BODIES[action])
        assert response.status_code == 403, action
        body = {**BODIES[action], "agency": "polis" if action == "case" else "skv"}
        api_response = api.as_user(anna).post(
            reverse("tip-triage", args=[tip.pk]), body, format="json"
        )
        assert api_response.status_code == 403, action
    tip.refresh_from_db()
    assert tip.outcome == outcome
    after = AuditEvent.objects.filter(object_type="cases.tip", object_id=str(tip.pk)).count()
    assert after == events


def test_the_service_refuses_a_decision_the_state_does_not_allow(anna, employer):
    from django.core.exceptions import ValidationError

    tip = tip_in("dismissed", anna)
    with pytest.raises(ValidationError) as error:
        tip_services.propose_tip_for_inspection(tip, actor=anna)
    assert "outcome" in error.value.message_dict


# --- planning the control from a proposed tip -------------------------------------------


def plan_url(tip) -> str:
    return reverse("inspections:inspection_create") + f"?tip={tip.pk}"


def test_the_planning_form_comes_filled_in_from_the_tip(client, anna, employer):
    tip = tip_in("employer_linked", anna)
    tip_services.propose_tip_for_inspection(tip, actor=anna)
    client.force_login(anna)
    response = client.get(plan_url(tip))
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert initial["address"] == "Södra Förstadsgatan 4"
    assert (initial["county"], initial["municipality"]) == ("12", "1280")  # Malmö
    assert initial["sni"] == "56.100"
    assert initial["employer_1"] == "Bygg AB (5560360793)"
    assert tip.code in response.content.decode()


def test_planning_from_the_tip_links_it_in_one_step(client, anna, employer):
    tip = tip_in("proposed", anna)
    client.force_login(anna)
    form = client.get(plan_url(tip)).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        tip=tip.pk,
        planned_date=(timezone.localdate() + timedelta(days=5)).isoformat(),
        workplace_type="premises",
        unannounced="on",
    )

    response = client.post(reverse("inspections:inspection_create"), data)

    assert response.status_code == 302, response.context["form"].errors
    inspection = Inspection.objects.get(tip=tip)
    assert inspection.selection_basis == "tip"
    assert (inspection.workplace.municipality, inspection.workplace.street_address) == (
        "1280",
        "Södra Förstadsgatan 4",
    )
    event = AuditEvent.objects.get(action="tip.inspection_planned", object_id=str(tip.pk))
    assert event.changes == {"inspection": inspection.reference}
    page = client.get(reverse("tips:tip_detail", args=[tip.pk])).content.decode()
    assert reverse("inspections:inspection_detail", args=[inspection.pk]) in page
    assert "planerade en kontroll utifrån tipset" in page
    assert "?tip=" not in page  # planned once: the offer is gone
    # ... and a second control from the same tip is refused.
    assert client.get(plan_url(tip)).status_code == 403
    assert client.post(reverse("inspections:inspection_create"), data).status_code == 403
    assert Inspection.objects.filter(tip=tip).count() == 1


def test_a_refused_plan_links_nothing(client, anna, employer):
    """A form error (no date) plans nothing and leaves the tip as it was."""
    tip = tip_in("proposed", anna)
    client.force_login(anna)
    form = client.get(plan_url(tip)).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    response = client.post(reverse("inspections:inspection_create"), {**data, "tip": tip.pk})
    assert response.status_code == 400
    assert not Inspection.objects.exists()
    assert not AuditEvent.objects.filter(action="tip.inspection_planned").exists()


@pytest.mark.parametrize("outcome", ["new", "employer_linked", "case_created", "dismissed"])
def test_only_a_proposed_tip_is_planned_from(client, anna, employer, outcome):
    tip = tip_in(outcome, anna)
    client.force_login(anna)
    assert client.get(plan_url(tip)).status_code == 403


PLAN_MATRIX = [
    Row("av.coordinator", "proposed", "html_plan_from_tip", 200),
    Row("polis.malmo", "proposed", "html_plan_from_tip", 200),  # a regional centre's coordinator
    Row("skv.coordinator", "proposed", "html_plan_from_tip", 404),  # does not see the tip
    Row("skv.staff", "forwarded_to_skv", "html_plan_from_tip", 403),  # sees it, plans nothing
    Row("av.coordinator", "proposed", "html_triage", 302),
    Row("av.coordinator", "dismissed", "html_triage", 403),  # the state allows no more
    Row("skv.staff", "forwarded_to_skv", "html_triage", 403),
    Row("skv.coordinator", "proposed", "html_triage", 404),
    Row("polis.staff", "forwarded_to_skv", "html_history", 404),
    Row("skv.staff", "forwarded_to_skv", "html_history", 200),
]


@pytest.mark.parametrize("row", PLAN_MATRIX, ids=str)
def test_tip_triage_permission_matrix(row, client, persona, anna, employer):
    coordinator = persona("av", "coordinator")
    if row.relation == "forwarded_to_skv":
        tip = tip_in("forwarded", coordinator)
    else:
        tip = tip_in(row.relation, coordinator)
    if row.persona == "polis.malmo":
        user = persona("polis", "coordinator", centre="malmo", username="polis.malmo")
    else:
        agency, role = row.persona.split(".")
        user = persona(agency, role)
    client.force_login(user)
    if row.action == "html_plan_from_tip":
        response = client.get(plan_url(tip))
    elif row.action == "html_triage":
        response = client.post(
            reverse("tips:tip_detail", args=[tip.pk]),
            {"action": "dismiss", "reason": "Ingen grund för kontroll."},
        )
    else:
        response = client.get(reverse("tips:tip_detail", args=[tip.pk]))
        if response.status_code == 200:
            assert "skickade tipset vidare: Skatteverket" in response.content.decode()
    assert response.status_code == row.expected
