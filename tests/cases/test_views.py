"""The case pages in the browser: scope (404), rules (403), service errors (400), stale
versions (409), and what a person sees. Data is made through the services only."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.coordination import services as case_services
from cases.coordination.models import AccessReview, Case, CaseAttachment, CaseGroupObjectPermission
from cases.employers import services as employer_services
from cases.employers.models import Employer
from network.models import Agency, AuditEvent

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JUSTIFICATION = "Pågående gemensam kontroll på arbetsplatsen, behöver se ärendet nu."


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are asserted by their English msgids, whatever Swedish they get later."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    """Attachments go to a temporary directory, not the project's var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }


def open_case(user, title="Misstänkt svartarbete på bygge", **kwargs):
    return case_services.open_case(title=title, actor=user, **kwargs)


def share(case, code, *, actor, access="view"):
    return case_services.share_case(
        case,
        agency=Agency.objects.get(code=code),
        access=access,
        legal_basis="uppgiftsskyldighet_akrim",
        reason="Gemensam kontroll planerad",
        actor=actor,
    )


def attach(case, *, actor, name="foto.png", content=PNG):
    return case_services.add_attachment(case, upload=SimpleUploadedFile(name, content), actor=actor)


def detail(case):
    return reverse("cases:case_detail", args=[case.pk])


def case_url(name, case, *args):
    return reverse(f"cases:{name}", args=[case.pk, *args])


# --- list ---------------------------------------------------------------------------------


def test_list_shows_own_and_shared_cases_but_not_others(client, skv_staff, polis_staff, persona):
    shared = open_case(skv_staff, title="Delat från Skatteverket")
    share(shared, "polis", actor=skv_staff)
    own = open_case(polis_staff, title="Polisens eget ärende")
    other = open_case(persona("av", "staff"), title="Arbetsmiljöverkets ärende")
    unshared = open_case(skv_staff, title="Skatteverkets interna ärende")

    client.force_login(polis_staff)
    response = client.get(reverse("cases:case_list"))

    assert response.status_code == 200
    page = response.content.decode()
    assert shared.reference in page
    assert own.reference in page
    assert other.reference not in page
    assert unshared.reference not in page
    assert detail(shared) in page  # the reference links to the detail page


def test_list_filter_shared_with_me(client, skv_staff, polis_staff):
    shared = open_case(skv_staff)
    share(shared, "polis", actor=skv_staff)
    own = open_case(polis_staff)

    client.force_login(polis_staff)
    page = client.get(reverse("cases:case_list"), {"shared_with_me": "on"}).content.decode()

    assert shared.reference in page
    assert own.reference not in page


def test_list_pages_with_a_cursor_that_keeps_the_filters(client, skv_staff):
    cases = [open_case(skv_staff, title=f"Byggplats {n}") for n in range(52)]
    client.force_login(skv_staff)

    first = client.get(reverse("cases:case_list"), {"q": "Byggplats"})
    assert first.context["cases"][0] == cases[-1]
    assert len(first.context["cases"]) == 50
    next_before = first.context["next_before"]
    assert f"?q=Byggplats&amp;before={next_before}" in first.content.decode()

    second = client.get(reverse("cases:case_list"), {"q": "Byggplats", "before": next_before})
    assert [c.pk for c in second.context["cases"]] == [cases[1].pk, cases[0].pk]
    assert second.context["next_before"] is None


def test_list_runs_the_same_number_of_queries_for_1_and_50_cases(
    client, skv_staff, polis_staff, django_assert_num_queries, session_not_touched
):
    employer = employer_services.register_employer(
        orgnr="5560360793", name="Bygg AB", actor=skv_staff
    )
    first = open_case(skv_staff, employer=employer)
    share(first, "polis", actor=skv_staff)
    client.force_login(polis_staff)
    url = reverse("cases:case_list")
    client.get(url)  # warm up the session
    with CaptureQueriesContext(connection) as one_case:
        assert len(client.get(url).context["cases"]) == 1

    for _ in range(49):
        share(open_case(skv_staff, employer=employer), "polis", actor=skv_staff)
    with django_assert_num_queries(len(one_case)):
        response = client.get(url)
    assert len(response.context["cases"]) == 50


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("cases:case_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_analyst_may_not_list_cases(client, persona):
    client.force_login(persona("av", "analyst"))
    assert client.get(reverse("cases:case_list")).status_code == 403


# --- create -------------------------------------------------------------------------------


def test_new_case_registers_the_employer_and_opens_the_case(client, skv_staff):
    client.force_login(skv_staff)
    response = client.post(
        reverse("cases:case_create"),
        {
            "title": "Svartarbete på bygget",
            "summary": "Rad ett\r\nRad två",
            "employer_orgnr": "556036-0793",
            "employer_name": "Bygg AB",
            "sensitivity": "normal",
        },
    )

    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == detail(case)
    assert case.owner_agency.code == "skv"
    assert case.summary == "Rad ett\nRad två"
    assert case.employer == Employer.objects.get(orgnr="5560360793", name="Bygg AB")


def test_new_case_uses_an_employer_already_registered(client, skv_staff, polis_staff):
    employer = employer_services.register_employer(
        orgnr="5560360793", name="Bygg AB", actor=polis_staff
    )
    client.force_login(skv_staff)
    client.post(
        reverse("cases:case_create"),
        {"title": "Ärende", "employer_orgnr": "5560360793", "sensitivity": "normal"},
    )
    assert Case.objects.get().employer == employer
    assert Employer.objects.count() == 1


def test_new_case_with_a_bad_orgnr_shows_the_error_next_to_the_field(client, skv_staff):
    client.force_login(skv_staff)
    response = client.post(
        reverse("cases:case_create"),
        {"title": "Ärende", "employer_orgnr": "556036-0794", "employer_name": "X"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["employer_orgnr"]
    assert 'id="id_employer_orgnr_error"' in response.content.decode()
    assert not Case.objects.exists()
    assert not Employer.objects.exists()


def test_new_case_for_an_unregistered_employer_needs_its_name(client, skv_staff):
    client.force_login(skv_staff)
    response = client.post(
        reverse("cases:case_create"), {"title": "Ärende", "employer_orgnr": "5560360793"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["employer_name"]
    assert not Case.objects.exists()


# --- detail -------------------------------------------------------------------------------


def test_detail_is_404_for_an_unrelated_agency_and_200_for_the_owner(
    client, skv_staff, polis_staff
):
    case = open_case(skv_staff)

    client.force_login(polis_staff)
    assert client.get(detail(case)).status_code == 404

    client.force_login(skv_staff)
    response = client.get(detail(case))
    assert response.status_code == 200
    assert case.reference in response.content.decode()
    assert response.context["edit_form"] is not None
    assert response.context["share_form"]
    assert (
        AuditEvent.objects.filter(
            action="case.viewed", object_id=str(case.pk), actor_username=skv_staff.username
        ).count()
        == 1
    )


def test_detail_for_a_view_share_has_no_edit_or_share_forms(client, skv_staff, polis_staff):
    case = open_case(skv_staff)
    share(case, "polis", actor=skv_staff)
    client.force_login(polis_staff)

    response = client.get(detail(case))

    assert response.status_code == 200
    assert response.context["edit_form"] is None
    assert response.context["attachment_form"] is None
    assert response.context["share_form"] is None
    assert response.context["note_form"] is not None
    assert 'class="unshare-form"' not in response.content.decode()


def test_detail_shows_the_change_history(client, skv_staff):
    case = open_case(skv_staff, title="Gammal rubrik")
    case_services.update_case(
        case, version=1, changes={"title": "Ny rubrik", "status": "in_progress"}, actor=skv_staff
    )
    client.force_login(skv_staff)

    history = client.get(detail(case)).context["history"]

    assert [entry["created"] for entry in history] == [False, True]
    assert set(history[0]["field_names"]) == {"title", "status"}
    assert len(history[0]["fields"]) == 2  # their labels, in the person's language
    assert history[0]["user"] == skv_staff


# --- update -------------------------------------------------------------------------------


def edit_data(case, **overrides):
    return {
        "title": case.title,
        "summary": case.summary,
        "employer_orgnr": "",
        "status": case.status,
        "sensitivity": case.sensitivity,
        "version": case.version,
        **overrides,
    }


def test_update_saves_and_bumps_the_version(client, skv_staff):
    case = open_case(skv_staff)
    client.force_login(skv_staff)

    response = client.post(case_url("case_update", case), edit_data(case, status="in_progress"))

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.version) == ("in_progress", 2)


def test_update_with_a_stale_version_is_409_and_changes_nothing(client, skv_staff, persona):
    case = open_case(skv_staff, title="Originalrubrik")
    stale = edit_data(case, title="Min ändring")
    colleague = persona("skv", "staff", username="skv.colleague")
    case_services.update_case(
        case, version=1, changes={"summary": "Kollegans text"}, actor=colleague
    )
    client.force_login(skv_staff)

    response = client.post(case_url("case_update", case), stale)

    assert response.status_code == 409
    assert response.context["stale"] is True
    page = response.content.decode()
    assert "Min ändring" in page  # what they tried to save is shown, not lost
    case.refresh_from_db()
    assert (case.title, case.summary, case.version) == ("Originalrubrik", "Kollegans text", 2)
    assert response.context["edit_form"]["version"].value() == 2


def test_update_by_a_view_share_agency_is_403(client, skv_staff, polis_staff):
    case = open_case(skv_staff, title="Originalrubrik")
    share(case, "polis", actor=skv_staff, access="view")
    client.force_login(polis_staff)

    response = client.post(case_url("case_update", case), edit_data(case, title="Polisens"))

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.title == "Originalrubrik"


def test_update_by_an_edit_share_agency_is_allowed(client, skv_staff, polis_staff):
    case = open_case(skv_staff)
    share(case, "polis", actor=skv_staff, access="edit")
    client.force_login(polis_staff)

    response = client.post(case_url("case_update", case), edit_data(case, title="Polisens"))

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.title == "Polisens"


def test_update_to_a_forbidden_status_is_400_with_the_error_on_status(client, skv_staff):
    case = open_case(skv_staff)
    case_services.update_case(case, version=1, changes={"status": "closed"}, actor=skv_staff)
    case.refresh_from_db()
    client.force_login(skv_staff)

    response = client.post(case_url("case_update", case), edit_data(case, status="in_progress"))

    assert response.status_code == 400
    assert response.context["edit_form"].errors["status"]
    case.refresh_from_db()
    assert case.status == "closed"


def test_update_of_an_invisible_case_is_404(client, skv_staff, polis_staff):
    case = open_case(skv_staff)
    client.force_login(polis_staff)
    assert client.post(case_url("case_update", case), edit_data(case)).status_code == 404


# --- notes and attachments ----------------------------------------------------------------


def test_a_view_share_agency_may_add_a_note(client, skv_staff, polis_staff):
    case = open_case(skv_staff)
    share(case, "polis", actor=skv_staff)
    client.force_login(polis_staff)

    response = client.post(case_url("case_note", case), {"text": "Vi var på plats i dag."})

    assert response.status_code == 302
    assert response.url.endswith("#notes")
    assert case.notes.get().agency.code == "polis"
    assert "Vi var på plats i dag." in client.get(detail(case)).content.decode()


def test_an_empty_note_is_400(client, skv_staff):
    case = open_case(skv_staff)
    client.force_login(skv_staff)
    response = client.post(case_url("case_note", case), {"text": "   "})
    assert response.status_code == 400
    assert response.context["note_form"].errors["text"]
    assert not case.notes.exists()


def test_upload_and_download_an_attachment(client, skv_staff):
    case = open_case(skv_staff)
    client.force_login(skv_staff)

    response = client.post(
        case_url("case_attachment_upload", case), {"file": SimpleUploadedFile("foto.png", PNG)}
    )
    assert response.status_code == 302
    attachment = case.attachments.get()

    download = client.get(case_url("case_attachment_download", case, attachment.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert 'attachment; filename="foto.png"' in download["Content-Disposition"]
    assert AuditEvent.objects.filter(action="case.attachment_downloaded").count() == 1


def test_an_exe_upload_is_refused_with_a_message(client, skv_staff):
    case = open_case(skv_staff)
    client.force_login(skv_staff)

    response = client.post(
        case_url("case_attachment_upload", case),
        {"file": SimpleUploadedFile("program.exe", b"MZ\x90\x00")},
    )

    assert response.status_code == 400
    errors = response.context["attachment_form"].errors["file"]
    assert errors
    assert errors[0].startswith("Files of this type cannot be attached")
    assert errors[0] in response.content.decode()
    assert not CaseAttachment.objects.exists()


def test_upload_by_a_view_share_agency_is_403(client, skv_staff, polis_staff):
    case = open_case(skv_staff)
    share(case, "polis", actor=skv_staff)
    client.force_login(polis_staff)
    response = client.post(
        case_url("case_attachment_upload", case), {"file": SimpleUploadedFile("a.png", PNG)}
    )
    assert response.status_code == 403
    assert not CaseAttachment.objects.exists()


def test_download_of_another_cases_attachment_is_404(client, skv_staff):
    mine = open_case(skv_staff, title="Mitt ärende")
    other = open_case(skv_staff, title="Annat ärende")
    attachment = attach(other, actor=skv_staff)
    client.force_login(skv_staff)

    response = client.get(case_url("case_attachment_download", mine, attachment.pk))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="case.attachment_downloaded").exists()


def test_download_from_an_invisible_case_is_404(client, skv_staff, polis_staff):
    case = open_case(skv_staff)
    attachment = attach(case, actor=skv_staff)
    client.force_login(polis_staff)
    assert client.get(case_url("case_attachment_download", case, attachment.pk)).status_code == 404


# --- shares -------------------------------------------------------------------------------


def share_data(**overrides):
    return {
        "agency": "polis",
        "access": "view",
        "legal_basis": "uppgiftsskyldighet_akrim",
        "reason": "Gemensam kontroll planerad vecka 12",
        "expires_at": "",
        **overrides,
    }


def test_share_gives_the_agency_access(client, skv_staff, polis_staff):
    case = open_case(skv_staff)
    client.force_login(skv_staff)

    response = client.post(case_url("case_share", case), share_data(expires_at="2099-01-31T17:00"))

    assert response.status_code == 302
    grant = CaseGroupObjectPermission.objects.get(permission__codename="view_case", owner=False)
    assert grant.legal_basis == "uppgiftsskyldighet_akrim"
    assert grant.expires_at.year == 2099
    assert Case.objects.visible_to(polis_staff).filter(pk=case.pk).exists()


def test_share_without_a_reason_is_400_and_creates_no_share(client, skv_staff):
    case = open_case(skv_staff)
    client.force_login(skv_staff)

    response = client.post(case_url("case_share", case), share_data(reason=""))

    assert response.status_code == 400
    assert response.context["share_form"].errors["reason"]
    assert not CaseGroupObjectPermission.objects.filter(owner=False).exists()


def test_share_with_a_too_short_reason_is_400(client, skv_staff):
    case = open_case(skv_staff)
    client.force_login(skv_staff)

    response = client.post(case_url("case_share", case), share_data(reason="kort"))

    assert response.status_code == 400
    assert "at least 10 characters" in response.context["share_form"].errors["reason"][0]
    assert not CaseGroupObjectPermission.objects.filter(owner=False).exists()


def test_share_shows_the_services_rule_for_osl_10_15a_next_to_the_reason(client, skv_staff):
    case = open_case(skv_staff)
    client.force_login(skv_staff)

    response = client.post(
        case_url("case_share", case),
        share_data(legal_basis="osl_10_15a", reason="Behövs för kontrollen"),
    )

    assert response.status_code == 400
    assert "balancing of interests" in response.context["share_form"].errors["reason"][0]
    assert not CaseGroupObjectPermission.objects.filter(owner=False).exists()


def test_share_form_does_not_offer_the_owner_agency(client, skv_staff):
    case = open_case(skv_staff)
    client.force_login(skv_staff)
    agencies = client.get(detail(case)).context["share_form"].fields["agency"].queryset
    assert "skv" not in {agency.code for agency in agencies}
    response = client.post(case_url("case_share", case), share_data(agency="skv"))
    assert response.status_code == 400


def test_a_shared_agency_may_not_reshare(client, skv_staff, polis_staff):
    case = open_case(skv_staff)
    share(case, "polis", actor=skv_staff, access="edit")
    client.force_login(polis_staff)
    response = client.post(case_url("case_share", case), share_data(agency="fk"))
    assert response.status_code == 403
    assert not Case.objects.visible_to(polis_staff).filter(owner_agency__code="fk").exists()


def test_revoke_ends_access_at_once(client, skv_staff, polis_staff):
    case = open_case(skv_staff)
    grant = share(case, "polis", actor=skv_staff)
    client.force_login(polis_staff)
    assert client.get(detail(case)).status_code == 200

    client.force_login(skv_staff)
    response = client.post(case_url("case_unshare", case, grant.pk))
    assert response.status_code == 302
    assert not CaseGroupObjectPermission.objects.filter(owner=False).exists()

    client.force_login(polis_staff)
    assert client.get(detail(case)).status_code == 404


def test_revoke_by_the_shared_agency_is_403(client, skv_staff, polis_staff):
    case = open_case(skv_staff)
    grant = share(case, "polis", actor=skv_staff)
    client.force_login(polis_staff)
    assert client.post(case_url("case_unshare", case, grant.pk)).status_code == 403
    assert CaseGroupObjectPermission.objects.filter(owner=False).exists()


def test_revoke_of_another_cases_share_is_404(client, skv_staff):
    mine = open_case(skv_staff)
    other = open_case(skv_staff)
    grant = share(other, "polis", actor=skv_staff)
    client.force_login(skv_staff)
    assert client.post(case_url("case_unshare", mine, grant.pk)).status_code == 404
    assert CaseGroupObjectPermission.objects.filter(owner=False, content_object=other).exists()


# --- export -------------------------------------------------------------------------------


def test_export_csv_contains_only_visible_cases(client, skv_staff, polis_staff, persona):
    shared = open_case(skv_staff, title="Delat")
    share(shared, "polis", actor=skv_staff)
    own = open_case(polis_staff, title="Eget")
    hidden = open_case(persona("av", "staff"), title="Dolt")
    client.force_login(polis_staff)

    response = client.get(reverse("cases:case_export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["reference"] for row in rows} == {shared.reference, own.reference}
    assert hidden.reference not in response.content.decode()
    assert AuditEvent.objects.filter(action="case.exported", actor_username="polis.staff").exists()


def test_export_keeps_the_filters(client, skv_staff):
    open_case(skv_staff, title="Restaurang")
    wanted = open_case(skv_staff, title="Bygge")
    client.force_login(skv_staff)

    response = client.get(reverse("cases:case_export"), {"q": "Bygge"})

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["reference"] for row in rows] == [wanted.reference]


def test_export_needs_the_export_capability(client, skv_auditor):
    client.force_login(skv_auditor)
    assert client.get(reverse("cases:case_export")).status_code == 403


# --- break-the-glass and review -----------------------------------------------------------


def test_break_the_glass_creates_access_and_an_access_review(client, skv_staff, polis_staff):
    case = open_case(skv_staff)
    client.force_login(polis_staff)
    assert client.get(detail(case)).status_code == 404

    response = client.post(
        reverse("cases:break_the_glass"),
        {"reference": case.reference.lower(), "justification": JUSTIFICATION},
    )

    assert response.status_code == 302
    assert response.url == reverse("cases:case_list") + f"?q={case.reference}"
    assert client.get(detail(case)).status_code == 200
    review = AccessReview.objects.get()
    assert (review.case, review.user, review.agency.code) == (case, polis_staff, "polis")
    assert review.verdict == AccessReview.Verdict.PENDING


def test_break_the_glass_page_explains_the_terms(client, polis_staff):
    client.force_login(polis_staff)
    response = client.get(reverse("cases:break_the_glass"))
    assert response.status_code == 200
    assert response.context["hours"] == 24


def test_break_the_glass_with_an_unknown_reference_grants_nothing(client, polis_staff):
    """It answers as a granted access does (tests/cases/test_break_the_glass.py)."""
    client.force_login(polis_staff)
    response = client.post(
        reverse("cases:break_the_glass"),
        {"reference": "AK-1999-000001", "justification": JUSTIFICATION},
    )
    assert response.status_code == 302
    assert response.url == reverse("cases:case_list") + "?q=AK-1999-000001"
    assert not AccessReview.objects.exists()


def test_break_the_glass_on_a_visible_case_just_opens_it(client, skv_staff):
    case = open_case(skv_staff)
    client.force_login(skv_staff)
    response = client.post(
        reverse("cases:break_the_glass"),
        {"reference": case.reference, "justification": JUSTIFICATION},
    )
    assert response.status_code == 302
    assert response.url == detail(case)
    assert not AccessReview.objects.exists()


def test_break_the_glass_with_a_short_justification_is_400(client, skv_staff, polis_staff):
    case = open_case(skv_staff)
    client.force_login(polis_staff)
    response = client.post(
        reverse("cases:break_the_glass"), {"reference": case.reference, "justification": "behövs"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["justification"]
    assert not AccessReview.objects.exists()
    assert client.get(detail(case)).status_code == 404


def test_auditor_sees_the_review_queue_and_staff_gets_403(client, skv_staff, polis_staff, persona):
    case = open_case(skv_staff)
    case_services.break_the_glass(case, justification=JUSTIFICATION, actor=polis_staff)
    polis_auditor = persona("polis", "auditor")

    client.force_login(polis_auditor)
    response = client.get(reverse("cases:review_list"))
    assert response.status_code == 200
    assert case.reference in response.content.decode()
    assert JUSTIFICATION in response.content.decode()

    client.force_login(polis_staff)
    assert client.get(reverse("cases:review_list")).status_code == 403


def test_an_auditor_of_another_agency_does_not_see_the_review(
    client, skv_staff, polis_staff, skv_auditor
):
    case = open_case(skv_staff)
    review = case_services.break_the_glass(case, justification=JUSTIFICATION, actor=polis_staff)
    client.force_login(skv_auditor)  # the owner agency's auditor: polis's auditors review it

    assert client.get(reverse("cases:review_list")).context["rows"] == []
    response = client.post(
        reverse("cases:review_decide", args=[review.pk]), {"verdict": "justified"}
    )
    assert response.status_code == 404


def test_auditor_records_a_verdict(client, skv_staff, polis_staff, persona):
    case = open_case(skv_staff)
    review = case_services.break_the_glass(case, justification=JUSTIFICATION, actor=polis_staff)
    client.force_login(persona("polis", "auditor"))

    refused = client.post(
        reverse("cases:review_decide", args=[review.pk]), {"verdict": "unjustified"}
    )
    assert refused.status_code == 400  # "not justified" needs a comment (service rule)
    review.refresh_from_db()
    assert review.verdict == AccessReview.Verdict.PENDING

    response = client.post(
        reverse("cases:review_decide", args=[review.pk]),
        {"verdict": "unjustified", "comment": "Ingen pågående kontroll den dagen."},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.verdict == AccessReview.Verdict.UNJUSTIFIED
    assert review.reviewed_by.username == "polis.auditor"


def test_named_person_access_is_given_and_ended_in_the_browser(client, skv_staff, persona):
    case = case_services.open_case(title="Förundersökning", actor=skv_staff)
    prosecutor = persona("aklag", "staff")
    client.force_login(skv_staff)
    response = client.post(
        reverse("cases:case_grant", args=[case.pk]),
        {
            "user": prosecutor.username,
            "access": "view",
            "legal_basis": "uppgiftsskyldighet_brottsbekampning",
            "reason": "Förundersökning inledd i april",
        },
    )
    assert response.status_code == 302
    bad = client.post(
        reverse("cases:case_grant", args=[case.pk]),
        {"user": "nobody", "access": "view", "legal_basis": "samtycke", "reason": "Samtycke finns"},
    )
    assert bad.status_code == 400
    grant = case.personal_grants.get(permission__codename="view_case")
    client.force_login(prosecutor)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200
    assert (
        client.post(reverse("cases:case_revoke_grant", args=[case.pk, grant.pk])).status_code == 403
    )
    client.force_login(skv_staff)
    assert (
        client.post(reverse("cases:case_revoke_grant", args=[case.pk, grant.pk])).status_code == 302
    )
    client.force_login(prosecutor)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404
