"""The cases routes that show one record (tests/network/test_route_walk.py), requested as a
user authorised for it: each answers and writes what docs/access.md ("Reads are recorded")
says — one read event with its basis per record shown, also when a form fails validation
and the page is re-rendered with 400. The API lists (also a look-up by reference or `?q=`)
show summaries without the detail's sensitive fields.

`HOW` names, for every cases route classified "one", how it is requested and which event it
must write; a route classified "one" in the walk and missing here fails the first test, so a
new cases route cannot skip the question.
"""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.coordination import services as case_services
from cases.employers import services as employer_services
from cases.referrals import services as referral_services
from cases.referrals.models import ReflectionPeriod
from cases.tips import services as tip_services
from network.models import Agency, AuditEvent
from tests.network.test_route_walk import ONE, ROUTES

pytestmark = pytest.mark.django_db

CASES_APPS = ("cases:", "case-", "referrals:", "referral-", "tips:", "tip-", "employer-")
CASE_READ, REFERRAL_READ, TIP_READ = "case.viewed", "referral.viewed", "tip.viewed"

# route -> (method, args key, body, expected status, the event the route writes)
# "write": a write answered with the record, recorded by the write's own event.
HOW = {
    "cases:case_detail": ("get", "case", None, 200, CASE_READ),
    "cases:case_update": ("post", "case", {"title": ""}, 400, CASE_READ),
    "cases:case_note": ("post", "case", {"text": " "}, 400, CASE_READ),
    "cases:case_share": ("post", "case", {"agency": ""}, 400, CASE_READ),
    "cases:case_grant": ("post", "case", {"user": ""}, 400, CASE_READ),
    "cases:case_attachment_upload": ("post", "case", {}, 400, CASE_READ),
    "cases:case_attachment_download": (
        "get",
        "attachment",
        None,
        200,
        "case.attachment_downloaded",
    ),
    "case-detail": ("get", "case", None, 200, CASE_READ),
    "case-download-attachment": ("get", "attachment", None, 200, "case.attachment_downloaded"),
    "employer-detail": ("get", "employer", None, 200, None),  # registry data
    "employer-profile": ("get", "employer", None, 200, "employer.profile_read"),
    "referrals:referral_detail": ("get", "referral", None, 200, REFERRAL_READ),
    "referrals:referral_note": ("post", "referral", {"text": " "}, 400, REFERRAL_READ),
    "referrals:referral_status": ("post", "referral", {"status": ""}, 400, REFERRAL_READ),
    "referrals:referral_share": ("post", "referral", {"agency": ""}, 400, REFERRAL_READ),
    "referrals:referral_support": ("post", "referral", {"programme": ""}, 400, REFERRAL_READ),
    "referrals:referral_reveal": ("post", "referral", {"purpose": "kort"}, 400, REFERRAL_READ),
    "referrals:referral_reflection_apply": (
        "post",
        "referral",
        {"applicant": ""},
        400,
        REFERRAL_READ,
    ),
    "referrals:referral_reflection_decide": (
        "post",
        "period",
        {"granted": "maybe"},
        400,
        REFERRAL_READ,
    ),
    "referrals:referral_withdraw_consent": (
        "post",
        "referral",
        {"purpose": "nothing"},
        400,
        REFERRAL_READ,
    ),
    "referral-detail": ("get", "referral", None, 200, REFERRAL_READ),
    "referral-support": ("get", "referral", None, 200, REFERRAL_READ),
    "referral-reveal": (
        "post",
        "referral",
        {"purpose": "Behöver identiteten för kontakt"},
        200,
        "referral.identity_revealed",
    ),
    "referral-change-status": ("post", "referral", {"status": "support_contacted"}, 200, "write"),
    "referral-withdraw-consent": ("post", "referral", {"purpose": "statistics"}, 200, "write"),
    "referral-set-owner": ("post", "owner", None, 200, "write"),
    "referral-share": ("post", "share", None, 201, "write"),
    "referral-decide-reflection-period": (
        "post",
        "period",
        {"granted": True, "decided_on": "2026-01-02"},
        200,
        "write",
    ),
    "tips:tip_detail": ("get", "tip", None, 200, TIP_READ),
    "tip-detail": ("get", "tip", None, 200, TIP_READ),
    "tip-triage": ("post", "tip", {"action": "propose"}, 200, "write"),
}


def _one_record_routes():
    return {
        name
        for name, kind in ROUTES.items()
        if kind == ONE and name.startswith(CASES_APPS) and not name.startswith("accessreview")
    }


def test_every_cases_route_showing_one_record_is_walked():
    assert sorted(_one_record_routes() - set(HOW)) == [], "say how the new route is read"
    assert sorted(set(HOW) - _one_record_routes()) == []


@pytest.fixture
def world(persona, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    owner = persona("skv", "staff")
    employer = employer_services.register_employer(
        orgnr="5560360793", name="Bygg & Montage AB", actor=owner
    )
    case = case_services.open_case(title="Hagastaden", summary="Känsligt", actor=owner)
    attachment = case_services.add_attachment(
        case, upload=SimpleUploadedFile("foto.png", b"\x89PNG\r\n\x1a\nxx"), actor=owner
    )
    other = case_services.open_case(title="Annat", actor=persona("polis", "staff"))
    referral = referral_services.create_referral(
        person={"identifier_type": "none", "name": "Anna Exempel", "sex": "female"},
        receiving_body="polis",
        consent={"support": True, "sharing": True, "statistics": True},
        actor=owner,
    )
    period = ReflectionPeriod.objects.create(
        referral=referral, applicant="fu_ledare", submitted_on=date(2026, 1, 1)
    )
    tip = tip_services.submit_tip(
        data={
            "address": "Storgatan 1",
            "municipality": "Malmö",
            "county": None,
            "industry": "restaurant",
            "description": "Folk sover i lokalen.",
            "observations": [],
        }
    )
    return {
        "owner": owner,
        "case": case,
        "attachment": attachment,
        "glass_case": other,
        "employer": employer,
        "referral": referral,
        "period": period,
        "tip": tip,
        "coordinator": persona("av", "coordinator", centre="stockholm"),
    }


def _request(client, api, w, name, method, key, body):
    user = w["coordinator"] if name.startswith("tip") else w["owner"]
    html = ":" in name
    if key == "attachment":
        args = [w["case"].pk, w["attachment"].pk]
    elif key == "period":
        args = [w["referral"].pk, w["period"].pk]
    elif key in ("owner", "share"):
        args = [w["referral"].pk]
        body = (
            {"owner": w["owner"].username}
            if key == "owner"
            else {
                "agency": "migr",
                "legal_basis": "uppgiftsskyldighet_akrim",
                "reason": "Gemensam kontroll i maj",
            }
        )
    elif name == "employer-profile":
        args = [w["employer"].orgnr]
    else:
        args = [w[key].pk]
    url = reverse(name, args=args)
    if html:
        client.force_login(user)
        return (client.get(url) if method == "get" else client.post(url, body)), user
    http = api.as_user(user)
    return (http.get(url) if method == "get" else http.post(url, body, format="json")), user


@pytest.mark.parametrize("name", sorted(HOW))
def test_the_route_records_one_read_per_record_shown(client, api, world, name):
    method, key, body, status, event = HOW[name]
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response, user = _request(client, api, world, name, method, key, body)
    assert response.status_code == status, (name, response.content[:300])
    written = list(AuditEvent.objects.filter(pk__gt=before, actor=user).order_by("id"))
    reads = [
        e
        for e in written
        if e.action.endswith((".viewed", "_downloaded", "_revealed", "profile_read"))
    ]
    if event is None:
        assert reads == [], name
    elif event == "write":
        assert reads == [], name
        assert written, name  # the write's own event names actor and object
    else:
        assert [e.action for e in reads] == [event], name
        if event != "employer.profile_read":
            assert reads[0].changes["basis"], name


def test_api_lists_and_look_ups_show_summaries(api, world):
    owner = world["owner"]
    http = api.as_user(owner)
    before_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    cases = http.get(reverse("case-list"), {"q": world["case"].reference}).json()["results"]
    assert [c["reference"] for c in cases] == [world["case"].reference]
    # The case list shows whole cases (the API contract): one read per case shown.
    assert cases[0]["summary"] == "Känsligt"
    (read,) = AuditEvent.objects.filter(pk__gt=before_id)
    assert (read.action, read.object_id, read.changes["basis"], read.changes["route"]) == (
        CASE_READ,
        str(world["case"].pk),
        "owner_agency",
        "case-list",
    )
    before = AuditEvent.objects.count()
    referrals = http.get(
        reverse("referral-list"), {"reference": world["referral"].reference}
    ).json()["results"]
    assert [r["reference"] for r in referrals] == [world["referral"].reference]
    assert not {"person", "indicators", "consent"} & set(referrals[0])
    coordinator = api.as_user(world["coordinator"])
    tips = coordinator.get(reverse("tip-list"), {"outcome": "new"}).json()["results"]
    assert tips
    assert not {"description", "employer_name", "observations"} & set(tips[0])
    http = api.as_user(owner)
    # Summaries are not reads: nothing recorded.
    assert AuditEvent.objects.count() == before
    # The referral detail shows the fields, and records the read.
    detail = http.get(reverse("referral-detail", args=[world["referral"].pk])).json()
    assert "person" in detail
    assert AuditEvent.objects.count() == before + 1


def test_the_admin_change_page_records_a_read(client, world, persona):
    admin_user = persona("skv", "admin", "staff")
    client.force_login(admin_user)
    case = world["case"]
    response = client.get(reverse("admin:cases_case_change", args=[case.pk]))
    assert response.status_code == 200
    event = AuditEvent.objects.filter(actor=admin_user, action=CASE_READ).get()
    assert (event.changes["basis"], event.changes["route"]) == (
        "owner_agency",
        "admin:cases_case_change",
    )
    client.get(reverse("admin:cases_case_changelist"))
    assert AuditEvent.objects.filter(actor=admin_user, action=CASE_READ).count() == 1


def test_the_case_list_records_each_case_on_its_own_basis(api, world, persona):
    polis = persona("polis", "staff")
    own = case_services.open_case(title="Eget", actor=polis)
    case_services.share_case(
        world["case"],
        agency=Agency.objects.get(code="polis"),
        access="view",
        legal_basis="uppgiftsskyldighet_akrim",
        reason="Gemensam kontroll i maj",
        actor=world["owner"],
    )
    case_services.break_the_glass(
        case_services.open_case(title="Tredje", actor=world["owner"]),
        justification="Akut ingripande på arbetsplatsen i dag",
        actor=polis,
    )
    response = api.as_user(polis).get(reverse("case-list"))
    shown = {c["id"] for c in response.json()["results"]}
    reads = {
        int(e.object_id): e.changes["basis"]
        for e in AuditEvent.objects.filter(actor=polis, action=CASE_READ)
    }
    assert set(reads) == shown
    assert reads[own.pk] == "owner_agency"
    assert reads[world["case"].pk] == "share"
    assert sorted(reads.values()).count("break_the_glass") == 1


def test_a_shared_agency_reads_a_case_on_its_share(api, world):
    polis = Agency.objects.get(code="polis")
    case_services.share_case(
        world["case"],
        agency=polis,
        access="view",
        legal_basis="uppgiftsskyldighet_akrim",
        reason="Gemensam kontroll i maj",
        actor=world["owner"],
    )
    viewer = type(world["owner"]).objects.filter(membership__agency=polis).first()
    response = api.as_user(viewer).get(reverse("case-detail", args=[world["case"].pk]))
    assert response.status_code == 200
    assert (
        AuditEvent.objects.filter(actor=viewer, action=CASE_READ).get().changes["basis"] == "share"
    )
