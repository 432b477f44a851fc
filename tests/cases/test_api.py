from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases.coordination import services as case_services
from cases.coordination.models import (
    AccessReview,
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
)
from network.models import AuditEvent

pytestmark = pytest.mark.django_db


def detail(case):
    return reverse("case-detail", args=[case.pk])


def test_create_case_answers_201_with_reference_and_owner(api, skv_staff, employer):
    response = api.as_user(skv_staff).post(
        reverse("case-list"),
        {"title": "Restaurang X", "summary": "Tips", "employer": "556036-0793"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    year = timezone.localdate().year
    assert body["reference"] == f"AK-{year}-000001"
    assert (body["owner_agency"], body["status"], body["version"]) == ("skv", "open", 1)
    assert body["employer"] == "5560360793"
    assert AuditEvent.objects.filter(action="case.created", object_id=str(body["id"])).exists()


def test_references_are_gap_free_per_year(skv_staff, polis_staff):
    cases = [
        case_services.open_case(title=f"Ärende {n}", actor=u)
        for n, u in enumerate([skv_staff, polis_staff, skv_staff])
    ]
    numbers = [int(c.reference.rsplit("-", 1)[1]) for c in cases]
    assert numbers == [1, 2, 3]


def test_case_with_unknown_employer_is_a_400_and_nothing_is_written(api, skv_staff):
    response = api.as_user(skv_staff).post(
        reverse("case-list"), {"title": "X", "employer": "2021005489"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["employer"]
    assert not Case.objects.exists()


def test_patch_needs_the_version_it_read(api, skv_staff, skv_case):
    client = api.as_user(skv_staff)
    missing = client.patch(detail(skv_case), {"title": "Nytt"}, format="json")
    assert missing.status_code == 400
    assert list(missing.json()) == ["version"]
    ok = client.patch(detail(skv_case), {"title": "Nytt", "version": 1}, format="json")
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    stale = client.patch(detail(skv_case), {"title": "Äldre", "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current"] == 2
    skv_case.refresh_from_db()
    assert skv_case.title == "Nytt"
    event = AuditEvent.objects.filter(action="case.updated").get()
    assert event.changes == {"title": ["Misstänkt svartarbete på bygge", "Nytt"]}


def test_status_follows_its_state_machine(api, skv_staff, skv_case):
    client = api.as_user(skv_staff)
    assert client.patch(detail(skv_case), {"status": "closed", "version": 1}).status_code == 200
    reopened = client.patch(detail(skv_case), {"status": "in_progress", "version": 2})
    assert reopened.status_code == 400
    assert "status" in reopened.json()
    assert client.patch(detail(skv_case), {"status": "open", "version": 2}).status_code == 200
    skv_case.refresh_from_db()
    assert (skv_case.status, skv_case.closed_at, skv_case.version) == ("open", None, 3)


def test_change_history_records_each_field_change(skv_staff, skv_case):
    case_services.update_case(skv_case, version=1, changes={"summary": "Ny info"}, actor=skv_staff)
    newest = AuditEvent.objects.filter(object_id=str(skv_case.pk), action="case.updated").get()
    assert list(newest.changes) == ["summary"]
    assert newest.changes["summary"][1] == "Ny info"
    assert newest.actor == skv_staff


def test_share_then_revoke_ends_access_at_once(api, skv_staff, polis_staff, skv_case):
    owner, polis = api.as_user(skv_staff), None
    response = owner.post(
        reverse("case-shares", args=[skv_case.pk]),
        {
            "agency": "polis",
            "access": "view",
            "legal_basis": "uppgiftsskyldighet_brottsbekampning",
            "reason": "Misstanke om brott mot utlänningslagen",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    share = response.json()
    assert (share["agency"], share["access"], share["active"]) == ("polis", "view", True)
    from rest_framework.test import APIClient

    polis = APIClient()
    polis.force_authenticate(polis_staff)
    assert polis.get(detail(skv_case)).status_code == 200
    assert owner.delete(reverse("case-unshare", args=[skv_case.pk, share["id"]])).status_code == 204
    assert polis.get(detail(skv_case)).status_code == 404
    assert not CaseGroupObjectPermission.objects.filter(
        owner=False, content_object=skv_case
    ).exists()
    actions = list(
        AuditEvent.objects.filter(object_id=str(skv_case.pk)).values_list("action", flat=True)
    )
    assert "case.shared" in actions
    assert "case.unshared" in actions


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"access": "view", "reason": "Gemensam kontroll"}, "legal_basis"),
        ({"access": "view", "legal_basis": "samtycke"}, "reason"),
        ({"access": "view", "legal_basis": "samtycke", "reason": "kort"}, "reason"),
        (
            {"access": "view", "legal_basis": "osl_10_15a", "reason": "Behövs för kontrollen"},
            "reason",
        ),
        ({"access": "view", "legal_basis": "annan", "reason": "En annan lag gäller här"}, "reason"),
        (
            {"access": "view", "legal_basis": "break_the_glass", "reason": "Gemensam kontroll"},
            "legal_basis",
        ),
        ({"access": "own", "legal_basis": "samtycke", "reason": "Gemensam kontroll"}, "access"),
        (
            {
                "access": "view",
                "legal_basis": "samtycke",
                "reason": "Gemensam kontroll",
                "expires_at": "2001-01-01T00:00:00Z",
            },
            "expires_at",
        ),
    ],
)
def test_bad_share_is_a_400_naming_the_field_and_shares_nothing(
    api, skv_staff, skv_case, payload, field
):
    response = api.as_user(skv_staff).post(
        reverse("case-shares", args=[skv_case.pk]), {"agency": "polis", **payload}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not CaseGroupObjectPermission.objects.filter(owner=False).exists()


def test_edit_share_lets_the_agency_edit_and_view_share_does_not(
    api, skv_case, share, polis_staff, persona
):
    share(skv_case, "polis", access="edit")
    share(skv_case, "migr", access="view")
    polis = api.as_user(polis_staff)
    assert polis.patch(detail(skv_case), {"title": "Av polisen", "version": 1}).status_code == 200
    from rest_framework.test import APIClient

    migr = APIClient()
    migr.force_authenticate(persona("migr", "staff"))
    assert migr.get(detail(skv_case)).status_code == 200
    assert migr.patch(detail(skv_case), {"title": "Av migr", "version": 2}).status_code == 403
    assert (
        migr.post(
            reverse("case-shares", args=[skv_case.pk]),
            {
                "agency": "fk",
                "access": "view",
                "legal_basis": "samtycke",
                "reason": "Vill dela vidare",
            },
            format="json",
        ).status_code
        == 403
    )


def test_expired_share_stops_granting_at_once_and_is_purged_with_audit(
    api, skv_case, share, polis_staff, expire
):
    share(skv_case, "polis", expires_in=timedelta(days=1))
    client = api.as_user(polis_staff)
    assert client.get(detail(skv_case)).status_code == 200
    expire(CaseGroupObjectPermission, content_object=skv_case)
    assert client.get(detail(skv_case)).status_code == 404
    assert case_services.purge_expired_grants() == 1
    assert not CaseGroupObjectPermission.objects.filter(owner=False).exists()
    assert AuditEvent.objects.filter(action="case.share_expired").count() == 1


def test_personal_grant_gives_one_named_user_access(api, skv_staff, skv_case, persona):
    prosecutor, colleague = persona("aklag", "staff"), persona("aklag", "coordinator")
    case_services.grant_personal_access(
        skv_case,
        user=prosecutor,
        access="view",
        legal_basis="uppgiftsskyldighet_brottsbekampning",
        reason="Förundersökning inledd",
        actor=skv_staff,
    )
    assert api.as_user(prosecutor).get(detail(skv_case)).status_code == 200
    assert api.as_user(colleague).get(detail(skv_case)).status_code == 404


def test_break_the_glass_gives_24_hours_and_queues_a_review(api, skv_case, polis_staff, persona):
    client = api.as_user(polis_staff)
    url = reverse("case-break-the-glass")
    short = client.post(url, {"reference": skv_case.reference, "justification": "behövs"})
    assert short.status_code == 400
    assert "justification" in short.json()
    assert client.get(detail(skv_case)).status_code == 404
    justification = "Pågående ingripande på arbetsplatsen, akut behov av uppgifterna"
    response = client.post(url, {"reference": skv_case.reference, "justification": justification})
    assert response.status_code == 202
    assert client.get(detail(skv_case)).status_code == 200
    grant = CaseUserObjectPermission.objects.get(user=polis_staff)
    assert grant.legal_basis == "break_the_glass"
    assert timedelta(hours=23) < grant.expires_at - timezone.now() <= timedelta(hours=24)
    review = AccessReview.objects.get()
    assert (review.agency.code, review.verdict) == ("polis", "pending")
    event = AuditEvent.objects.get(action="case.break_the_glass")
    assert event.purpose == justification
    assert event.agency_code == "polis"
    again = client.post(url, {"reference": skv_case.reference, "justification": justification})
    assert again.status_code == 400  # already has access
    missing = client.post(url, {"reference": "AK-1999-000001", "justification": justification})
    assert missing.status_code == 202  # the same as granted (tests/cases/test_break_the_glass.py)


def test_auditor_reviews_break_the_glass_of_own_agency_only(api, skv_case, polis_staff, persona):
    case_services.break_the_glass(
        skv_case, justification="Akut behov vid ingripande på arbetsplatsen", actor=polis_staff
    )
    review = AccessReview.objects.get()
    polis_auditor = api.as_user(persona("polis", "auditor"))
    assert [
        r["case"] for r in polis_auditor.get(reverse("accessreview-list")).json()["results"]
    ] == [skv_case.reference]
    url = reverse("accessreview-review", args=[review.pk])
    assert polis_auditor.post(url, {"verdict": "unjustified"}).status_code == 400  # needs comment
    done = polis_auditor.post(url, {"verdict": "justified", "comment": "Ok"})
    assert done.status_code == 200
    assert done.json()["verdict"] == "justified"
    from rest_framework.test import APIClient

    skv_auditor = APIClient()
    skv_auditor.force_authenticate(persona("skv", "auditor"))
    assert skv_auditor.get(reverse("accessreview-detail", args=[review.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="case.break_the_glass_reviewed").count() == 1


def test_notes_make_a_timeline(api, skv_staff, skv_case):
    client = api.as_user(skv_staff)
    url = reverse("case-notes", args=[skv_case.pk])
    assert client.post(url, {"text": "Första"}, format="json").status_code == 201
    assert client.post(url, {"text": "Andra"}, format="json").status_code == 201
    assert client.post(url, {"text": ""}, format="json").status_code == 400
    assert [n["text"] for n in client.get(url).json()] == ["Andra", "Första"]


def test_attachment_upload_limits_and_audited_download(
    api, skv_staff, skv_case, polis_staff, share, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    client = api.as_user(skv_staff)
    url = reverse("case-attachments", args=[skv_case.pk])
    exe = client.post(
        url, {"file": SimpleUploadedFile("virus.exe", b"MZ\x90\x00")}, format="multipart"
    )
    assert exe.status_code == 400
    assert "file" in exe.json()
    fake = client.post(url, {"file": SimpleUploadedFile("fake.pdf", b"hello")}, format="multipart")
    assert fake.status_code == 400
    from network import files

    files.MAX_ATTACHMENT_BYTES, old = 10, files.MAX_ATTACHMENT_BYTES
    try:
        big = client.post(
            url, {"file": SimpleUploadedFile("big.txt", b"x" * 11)}, format="multipart"
        )
    finally:
        files.MAX_ATTACHMENT_BYTES = old
    assert big.status_code == 400
    assert list(tmp_path.rglob("*")) == []  # nothing half-written
    ok = client.post(
        url, {"file": SimpleUploadedFile("protokoll.pdf", b"%PDF-1.7 test")}, format="multipart"
    )
    assert ok.status_code == 201, ok.json()
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1  # private storage only
    attachment_id = ok.json()["id"]
    download = reverse("case-download-attachment", args=[skv_case.pk, attachment_id])
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 test"
    assert 'filename="protokoll.pdf"' in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="case.attachment_downloaded").count() == 1
    from rest_framework.test import APIClient

    polis = APIClient()
    polis.force_authenticate(polis_staff)
    assert polis.get(download).status_code == 404
    share(skv_case, "polis")
    assert polis.get(download).status_code == 200


def test_export_contains_only_visible_cases_and_is_audited(api, skv_staff, polis_staff, skv_case):
    case_services.open_case(title="Polisens eget", actor=polis_staff)
    response = api.as_user(skv_staff).get(reverse("case-export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert skv_case.reference in body
    assert "Polisens eget" not in body
    event = AuditEvent.objects.get(action="case.exported")
    assert event.changes["rows"] == 1


def test_case_list_filters(api, skv_staff, polis_staff, skv_case, share, employer):
    other = case_services.open_case(title="Städfirma", actor=polis_staff)
    case_services.share_case(
        other,
        agency=skv_staff.agency,
        access="view",
        legal_basis="samtycke",
        reason="Samtycke från den berörda",
        actor=polis_staff,
    )
    client = api.as_user(skv_staff)
    url = reverse("case-list")

    def refs(**params):
        return {c["reference"] for c in client.get(url, params).json()["results"]}

    assert refs() == {skv_case.reference, other.reference}
    assert refs(shared_with_me="true") == {other.reference}
    assert refs(owner_agency="polis") == {other.reference}
    assert refs(employer="556036-0793") == {skv_case.reference}
    assert refs(q="städ") == {other.reference}
    assert refs(q=skv_case.reference) == {skv_case.reference}
    assert refs(status="closed") == set()


@pytest.mark.parametrize("rows", [1, 50])
def test_case_list_query_count_is_constant(rows, api, skv_staff, share, django_assert_num_queries):
    for n in range(rows):
        case = case_services.open_case(title=f"Ärende {n}", actor=skv_staff)
        if n % 2:
            share(case, "polis")
    user = type(skv_staff).objects.get(pk=skv_staff.pk)
    client = api.as_user(user)
    # membership, role capabilities (one query: network.backends), the page, and the read
    # events of the cases shown (one insert; the owner's basis needs no query)
    with django_assert_num_queries(4):
        response = client.get(reverse("case-list"), {"page_size": 100})
    assert len(response.json()["results"]) == rows


def test_agency_with_a_share_sees_only_its_own_share(api, skv_case, share, polis_staff):
    share(skv_case, "polis")
    share(skv_case, "migr")
    listed = api.as_user(polis_staff).get(reverse("case-shares", args=[skv_case.pk])).json()
    assert [s["agency"] for s in listed] == ["polis"]


def test_auditor_cannot_review_own_access_or_review_twice(api, skv_case, persona):
    auditor = persona("polis", "staff", "auditor")
    review = case_services.break_the_glass(
        skv_case, justification="Akut behov vid ingripande på arbetsplatsen", actor=auditor
    )
    client = api.as_user(auditor)
    url = reverse("accessreview-review", args=[review.pk])
    assert client.post(url, {"verdict": "justified"}).status_code == 403
    colleague = api.as_user(persona("polis", "auditor"))
    assert colleague.post(url, {"verdict": "justified", "comment": "Ok"}).status_code == 200
    again = colleague.post(url, {"verdict": "unjustified", "comment": "Ändrat mig"})
    assert again.status_code == 400


def test_export_neutralises_spreadsheet_formulas(api, skv_staff):
    case_services.open_case(title='=HYPERLINK("http://evil")', actor=skv_staff)
    body = api.as_user(skv_staff).get(reverse("case-export")).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body


def test_personal_grant_through_the_api_and_its_revocation(api, skv_staff, skv_case, persona):
    prosecutor = persona("aklag", "staff")
    owner = api.as_user(skv_staff)
    url = reverse("case-grants", args=[skv_case.pk])
    response = owner.post(
        url,
        {
            "user": prosecutor.username,
            "access": "edit",
            "legal_basis": "uppgiftsskyldighet_brottsbekampning",
            "reason": "Förundersökning inledd i april",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["user"], response.json()["access"]) == (prosecutor.username, "edit")
    from rest_framework.test import APIClient

    other = APIClient()
    other.force_authenticate(prosecutor)
    assert other.patch(detail(skv_case), {"title": "Åklagarens", "version": 1}).status_code == 200
    assert other.get(url).status_code == 403  # only the owner agency manages grants
    revoke = owner.delete(reverse("case-revoke-grant", args=[skv_case.pk, response.json()["id"]]))
    assert revoke.status_code == 204
    assert other.get(detail(skv_case)).status_code == 404
