"""Public tips: the open form, its abuse protection, and the coordinators' triage."""

import time
import uuid

import pytest
from django.core import signing
from django.urls import reverse

from cases.coordination.models import Case
from cases.tips import services as tip_services
from cases.tips.forms import STARTED_SALT, TipForm
from cases.tips.models import Tip, TipDrop
from network.models import AuditEvent
from tests.conftest import ids
from tests.matrix import Row, covers

pytestmark = pytest.mark.django_db

covers(models=["cases.tip"], routes=["tip-list", "tip-detail", "tip-triage"])

SCRIPT = "<script>alert('x')</script>"


@pytest.fixture(autouse=True)
def _fresh_limits(settings):
    """Rate limits of this test's own: a prefix no other test counts under. Clearing the
    cache would flush the Redis database the other xdist worker's sessions and Celery
    queue live in too."""
    settings.AKRIM_RATELIMIT_PREFIX = f"akrim-test-{uuid.uuid4().hex}:"
    settings.AKRIM_TIP_MIN_SECONDS = 0


def form(**changes):
    return {
        "address": "Storgatan 1",
        "municipality": "Malmö",
        "county": "12",
        "industry": "restaurant",
        "employer_name": "Restaurang Solen",
        "orgnr": "",
        "observations": ["lives_at_workplace", "very_long_hours"],
        "description": "Folk sover i källaren.",
        "started": TipForm.stamp(),
        **changes,
    }


@pytest.fixture
def tip():
    return tip_services.submit_tip(
        data={
            "address": "Storgatan 1",
            "municipality": "Malmö",
            "county": None,
            "industry": "restaurant",
            "description": SCRIPT,
            "employer_name": SCRIPT,
            "observations": ["passports_kept"],
        }
    )


@pytest.fixture
def malmo_coordinator(persona):
    return persona("polis", "coordinator", centre="malmo", username="polis.malmo")


def test_a_tip_is_received_without_login_and_gets_a_code(client):
    response = client.post(reverse("tips:tip_form"), form())
    assert response.status_code == 200
    stored = Tip.objects.get()
    assert response.context["code"] == stored.code
    assert stored.code.startswith("TIPS-")
    assert stored.county.code == "12"
    event = AuditEvent.objects.get(action="tip.received")
    assert event.ip is None  # the page promises not to keep the sender's address


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"orgnr": "556036-0794"}, "orgnr"),
        ({"address": ""}, "address"),
        ({"industry": "mining"}, "industry"),
        ({"description": "x" * 4001}, "description"),
        ({"contact_email": "not-an-address"}, "contact_email"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_stored(client, changes, field):
    response = client.post(reverse("tips:tip_form"), form(**changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Tip.objects.exists()


def test_the_eleventh_tip_in_a_minute_from_one_address_gets_429(client):
    for _ in range(10):
        assert client.post(reverse("tips:tip_form"), form()).status_code == 200
    response = client.post(reverse("tips:tip_form"), form())
    assert response.status_code == 429
    assert Tip.objects.count() == 10


def test_honeypot_is_dropped_silently_but_counted(client):
    response = client.post(reverse("tips:tip_form"), form(website="http://spam"))
    assert response.status_code == 200
    assert response.context["code"] is None
    assert not Tip.objects.exists()
    assert dict(TipDrop.objects.values_list("reason", "count")) == {"honeypot": 1}


def test_too_fast_shows_the_form_again_filled_in_and_never_a_receipt(client, settings):
    settings.AKRIM_TIP_MIN_SECONDS = 60
    stamp = TipForm.stamp()
    response = client.post(reverse("tips:tip_form"), form(started=stamp))
    assert response.status_code == 400
    assert "cases/tip_receipt.html" not in [t.name for t in response.templates]
    page = response.content.decode()
    assert "Ditt tips är inte skickat än" in page
    assert "Folk sover i källaren." in page
    # the original stamp comes back, so pressing send once the time has passed is accepted
    assert response.context["form"]["started"].value() == stamp
    assert not Tip.objects.exists()
    assert dict(TipDrop.objects.values_list("reason", "count")) == {"too_fast": 1}


def test_a_forged_stamp_shows_the_form_again_with_a_fresh_stamp(client, settings):
    settings.AKRIM_TIP_MIN_SECONDS = 60
    response = client.post(reverse("tips:tip_form"), form(started="12345"))
    assert response.status_code == 400
    assert not Tip.objects.exists()
    fresh = response.context["form"]["started"].value()
    assert fresh != "12345"
    assert TipForm(data={"started": fresh}).seconds_since_shown() < 60


def test_an_error_keeps_the_original_stamp_so_a_quick_correction_is_stored(client, settings):
    """A person who fixes a field and presses send again within the minimum time loses
    nothing: the time counts from when the form was first shown."""
    settings.AKRIM_TIP_MIN_SECONDS = 2
    stamp = signing.dumps(time.time() - 5, salt=STARTED_SALT)
    first = client.post(reverse("tips:tip_form"), form(started=stamp, address=""))
    assert first.status_code == 400
    assert "address" in first.context["form"].errors
    assert first.context["form"]["started"].value() == stamp
    again = client.post(reverse("tips:tip_form"), form(started=stamp))
    assert again.status_code == 200
    assert again.context["code"].startswith("TIPS-")
    assert Tip.objects.count() == 1
    assert not TipDrop.objects.exists()


def test_an_empty_first_submit_gets_errors_not_a_receipt(client, settings):
    settings.AKRIM_TIP_MIN_SECONDS = 60
    response = client.post(reverse("tips:tip_form"), {"started": TipForm.stamp()})
    assert response.status_code == 400
    assert {"address", "municipality", "industry"} <= set(response.context["form"].errors)
    assert "cases/tip_receipt.html" not in [t.name for t in response.templates]
    assert not Tip.objects.exists()


def test_the_error_summary_leads_with_links_to_each_field(client):
    response = client.post(reverse("tips:tip_form"), form(address="", contact_email="x"))
    page = response.content.decode()
    summary = page[
        page.index('class="error-summary"') : page.index(
            "</div>", page.index('class="error-summary"')
        )
    ]
    assert 'href="#id_address"' in summary
    assert 'href="#id_contact_email"' in summary
    assert "data-autofocus" in summary
    assert page.index("error-summary") < page.index('name="address"')


def test_script_in_a_tip_is_text_everywhere(client, api, tip, av_coordinator):
    client.force_login(av_coordinator)
    for url in (reverse("tips:tip_list"), reverse("tips:tip_detail", args=[tip.pk])):
        page = client.get(url).content.decode()
        assert SCRIPT not in page
    detail = client.get(reverse("tips:tip_detail", args=[tip.pk])).content.decode()
    assert "&lt;script&gt;" in detail
    body = api.as_user(av_coordinator).get(reverse("tip-detail", args=[tip.pk]))
    assert body.json()["description"] == SCRIPT  # JSON carries text; clients escape it
    assert body["Content-Type"] == "application/json"


def test_the_queue_by_centre(client, tip, malmo_coordinator, persona):
    other = tip_services.submit_tip(
        data={
            "address": "Kungsgatan 2",
            "municipality": "Umeå",
            "industry": "cleaning",
            "county": None,
        }
    )
    from network.models import County

    Tip.objects.filter(pk=tip.pk).update(county=County.objects.get(code="12"))
    Tip.objects.filter(pk=other.pk).update(county=County.objects.get(code="24"))
    client.force_login(malmo_coordinator)
    page = client.get(reverse("tips:tip_list"), {"centre": "malmo"}).content.decode()
    assert tip.code in page
    assert other.code not in page
    page = client.get(reverse("tips:tip_list"), {"county": "24"}).content.decode()
    assert other.code in page
    assert tip.code not in page


def test_every_triage_action_is_audited(api, av_coordinator, persona):
    from cases.employers.services import register_employer

    employer = register_employer(orgnr="556036-0793", name="Bygg AB", actor=av_coordinator)
    client = api.as_user(av_coordinator)
    actions = [
        {"action": "dismiss", "reason": "Dubblett av tidigare tips"},
        {"action": "employer", "orgnr": employer.orgnr},
        {"action": "propose"},
        {"action": "forward", "agency": "skv"},
        {"action": "case", "agency": "polis"},
    ]
    for body in actions:
        tip = tip_services.submit_tip(
            data={"address": "Storgatan 9", "municipality": "Lund", "industry": "construction"}
        )
        response = client.post(reverse("tip-triage", args=[tip.pk]), body, format="json")
        assert response.status_code == 200, response.json()
        assert (
            AuditEvent.objects.filter(
                object_type="cases.tip", object_id=str(tip.pk), actor=av_coordinator
            ).count()
            == 1
        )
    case = Case.objects.get()
    assert case.owner_agency.code == "polis"


def test_dismiss_needs_a_reason(api, av_coordinator, tip):
    response = api.as_user(av_coordinator).post(
        reverse("tip-triage", args=[tip.pk]), {"action": "dismiss", "reason": ""}, format="json"
    )
    assert response.status_code == 400


MATRIX = [
    Row("av.coordinator", "new", "api_list", 200),
    Row("av.coordinator", "new", "html_detail", 200),
    Row("av.coordinator", "new", "api_triage", 200),
    Row("polis.malmo", "new", "api_list", 200),  # a regional centre's coordinator
    Row("skv.coordinator", "new", "api_list", 403),  # not AV, not at a centre
    Row("skv.coordinator", "new", "api_retrieve", 404),
    Row("skv.staff", "new", "api_retrieve", 404),
    Row("skv.staff", "new", "html_detail", 404),
    Row("skv.staff", "forwarded_to_skv", "api_retrieve", 200),
    Row("skv.staff", "forwarded_to_skv", "html_detail", 200),
    Row("skv.staff", "forwarded_to_skv", "api_triage", 403),
    Row("polis.staff", "forwarded_to_skv", "api_retrieve", 404),
    Row("av.analyst", "new", "html_list", 403),
    Row("anonymous", "new", "api_list", 401),
]


@pytest.mark.parametrize("row", MATRIX, ids=str)
def test_tip_permission_matrix(row, tip, persona, api, client, malmo_coordinator):
    if row.relation == "forwarded_to_skv":
        tip_services.forward_tip(
            tip, agency=persona("skv", "admin").agency, actor=persona("av", "coordinator")
        )
    if row.persona != "anonymous":
        if row.persona == "polis.malmo":
            user = malmo_coordinator
        else:
            agency, role = row.persona.split(".")
            user = persona(agency, role)
        api.as_user(type(user).objects.get(pk=user.pk))
        client.force_login(user)
    if row.action == "api_list":
        response = api.get(reverse("tip-list"))
    elif row.action == "api_retrieve":
        response = api.get(reverse("tip-detail", args=[tip.pk]))
    elif row.action == "api_triage":
        response = api.post(
            reverse("tip-triage", args=[tip.pk]), {"action": "propose"}, format="json"
        )
    elif row.action == "html_detail":
        response = client.get(reverse("tips:tip_detail", args=[tip.pk]))
    elif row.action == "html_list":
        response = client.get(reverse("tips:tip_list"))
    assert response.status_code == row.expected


def test_the_queue_shows_new_tips_unless_asked_and_filters_never_widen_it(
    client, tip, av_coordinator, persona
):
    """The queue's FilterSet (cases/tips/filters.py): new tips by default, another outcome
    when chosen; an agency a tip was forwarded to sees that tip and no other, whatever it
    filters by."""
    from network.models import County

    forwarded = tip_services.submit_tip(
        data={"address": "Kungsgatan 2", "municipality": "Malmö", "industry": "cleaning"}
    )
    Tip.objects.update(county=County.objects.get(code="12"))
    skv = persona("skv", "staff")
    tip_services.forward_tip(forwarded, agency=skv.agency, actor=av_coordinator)
    url = reverse("tips:tip_list")

    client.force_login(av_coordinator)
    assert [t.pk for t in client.get(url).context["tips"]] == [tip.pk]
    chosen = client.get(url, {"outcome": "forwarded", "county": "12"}).context["tips"]
    assert [t.pk for t in chosen] == [forwarded.pk]

    client.force_login(skv)
    for params in ({}, {"county": "12"}, {"centre": "malmo"}, {"outcome": "new"}):
        assert client.get(url, params).context["tips"] == [], params
    shown = client.get(url, {"outcome": "forwarded", "centre": "malmo"}).context["tips"]
    assert [t.pk for t in shown] == [forwarded.pk]


def test_the_queue_costs_the_same_queries_for_1_and_many_tips(
    client, tip, av_coordinator, django_assert_num_queries, session_not_touched
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from network.models import County

    client.force_login(av_coordinator)
    url = reverse("tips:tip_list")
    params = {"centre": "malmo", "sort": "received"}
    Tip.objects.update(county=County.objects.get(code="12"))
    client.get(url, params)  # warm up the session
    with CaptureQueriesContext(connection) as few:
        response = client.get(url, params)
    assert len(response.context["tips"]) == 1

    for n in range(12):
        tip_services.submit_tip(
            data={"address": f"Storgatan {n}", "municipality": "Lund", "industry": "cleaning"}
        )
    Tip.objects.update(county=County.objects.get(code="12"))
    with django_assert_num_queries(len(few)):
        response = client.get(url, params)
    assert len(response.context["tips"]) == 13


# --- the API's list of tips filters as the queue does, without the queue's default --------


@pytest.fixture
def three_tips(tip, av_coordinator, persona):
    """A new tip in Skåne (Malmö's centre), a dismissed one in Västerbotten and one in Skåne
    forwarded to skv."""
    from network.models import County

    dismissed = tip_services.submit_tip(
        data={"address": "Kungsgatan 2", "municipality": "Umeå", "industry": "cleaning"}
    )
    forwarded = tip_services.submit_tip(
        data={"address": "Östergatan 3", "municipality": "Lund", "industry": "construction"}
    )
    Tip.objects.update(county=County.objects.get(code="12"))
    Tip.objects.filter(pk=dismissed.pk).update(county=County.objects.get(code="24"))
    tip_services.dismiss_tip(dismissed, reason="Dubblett av tidigare tips", actor=av_coordinator)
    tip_services.forward_tip(forwarded, agency=persona("skv", "staff").agency, actor=av_coordinator)
    return tip, dismissed, forwarded


def test_the_api_list_filters_as_the_queue_does_without_its_default(
    api, av_coordinator, three_tips
):
    """The queue shows the new tips when no outcome is chosen; the API list given no
    parameter answers what it answered before it had filters: every tip in scope."""
    new, dismissed, forwarded = three_tips
    client = api.as_user(av_coordinator)
    url = reverse("tip-list")
    visible = Tip.objects.visible_to(av_coordinator).values_list("pk", flat=True)
    assert ids(client.get(url)) == sorted(visible) == sorted([new.pk, dismissed.pk, forwarded.pk])
    assert ids(client.get(url, {"outcome": "new"})) == [new.pk]
    assert ids(client.get(url, {"outcome": "dismissed"})) == [dismissed.pk]
    assert ids(client.get(url, {"county": "24"})) == [dismissed.pk]
    # a centre alone does not bring in the queue's default outcome
    assert ids(client.get(url, {"centre": "malmo"})) == sorted([new.pk, forwarded.pk])
    assert ids(client.get(url, {"centre": "malmo", "outcome": "forwarded"})) == [forwarded.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"outcome": "open"}, "outcome"), ({"county": "99"}, "county"), ({"centre": "x"}, "centre")],
)
def test_a_bad_tip_filter_is_a_400_naming_it(api, av_coordinator, params, field):
    response = api.as_user(av_coordinator).get(reverse("tip-list"), params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("who", ["skv.staff", "skv.coordinator", "fk.staff"])
def test_a_tip_filter_never_opens_the_list_to_anyone_outside_triage(api, three_tips, persona, who):
    """Only the tip coordinators list tips. skv, which was forwarded one tip, and fk, which
    was forwarded none, get no rows whatever they filter for (not even a 400 telling them
    which values exist)."""
    _new, _dismissed, forwarded = three_tips
    agency, role = who.split(".")
    client = api.as_user(persona(agency, role))
    url = reverse("tip-list")
    for params in (
        {"outcome": "forwarded"},
        {"county": "12"},
        {"centre": "malmo"},
        {"outcome": "nonsense"},
    ):
        response = client.get(url, params)
        assert response.status_code == 403, (params, response.status_code)
        assert forwarded.code not in response.content.decode()


def test_triaging_a_tip_ignores_the_lists_filters(api, av_coordinator, three_tips):
    """The action finds its tip by id alone: `outcome=dismissed` in the query would hide the
    new tip (404) if it used the list's FilterSet, `outcome=nonsense` would be a 400."""
    new, _dismissed, _forwarded = three_tips
    url = reverse("tip-triage", args=[new.pk])
    client = api.as_user(av_coordinator)
    steps = (
        ("?outcome=dismissed", {"action": "propose"}),
        ("?outcome=nonsense", {"action": "dismiss", "reason": "Ingen arbetsplats där"}),
    )
    for query, body in steps:
        response = client.post(url + query, body, format="json")
        assert response.status_code == 200, (query, response.content)
