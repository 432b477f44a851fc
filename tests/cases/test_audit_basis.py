"""One read records exactly the basis that gave access (docs/access.md, "Reads are recorded").

For each relation of the cases matrix (tests/cases/test_permission_matrix.py) and of the
referral and tip rules, one read of the record writes one event whose basis, legal basis and
row are those the policy found — including a user whose personal grant has EXPIRED while
their agency holds an ACTIVE share: the event names the share and its legal basis, never the
expired grant's.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.coordination import services as case_services
from cases.coordination.models import CaseGroupObjectPermission, CaseUserObjectPermission
from cases.referrals import services as referral_services
from cases.tips import services as tip_services
from network.models import Agency, AuditEvent

pytestmark = pytest.mark.django_db

SHARE_BASIS = "uppgiftsskyldighet_akrim"
GRANT_BASIS = "osl_10_27"
REASON = "Gemensam kontroll i maj, bedömning gjord"


@pytest.fixture
def case(persona):
    return case_services.open_case(
        title="Byggarbetsplats Hagastaden", actor=persona("skv", "staff")
    )


def _share(case, code, access="view", legal_basis=SHARE_BASIS, expires_at=None):
    case_services.share_case(
        case,
        agency=Agency.objects.get(code=code),
        access=access,
        legal_basis=legal_basis,
        reason=REASON,
        expires_at=expires_at,
        actor=case.created_by,
    )
    return CaseGroupObjectPermission.objects.filter(
        content_object=case, group__agency__code=code, permission__codename="view_case"
    ).get()


def _grant(case, user, legal_basis=GRANT_BASIS):
    case_services.grant_personal_access(
        case,
        user=user,
        access="view",
        legal_basis=legal_basis,
        reason=REASON,
        actor=case.created_by,
    )
    return CaseUserObjectPermission.objects.filter(
        content_object=case, user=user, permission__codename="view_case"
    ).get()


def _expire(rows):
    type(rows).objects.filter(pk=rows.pk).update(expires_at=timezone.now() - timedelta(seconds=1))


def _read(client, api, user, route, obj):
    """One read through the HTML page or the API detail; the one event it wrote."""
    if not route.startswith("api:"):
        client.force_login(user)  # before counting: a sign-in is an event of its own
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    if route.startswith("api:"):
        response = api.as_user(user).get(reverse(route[4:], args=[obj.pk]))
    else:
        response = client.get(reverse(route, args=[obj.pk]))
    assert response.status_code == 200, route
    events = list(AuditEvent.objects.filter(pk__gt=before, object_id=str(obj.pk)))
    assert len(events) == 1, [e.action for e in events]
    return events[0]


ROUTES = ["cases:case_detail", "api:case-detail"]


@pytest.mark.parametrize("route", ROUTES)
def test_owner_agency(client, api, case, route):
    event = _read(client, api, case.created_by, route, case)
    assert event.changes["basis"] == "owner_agency"
    assert "legal_basis" not in event.changes
    assert event.purpose == "owner_agency"


@pytest.mark.parametrize("access", ["view", "edit"])
@pytest.mark.parametrize("route", ROUTES)
def test_share(client, api, case, persona, route, access):
    share = _share(case, "polis", access=access)
    event = _read(client, api, persona("polis", "staff"), route, case)
    assert (event.changes["basis"], event.changes["legal_basis"], event.changes["via"]) == (
        "share",
        SHARE_BASIS,
        f"share:{share.pk}",
    )
    assert event.purpose == f"share: {SHARE_BASIS}"


@pytest.mark.parametrize("route", ROUTES)
def test_personal_grant(client, api, case, persona, route):
    viewer = persona("polis", "staff")
    grant = _grant(case, viewer)
    event = _read(client, api, viewer, route, case)
    assert (event.changes["basis"], event.changes["legal_basis"], event.changes["via"]) == (
        "personal_grant",
        GRANT_BASIS,
        f"grant:{grant.pk}",
    )


@pytest.mark.parametrize("route", ROUTES)
def test_break_the_glass(client, api, case, persona, route):
    viewer = persona("polis", "staff")
    case_services.break_the_glass(
        case, justification="Akut ingripande på arbetsplatsen i dag", actor=viewer
    )
    event = _read(client, api, viewer, route, case)
    assert (event.changes["basis"], event.changes["legal_basis"]) == (
        "break_the_glass",
        "break_the_glass",
    )


@pytest.mark.parametrize("route", ROUTES)
def test_expired_personal_grant_and_active_share_records_the_share(
    client, api, case, persona, route
):
    viewer = persona("polis", "staff")
    share = _share(case, "polis", legal_basis=SHARE_BASIS)
    grant = _grant(case, viewer, legal_basis=GRANT_BASIS)
    _expire(grant)
    event = _read(client, api, viewer, route, case)
    assert event.changes["basis"] == "share"
    assert event.changes["legal_basis"] == SHARE_BASIS
    assert event.changes["via"] == f"share:{share.pk}"
    assert GRANT_BASIS not in event.purpose


def test_expired_share_and_active_personal_grant_records_the_grant(client, api, case, persona):
    viewer = persona("polis", "staff")
    _expire(_share(case, "polis"))
    grant = _grant(case, viewer)
    event = _read(client, api, viewer, "api:case-detail", case)
    assert (event.changes["basis"], event.changes["via"]) == ("personal_grant", f"grant:{grant.pk}")


def test_a_failed_form_rerender_records_the_read_with_its_basis(client, case, persona):
    """The 400 re-render shows the whole case page: it is a read like the GET."""
    viewer = persona("polis", "staff")
    _share(case, "polis")
    client.force_login(viewer)
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client.post(reverse("cases:case_note", args=[case.pk]), {"text": "  "})
    assert response.status_code == 400
    (event,) = AuditEvent.objects.filter(pk__gt=before)
    assert (event.action, event.changes["basis"], event.changes["route"]) == (
        "case.viewed",
        "share",
        "cases:case_note",
    )


def test_a_download_records_the_basis(api, case, persona, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    attachment = case_services.add_attachment(
        case, upload=SimpleUploadedFile("foto.png", b"\x89PNG\r\n\x1a\nxx"), actor=case.created_by
    )
    viewer = persona("polis", "staff")
    share = _share(case, "polis")
    url = reverse("case-download-attachment", args=[case.pk, attachment.pk])
    assert api.as_user(viewer).get(url).status_code == 200
    event = AuditEvent.objects.get(action="case.attachment_downloaded")
    assert (event.changes["basis"], event.changes["via"]) == ("share", f"share:{share.pk}")


# --- referrals ------------------------------------------------------------------------


@pytest.fixture
def referral(persona):
    return referral_services.create_referral(
        person={"identifier_type": "none", "sex": "female", "nationality": "UA"},
        receiving_body="nspm_stodtelefon",
        consent={"support": True, "sharing": True, "statistics": True},
        actor=persona("skv", "staff"),
    )


@pytest.mark.parametrize("route", ["referrals:referral_detail", "api:referral-detail"])
def test_referral_bases(client, api, referral, persona, route):
    national = Agency.objects.get(is_national_coordinator=True)
    referral_services.share_referral(
        referral,
        agency=Agency.objects.get(code="migr"),
        legal_basis=SHARE_BASIS,
        reason=REASON,
        actor=referral.referred_by,
    )
    share = referral.shares.get(owner=False)
    expected = {
        persona("skv", "staff"): ("referral", "", ""),
        persona(national.code, "staff"): ("national_coordinator", "", ""),
        persona("migr", "staff"): ("share", SHARE_BASIS, f"share:{share.pk}"),
    }
    for user, (basis, legal_basis, via) in expected.items():
        event = _read(client, api, user, route, referral)
        assert event.action == "referral.viewed"
        assert event.changes["basis"] == basis
        assert event.changes.get("legal_basis", "") == legal_basis
        assert event.changes.get("via", "") == via


# --- tips -----------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["tips:tip_detail", "api:tip-detail"])
def test_tip_bases(client, api, persona, route):
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
    tip.forwarded_to = Agency.objects.get(code="polis")
    tip.save(update_fields=["forwarded_to"])
    coordinator = persona("av", "coordinator", centre="stockholm")
    assert _read(client, api, coordinator, route, tip).changes["basis"] == "coordination"
    assert _read(client, api, persona("polis", "staff"), route, tip).changes["basis"] == "forwarded"
