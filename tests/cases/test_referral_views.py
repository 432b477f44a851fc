"""The victim-referral pages in the browser: scope (404), rules (403), service errors (400),
audit of every read and reveal, and above all that no page ever shows who the person is,
except the one answer to "Show identity" for someone allowed. Data is made through
the services of cases and inspections and the shared fixtures only."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.referrals import services as referral_services
from cases.referrals.models import ReferralGroupObjectPermission, VictimReferral
from inspections.choices import TRAFFICKING_CATEGORIES
from inspections.services import results
from network.models import Agency, AuditEvent
from tests.inspections import conftest as inspection_fixtures

pytestmark = pytest.mark.django_db

# The joint-inspection fixtures (they use the `employer` of tests/cases/conftest.py).
plan = inspection_fixtures.plan
assign = inspection_fixtures.assign
joint = inspection_fixtures.joint

PNR = "19640823-3234"  # a valid personnummer (reference §4.5)
NAME = "Anna Exempel"
# What must never reach a page: the stored digits, their 10-digit and date forms, the name
# and the full date of birth.
SECRETS = ("196408233234", "6408233234", "640823", NAME, "1964-08-23")
PURPOSE = "Kontakt med stödtelefonen om boende"


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are asserted by their English msgids, whatever Swedish they get later."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def fk_staff(persona):
    return persona("fk", "staff")


@pytest.fixture
def migr_staff(persona):
    return persona("migr", "staff")


@pytest.fixture
def refer(skv_staff):
    """refer(**changes): Skatteverket refers Anna to the NSPM support line (so
    Jämställdhetsmyndigheten receives it), with consent to support and statistics only."""

    def make(actor=None, person=None, **changes):
        arguments = {
            "person": {
                "identifier_type": "personnummer",
                "identifier": PNR,
                "name": NAME,
                "sex": "female",
                "nationality": "UA",
                "language": "ukrainska",
                **(person or {}),
            },
            "receiving_body": "nspm_stodtelefon",
            "consent": {"support": True, "sharing": False, "statistics": True},
            "indicators": ["retention_of_id_documents", "debt_bondage"],
            "exploitation_types": ["ForcedLabour"],
            "methods_of_control": ["WithholdsDocuments"],
            "industry_sni": "41.200",
            **changes,
        }
        return referral_services.create_referral(actor=actor or skv_staff, **arguments)

    return make


def share_with_migr(referral, actor):
    return referral_services.share_referral(
        referral,
        agency=Agency.objects.get(code="migr"),
        legal_basis="uppgiftsskyldighet_brottsbekampning",
        reason="Uppgiftsskyldighet till brottsbekämpande myndighet",
        actor=actor,
    )


def url(name, referral=None, *args):
    return reverse(f"referrals:{name}", args=[referral.pk, *args] if referral else args)


def assert_no_identity(response, where=""):
    page = response.content.decode()
    for secret in SECRETS:
        assert secret not in page, (where, secret)


def form_data(**changes):
    """The new-referral form as a browser posts it (unticked boxes are simply absent)."""
    data = {
        "identifier_type": "personnummer",
        "identifier": PNR,
        "name": NAME,
        "birth_year": "",
        "sex": "female",
        "nationality": "UA",
        "language": "ukrainska",
        "protected_identity": "none",
        "receiving_body": "nspm_stodtelefon",
        "consent_support": "on",
        "consent_statistics": "on",
        "indicators": ["retention_of_id_documents", "debt_bondage"],
        "exploitation_types": ["ForcedLabour"],
        "methods_of_control": ["WithholdsDocuments"],
        "industry_sni": "41.200",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def status_buttons(response) -> set[str]:
    form = re.search(r'<form[^>]*class="status-form".*?</form>', response.content.decode(), re.S)
    return set(re.findall(r'name="status" value="([a-z_]+)"', form.group(0))) if form else set()


# --- scope ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agency", "role", "list_status", "listed", "detail_status"),
    [
        ("skv", "staff", 200, True, 200),  # the referring agency
        ("jamy", "staff", 200, True, 200),  # receiving agency and national coordinator
        ("fk", "staff", 200, False, 404),  # unrelated
        ("skv", "analyst", 403, False, 404),  # analysts see aggregates only, never rows
        ("skv", "auditor", 403, False, 404),
    ],
)
def test_who_sees_the_referral_in_the_list_and_on_its_page(
    client, refer, persona, agency, role, list_status, listed, detail_status
):
    referral = refer()
    client.force_login(persona(agency, role))

    listing = client.get(url("referral_list"))
    detail = client.get(url("referral_detail", referral))

    assert listing.status_code == list_status
    assert (referral.reference in listing.content.decode()) is listed
    assert detail.status_code == detail_status
    if detail_status == 404:
        assert referral.reference not in detail.content.decode()


def test_anonymous_visitor_is_sent_to_login(client, refer):
    referral = refer()
    for page in (url("referral_list"), url("referral_detail", referral), url("referral_create")):
        response = client.get(page)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_menu_offers_referrals_only_to_roles_that_work_with_them(client, skv_staff, persona):
    client.force_login(skv_staff)
    assert f'href="{url("referral_list")}"' in client.get(reverse("home")).content.decode()
    client.force_login(persona("skv", "analyst"))
    assert f'href="{url("referral_list")}"' not in client.get(reverse("home")).content.decode()


def test_an_unrelated_agency_gets_404_on_every_action(client, refer, fk_staff):
    referral = refer()
    period = referral_services.apply_for_reflection_period(
        referral,
        applicant="socialnamnd",
        submitted_on=date(2026, 11, 1),
        actor=referral.referred_by,
    )
    client.force_login(fk_staff)
    posts = {
        "referral_reveal": {"purpose": PURPOSE},
        "referral_status": {"status": "assessment"},
        "referral_withdraw_consent": {"purpose": "support"},
        "referral_share": {"agency": "fk", "legal_basis": "samtycke", "reason": "Behöver veta"},
        "referral_reflection_apply": {"applicant": "socialnamnd", "submitted_on": "2026-11-01"},
    }
    for name, data in posts.items():
        assert client.post(url(name, referral), data).status_code == 404, name
    decide = url("referral_reflection_decide", referral, period.pk)
    assert client.post(decide, {"granted": "yes", "decided_on": "2026-11-03"}).status_code == 404
    referral.refresh_from_db()
    assert (referral.status, referral.consent_support) == ("identified", True)


# --- the list ------------------------------------------------------------------------------


def test_list_shows_the_statistical_columns_and_links_to_the_detail(client, refer, skv_staff):
    referral = refer()
    client.force_login(skv_staff)
    response = client.get(url("referral_list"))
    page = response.content.decode()
    assert url("referral_detail", referral) in page
    assert ">Ukraine<" in page
    assert "1964" in page
    assert "Female" in page
    assert "NSPM support line" in page
    assert "•••" not in page  # not even a mask: nothing that hints at a name or a number
    assert_no_identity(response)


def test_list_filters_by_status_and_child_and_pages_with_a_cursor(client, refer, skv_staff):
    adult = refer()
    child = refer(
        is_child=True,
        consent={"support": False},
        receiving_body="socialtjanst",
        person={"identifier_type": "none", "identifier": "", "name": ""},
    )
    client.force_login(skv_staff)

    children = client.get(url("referral_list"), {"is_child": "true"}).context["referrals"]
    assert children == [child]
    safeguarding = client.get(url("referral_list"), {"status": "safeguarding"})
    assert safeguarding.context["referrals"] == [child]
    by_reference = client.get(url("referral_list"), {"reference": adult.reference.lower()})
    assert by_reference.context["referrals"] == [adult]
    older = client.get(url("referral_list"), {"before": child.pk}).context["referrals"]
    assert older == [adult]


def test_list_runs_the_same_number_of_queries_for_1_and_30_referrals(
    client, refer, jamy_staff, django_assert_num_queries, session_not_touched
):
    refer()
    client.force_login(jamy_staff)
    page = url("referral_list")
    client.get(page)  # warm up the session
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(page).context["referrals"]) == 1
    for _ in range(29):
        refer()
    with django_assert_num_queries(len(one)):
        response = client.get(page)
    assert len(response.context["referrals"]) == 30


# --- new referral ----------------------------------------------------------------------------


def test_new_referral_page_says_no_police_report_or_personnummer_is_needed(client, skv_staff):
    client.force_login(skv_staff)
    page = client.get(url("referral_create")).content.decode()
    assert "Neither a police report nor a personal identity number is needed." in page
    assert "A child needs no consent" in page
    for name in ("consent_support", "consent_sharing", "consent_statistics", "indicators"):
        assert f'name="{name}"' in page


def test_new_referral_is_created_and_shown_masked(client, skv_staff):
    client.force_login(skv_staff)
    response = client.post(url("referral_create"), form_data())

    referral = VictimReferral.objects.get()
    assert response.status_code == 302
    assert response.url == url("referral_detail", referral)
    assert (referral.identifier, referral.name, referral.nationality) == (
        "196408233234",
        NAME,
        "UA",
    )
    assert referral.indicators == ["debt_bondage", "retention_of_id_documents"]
    assert (referral.consent_support, referral.consent_sharing) == (True, False)
    assert (referral.origin, referral.status, referral.receiving_agency.code) == (
        "other",
        "identified",
        "jamy",
    )
    detail = client.get(response.url)
    assert referral.reference in detail.content.decode()
    assert_no_identity(detail)


def test_no_identifier_and_no_police_report_are_fine(client, skv_staff):
    client.force_login(skv_staff)
    response = client.post(
        url("referral_create"), form_data(identifier_type="none", identifier="", name="")
    )
    assert response.status_code == 302
    referral = VictimReferral.objects.get()
    assert (referral.identifier, referral.police_report_made) == ("", False)


def test_invalid_personnummer_is_shown_next_to_the_identifier_and_nothing_is_created(
    client, skv_staff
):
    client.force_login(skv_staff)
    response = client.post(url("referral_create"), form_data(identifier="19640823-3235"))

    assert response.status_code == 400
    assert response.context["form"].errors["identifier"] == [
        "The number is not valid (check digit)."
    ]
    page = response.content.decode()
    assert 'id="id_identifier_error"' in page
    # What was typed is not sent back: the person types it again.
    assert "19640823-3235" not in page
    assert NAME not in page
    assert "are not sent back to the page" in page
    assert response["Cache-Control"] == "no-store"
    assert not VictimReferral.objects.exists()


def test_an_adult_must_consent_to_support(client, skv_staff):
    client.force_login(skv_staff)
    response = client.post(url("referral_create"), form_data(consent_support=None))
    assert response.status_code == 400
    assert response.context["form"].errors["consent_support"] == [
        "An adult must consent to being referred for support."
    ]
    assert 'id="id_consent_support_error"' in response.content.decode()
    assert not VictimReferral.objects.exists()


def test_a_child_needs_no_consent_and_goes_to_safeguarding(client, skv_staff):
    client.force_login(skv_staff)
    response = client.post(
        url("referral_create"),
        form_data(
            is_child="on",
            consent_support=None,
            consent_statistics=None,
            receiving_body="socialtjanst",
        ),
    )
    referral = VictimReferral.objects.get()
    assert response.status_code == 302
    assert (referral.is_child, referral.status, referral.consent_support) == (
        True,
        "safeguarding",
        False,
    )


@pytest.mark.parametrize("value", ["ukr", "UK", "ua", "Ukraina"])
def test_a_nationality_outside_the_country_list_is_a_field_error(client, skv_staff, value):
    client.force_login(skv_staff)
    response = client.post(url("referral_create"), form_data(nationality=value))
    assert response.status_code == 400
    assert response.context["form"].errors["nationality"] == ["Choose a country from the list."]
    assert not VictimReferral.objects.exists()


def test_nationality_is_chosen_from_countries_named_in_swedish(client, skv_staff):
    client.force_login(skv_staff)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "sv"
    page = client.get(url("referral_create")).content.decode()
    assert '<option value="UA">Ukraina</option>' in page
    assert '<option value="DE">Tyskland</option>' in page
    # Swedish order: Österrike comes after Zimbabwe.
    assert page.index(">Zimbabwe<") < page.index(">Österrike<")
    response = client.post(url("referral_create"), form_data(nationality="PL"))
    assert response.status_code == 302
    referral = VictimReferral.objects.get()
    assert referral.nationality == "PL"
    page = client.get(url("referral_detail", referral)).content.decode()
    assert "<dd>Polen</dd>" in page
    assert ">Polen<" in client.get(url("referral_list")).content.decode()


def test_the_industry_is_chosen_from_sni_titles(client, skv_staff):
    client.force_login(skv_staff)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "sv"
    page = client.get(url("referral_create")).content.decode()
    assert '<option value="41.200 Byggande av bostadshus och andra byggnader">' in page
    refused = client.post(url("referral_create"), form_data(industry_sni="41.999"))
    assert refused.status_code == 400
    assert refused.context["form"].errors["industry_sni"]
    picked = form_data(industry_sni="56.100 Restaurangverksamhet")
    assert client.post(url("referral_create"), picked).status_code == 302
    referral = VictimReferral.objects.get()
    assert referral.industry_sni == "56.100"
    page = client.get(url("referral_detail", referral)).content.decode()
    assert "Restaurangverksamhet" in page
    assert "56.100" not in page


def test_new_referral_needs_the_capability(client, persona):
    client.force_login(persona("skv", "analyst"))
    assert client.get(url("referral_create")).status_code == 403
    assert client.post(url("referral_create"), form_data()).status_code == 403
    assert not VictimReferral.objects.exists()


def test_a_referral_from_a_visible_inspection_records_it_as_the_origin(client, joint, skv_staff):
    client.force_login(skv_staff)
    page = client.get(url("referral_create"), {"inspection": joint.pk}).content.decode()
    assert joint.reference in page
    assert f'name="inspection" value="{joint.pk}"' in page

    response = client.post(url("referral_create"), form_data(inspection=str(joint.pk)))

    referral = VictimReferral.objects.get()
    assert response.status_code == 302
    assert (referral.origin, referral.origin_reference) == ("inspection", joint.reference)


def test_an_inspection_the_person_cannot_see_is_a_form_error_like_one_that_does_not_exist(
    client, joint, fk_staff
):
    client.force_login(fk_staff)
    unseen = client.get(url("referral_create"), {"inspection": joint.pk})
    missing = client.get(url("referral_create"), {"inspection": joint.pk + 1000})
    garbage = client.get(url("referral_create"), {"inspection": "1 OR 1=1"})

    for response in (unseen, missing, garbage):
        assert response.status_code == 200
        page = response.content.decode()
        assert "No such inspection." in page
        assert joint.reference not in page
        assert 'name="inspection"' not in page
    assert unseen.context["origin_errors"] == missing.context["origin_errors"]

    posted = client.post(url("referral_create"), form_data(inspection=str(joint.pk)))
    assert posted.status_code == 400
    assert posted.context["form"].non_field_errors() == ["No such inspection."]
    assert joint.reference not in posted.content.decode()
    assert not VictimReferral.objects.exists()


# --- detail, audit and reveal ----------------------------------------------------------------


def test_each_read_is_one_audit_event_and_each_reveal_one_more(client, refer, skv_staff):
    referral = refer()
    client.force_login(skv_staff)
    before = AuditEvent.objects.count()

    detail = client.get(url("referral_detail", referral))
    assert detail.status_code == 200
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("id").action == "referral.viewed"
    assert 'class="reveal-form"' in detail.content.decode()
    assert_no_identity(detail)

    revealed = client.post(url("referral_reveal", referral), {"purpose": PURPOSE})
    assert revealed.status_code == 200
    assert revealed["Cache-Control"] == "no-store"
    page = revealed.content.decode()
    assert "19640823-3234" in page
    assert NAME in page
    assert "1964-08-23" in page
    assert AuditEvent.objects.count() == before + 2
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.purpose, event.actor_username) == (
        "referral.identity_revealed",
        PURPOSE,
        skv_staff.username,
    )
    # Nothing is kept: the next page is masked again.
    assert_no_identity(client.get(url("referral_detail", referral)))
    assert AuditEvent.objects.count() == before + 3


@pytest.mark.parametrize("purpose", ["", "kort"])
def test_reveal_needs_a_purpose_of_ten_characters(client, refer, jamy_staff, purpose):
    referral = refer()
    client.force_login(jamy_staff)
    before_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    response = client.post(url("referral_reveal", referral), {"purpose": purpose})

    assert response.status_code == 400
    assert response.context["reveal_form"].errors["purpose"] == [
        "State why you need the identity (at least 10 characters)."
    ]
    assert 'id="id_reveal_purpose_error"' in response.content.decode()
    assert_no_identity(response)
    # No identity was shown, but the page (the masked referral) was: one read, no reveal.
    assert list(AuditEvent.objects.filter(pk__gt=before_id).values_list("action", flat=True)) == [
        "referral.viewed"
    ]


def test_an_agency_holding_a_share_reads_but_may_not_reveal_or_work_it(
    client, refer, skv_staff, migr_staff
):
    referral = refer()
    share_with_migr(referral, skv_staff)
    client.force_login(migr_staff)

    detail = client.get(url("referral_detail", referral))
    assert detail.status_code == 200
    page = detail.content.decode()
    for form in ("reveal-form", "status-form", "referral-share-form", "withdraw-consent-form"):
        assert f'class="{form}"' not in page
    assert_no_identity(detail)

    assert client.post(url("referral_reveal", referral), {"purpose": PURPOSE}).status_code == 403
    assert client.post(url("referral_status", referral), {"status": "assessment"}).status_code == (
        403
    )
    assert not AuditEvent.objects.filter(action="referral.identity_revealed").exists()


def test_no_page_shows_the_identity_to_anyone(client, refer, skv_staff, jamy_staff, migr_staff):
    referral = refer()
    share_with_migr(referral, skv_staff)
    for user in (skv_staff, jamy_staff, migr_staff):
        client.force_login(user)
        for page in (
            url("referral_list"),
            url("referral_list") + f"?reference={referral.reference}",
            url("referral_detail", referral),
        ):
            assert_no_identity(client.get(page), (user.username, page))
    # ... nor after a status change, nor when an action comes back with an error.
    client.force_login(jamy_staff)
    changed = client.post(url("referral_status", referral), {"status": "assessment"}, follow=True)
    assert changed.status_code == 200
    assert_no_identity(changed, "after a status change")
    refused = client.post(url("referral_status", referral), {"status": "identified"})
    assert refused.status_code == 400
    assert_no_identity(refused, "a refused status change")
    client.force_login(skv_staff)
    refused_share = client.post(
        url("referral_share", referral),
        {"agency": "polis", "legal_basis": "samtycke", "reason": "Polisen vill veta"},
    )
    assert refused_share.status_code == 400
    assert_no_identity(refused_share, "a refused share")


# --- working the referral ---------------------------------------------------------------------


def test_status_buttons_follow_the_transition_table(client, refer, jamy_staff):
    referral = refer()
    client.force_login(jamy_staff)
    offered = status_buttons(client.get(url("referral_detail", referral)))
    assert offered == referral_services.REFERRAL_TRANSITIONS["identified"]

    refused = client.post(url("referral_status", referral), {"status": "trial_concluded"})
    assert refused.status_code == 400
    assert refused.context["status_form"].errors["status"]

    moved = client.post(url("referral_status", referral), {"status": "assessment"})
    assert moved.status_code == 302
    assert moved.url.endswith("#status")
    referral.refresh_from_db()
    assert referral.status == "assessment"
    offered = status_buttons(client.get(url("referral_detail", referral)))
    assert offered == referral_services.REFERRAL_TRANSITIONS["assessment"]


def test_a_final_status_offers_no_more_buttons(client, refer, jamy_staff):
    referral = refer()
    referral_services.change_referral_status(referral, status="not_a_victim", actor=jamy_staff)
    client.force_login(jamy_staff)
    response = client.get(url("referral_detail", referral))
    assert status_buttons(response) == set()
    assert "The referral is closed for good." in response.content.decode()


def test_sharing_without_consent_needs_a_duty_that_overrides_it(client, refer, skv_staff):
    referral = refer()  # no consent to sharing
    client.force_login(skv_staff)
    page = client.get(url("referral_detail", referral)).content.decode()
    assert "The person has not consented to sharing." in page

    refused = client.post(
        url("referral_share", referral),
        {"agency": "polis", "legal_basis": "samtycke", "reason": "Polisen vill veta mer"},
    )
    assert refused.status_code == 400
    assert refused.context["share_form"].errors["legal_basis"]
    assert 'id="id_share_legal_basis_error"' in refused.content.decode()
    assert not ReferralGroupObjectPermission.objects.filter(owner=False).exists()

    allowed = client.post(
        url("referral_share", referral),
        {
            "agency": "polis",
            "legal_basis": "uppgiftsskyldighet_brottsbekampning",
            "reason": "Misstanke om människohandel; uppgiftsskyldighet",
        },
    )
    assert allowed.status_code == 302
    assert allowed.url.endswith("#shares")
    share = ReferralGroupObjectPermission.objects.get(owner=False)
    assert (share.group.agency.code, share.legal_basis) == (
        "polis",
        "uppgiftsskyldighet_brottsbekampning",
    )


def test_share_form_does_not_offer_agencies_that_see_it_anyway(client, refer, skv_staff):
    referral = refer()
    client.force_login(skv_staff)
    form = client.get(url("referral_detail", referral)).context["share_form"]
    codes = set(form.fields["agency"].queryset.values_list("code", flat=True))
    assert "polis" in codes
    assert not codes & {"skv", "jamy"}


def test_withdrawing_consent_keeps_its_date(client, refer, skv_staff):
    referral = refer(consent={"support": True, "sharing": True, "statistics": True})
    client.force_login(skv_staff)
    response = client.post(url("referral_withdraw_consent", referral), {"purpose": "sharing"})
    assert response.status_code == 302
    assert response.url.endswith("#consent")
    referral.refresh_from_db()
    today = timezone.localdate().isoformat()
    assert (referral.consent_sharing, referral.consent_withdrawn) == (False, {"sharing": today})
    page = client.get(url("referral_detail", referral)).content.decode()
    assert f"Withdrawn on {today}" in page

    unknown = client.post(url("referral_withdraw_consent", referral), {"purpose": "everything"})
    assert unknown.status_code == 400


def test_reflection_period_is_applied_for_and_decided(client, refer, jamy_staff):
    referral = refer()
    client.force_login(jamy_staff)
    applied = client.post(
        url("referral_reflection_apply", referral),
        {"applicant": "socialnamnd", "submitted_on": "2026-11-01"},
    )
    assert applied.status_code == 302
    assert applied.url.endswith("#reflection")
    period = referral.reflection_periods.get()
    assert (period.applicant, period.status) == ("socialnamnd", "submitted")

    decide = url("referral_reflection_decide", referral, period.pk)
    missing = client.post(decide, {"decided_on": "2026-11-03"})
    assert missing.status_code == 400
    assert missing.context["reflection_rows"][0][1].errors

    decided = client.post(decide, {"granted": "yes", "decided_on": "2026-11-03"})
    assert decided.status_code == 302
    period.refresh_from_db()
    assert (period.status, period.valid_to) == ("granted", date(2026, 12, 2))
    page = client.get(url("referral_detail", referral)).content.decode()
    assert "reflection-decide-form" not in page  # decided: nothing more to decide


def test_deciding_another_referrals_period_is_404(client, refer, jamy_staff):
    first, second = refer(), refer()
    period = referral_services.apply_for_reflection_period(
        first, applicant="fu_ledare", submitted_on=date(2026, 11, 1), actor=jamy_staff
    )
    client.force_login(jamy_staff)
    response = client.post(
        url("referral_reflection_decide", second, period.pk),
        {"granted": "no", "decided_on": "2026-11-03"},
    )
    assert response.status_code == 404


# --- the way in from an inspection -------------------------------------------------------------


def test_trafficking_findings_offer_a_referral_from_the_inspection(client, joint, skv_staff):
    for category in (*TRAFFICKING_CATEGORIES, "personalliggare_saknas"):
        results.record_finding(joint, category=category, actor=skv_staff)
    link = f'href="{url("referral_create")}?inspection={joint.pk}"'

    client.force_login(skv_staff)
    page = client.get(reverse("inspections:inspection_detail", args=[joint.pk])).content.decode()
    # One link for each trafficking category (the template lists them; this keeps it honest).
    assert page.count(link) == len(TRAFFICKING_CATEGORIES)


def test_timeline_and_support_on_the_page_for_those_who_work_it(
    client, refer, skv_staff, migr_staff, persona
):
    referral = refer()
    share_with_migr(referral, skv_staff)
    client.force_login(persona("jamy", "staff"))
    response = client.post(url("referral_note", referral), {"text": "Ringde stödtelefonen"})
    assert response.status_code == 302
    response = client.post(
        url("referral_support", referral),
        {"programme": "nsp", "kind": "Skyddat boende", "starts_on": "2026-11-01"},
    )
    assert response.status_code == 302
    page = client.get(url("referral_detail", referral)).content.decode()
    assert "Ringde stödtelefonen" in page
    assert "Skyddat boende" in page
    client.force_login(migr_staff)  # a share reads the referral, not its timeline
    page = client.get(url("referral_detail", referral)).content.decode()
    assert "Ringde stödtelefonen" not in page
    assert "Skyddat boende" not in page
    assert client.post(url("referral_note", referral), {"text": "x"}).status_code == 403


def close(referral, status, actor):
    """Walk the referral's path to a closed state."""
    path = {
        "closed": ["assessment", "support_ongoing", "closed"],
        "closed_referred": ["assessment", "closed_referred"],
        "not_a_victim": ["not_a_victim"],
    }[status]
    for step in path:
        referral = referral_services.change_referral_status(referral, status=step, actor=actor)
    return referral


@pytest.mark.parametrize("status", sorted(referral_services.CLOSED_REFERRAL_STATES))
def test_a_closed_referral_offers_and_takes_no_support_notes_or_shares(
    client, refer, skv_staff, jamy_staff, status
):
    referral = refer(consent={"support": True, "sharing": True, "statistics": True})
    close(referral, status, jamy_staff)
    client.force_login(jamy_staff)
    response = client.get(url("referral_detail", referral))
    for form in ("share_form", "note_form", "support_form", "reflection_form"):
        assert response.context[form] is None, form
    page = response.content.decode()
    assert "note-form" not in page
    assert "support-form" not in page
    assert "referral-share-form" not in page
    assert "reflection-apply-form" not in page
    assert "The referral is closed; nothing more is recorded here." in page
    posts = {
        "referral_note": {"text": "Ringde stödtelefonen"},
        "referral_support": {"programme": "nsp", "kind": "Boende", "starts_on": "2026-11-01"},
        "referral_reflection_apply": {"applicant": "socialnamnd", "submitted_on": "2026-11-01"},
        "referral_share": {
            "agency": "polis",
            "legal_basis": "uppgiftsskyldighet_brottsbekampning",
            "reason": "Misstanke om människohandel; uppgiftsskyldighet",
        },
    }
    for name, data in posts.items():
        actor = skv_staff if name == "referral_share" else jamy_staff
        client.force_login(actor)
        assert client.post(url(name, referral), data).status_code == 403, name
        assert client.post(url(name, referral), {}).status_code == 403, name  # even a bad form
    assert not referral.notes.exists()
    assert not referral.support_measures.exists()
    assert not referral.reflection_periods.exists()
    assert not ReferralGroupObjectPermission.objects.filter(
        content_object=referral, owner=False
    ).exists()


def test_the_api_refuses_notes_support_and_shares_on_a_closed_referral(
    client, refer, skv_staff, jamy_staff
):
    referral = refer(consent={"support": True, "sharing": True, "statistics": True})
    close(referral, "closed", jamy_staff)
    base = f"/api/v1/referrals/{referral.pk}"
    client.force_login(jamy_staff)
    note = client.post(f"{base}/notes/", {"text": "Ringde"}, content_type="application/json")
    support = client.post(
        f"{base}/support/",
        {"programme": "nsp", "kind": "Boende", "starts_on": "2026-11-01"},
        content_type="application/json",
    )
    client.force_login(skv_staff)
    share = client.post(
        f"{base}/share/",
        {
            "agency": "polis",
            "legal_basis": "uppgiftsskyldighet_brottsbekampning",
            "reason": "Misstanke om människohandel; uppgiftsskyldighet",
        },
        content_type="application/json",
    )
    assert (note.status_code, support.status_code, share.status_code) == (403, 403, 403)
    assert "closed" in note.json()["detail"]
    assert not referral.notes.exists()
    assert not referral.support_measures.exists()


def test_reopening_a_closed_referral_lets_its_workers_add_notes_again(client, refer, jamy_staff):
    referral = refer()
    close(referral, "closed", jamy_staff)
    referral_services.change_referral_status(referral, status="assessment", actor=jamy_staff)
    client.force_login(jamy_staff)
    assert client.get(url("referral_detail", referral)).context["note_form"] is not None
    response = client.post(url("referral_note", referral), {"text": "Ny kontakt"})
    assert response.status_code == 302
    assert referral.notes.count() == 1


def test_masked_and_empty_fields_read_the_same_everywhere(client, refer, jamy_staff):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "sv"
    masked = refer()
    empty = refer(
        person={"identifier_type": "none", "identifier": "", "name": "", "nationality": ""},
        industry_sni="",
    )
    client.force_login(jamy_staff)
    page = client.get(url("referral_detail", masked)).content.decode()
    # the identifier, the name and the date of birth (from the personnummer)
    assert page.count("Dold (visas med angivet syfte)") == 3
    page = client.get(url("referral_detail", empty)).content.decode()
    assert "Dold (visas med angivet syfte)" not in page
    # identifier, name, date of birth, year of birth, nationality, industry
    assert page.count("Inte angivet") == 6
    assert "Inget registrerat" not in page
    assert "<dd>–</dd>" not in page
