"""Who may do what with a case: role x relation to the case x action -> answer.

The case is owned by Skatteverket. Unless the row says otherwise the viewer is a
Polismyndigheten caseworker whose agency has the given relation to it. "listed"/"hidden"
mean a 200 list whose results do / do not contain the case.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases.coordination import services as case_services
from cases.coordination.models import CaseGroupObjectPermission, CaseUserObjectPermission
from network.models import Agency
from network.services import create_staff
from tests.conftest import Personas
from tests.matrix import Row, covers
from tests.worlds import built_once, files_in, fresh

covers(
    models=["cases.case", "cases.accessreview", "cases.employer"],
    routes=[
        "case-list",
        "case-detail",
        "case-shares",
        "case-unshare",
        "case-grants",
        "case-revoke-grant",
        "case-export",
        "case-notes",
        "case-attachments",
        "case-download-attachment",
        "case-break-the-glass",
        "employer-list",
        "employer-detail",
        "accessreview-list",
        "accessreview-detail",
        "accessreview-review",
    ],
)

RELATIONS = [
    "owner",
    "shared_view",
    "shared_edit",
    "expired_share",
    "revoked_share",
    "personal_grant",
    "break_the_glass",
    "unrelated",
]
# relation -> (detail, list, update, share, unshare, export, download, search, notes)
EXPECTED = {
    "owner": (200, "listed", 200, 201, 204, "listed", 200, "listed", 201),
    "shared_view": (200, "listed", 403, 403, 403, "listed", 200, "listed", 201),
    "shared_edit": (200, "listed", 200, 403, 403, "listed", 200, "listed", 201),
    "expired_share": (404, "hidden", 404, 404, 404, "hidden", 404, "hidden", 404),
    "revoked_share": (404, "hidden", 404, 404, 404, "hidden", 404, "hidden", 404),
    "personal_grant": (200, "listed", 403, 403, 403, "listed", 200, "listed", 201),
    "break_the_glass": (200, "listed", 403, 403, 403, "listed", 200, "listed", 201),
    "unrelated": (404, "hidden", 404, 404, 404, "hidden", 404, "hidden", 404),
}
ACTIONS = ["detail", "list", "update", "share", "unshare", "export", "download", "search", "notes"]
# The browser answers the same; a successful form post redirects (302) instead of 200/201/204.
HTML_WRITES = {"update", "share", "unshare", "notes"}

API_MATRIX = (
    [
        Row("skv.staff" if relation == "owner" else "polis.staff", relation, action, expected)
        for relation in RELATIONS
        for action, expected in zip(ACTIONS, EXPECTED[relation], strict=True)
    ]
    + [
        Row(
            "skv.staff" if relation == "owner" else "polis.staff",
            relation,
            f"html_{action}",
            (302 if expected in {200, 201, 204} else expected)
            if action in HTML_WRITES
            else expected,
        )
        for relation in RELATIONS
        for action, expected in zip(ACTIONS, EXPECTED[relation], strict=True)
    ]
    + [
        Row("polis.analyst", "shared_view", "html_detail", 403),
        Row("polis.analyst", "shared_view", "html_list", 403),
        Row("anonymous", "owner", "html_detail", 302),  # to the login page
        # Roles without case capabilities are refused whatever their agency's relation.
        Row("polis.analyst", "shared_view", "detail", 403),
        Row("polis.analyst", "shared_view", "list", 403),
        Row("skv.auditor", "owner", "detail", 403),
        Row("skv.auditor", "owner", "export", 403),
        Row("skv.admin", "owner", "list", 403),
        Row("anonymous", "owner", "detail", 401),
        Row("anonymous", "owner", "list", 401),
        # Coordinators work cases like staff; another agency's coordinator sees nothing.
        Row("av.coordinator", "unrelated", "detail", 404),
        Row("av.coordinator", "unrelated", "list", "hidden"),
        Row("skv.coordinator", "owner", "update", 200),
        # Personal grants are managed by the owner agency only.
        Row("skv.staff", "owner", "grants", 200),
        Row("polis.staff", "shared_edit", "grants", 403),
        Row("polis.staff", "unrelated", "grants", 404),
        Row("skv.staff", "owner", "revoke_grant", 204),
        Row("polis.staff", "shared_edit", "revoke_grant", 403),
        Row("polis.staff", "unrelated", "revoke_grant", 404),
        # The admin site obeys visible_to too (agency admins who also work cases).
        Row("skv.admin-staff", "owner", "admin", 200),
        Row("polis.admin-staff", "shared_view", "admin", 200),
        Row("polis.admin-staff", "unrelated", "admin", 404),
    ]
)


def _build(persona):
    """A Skatteverket case with one attachment, then every persona of the matrix, once for
    the module (tests/worlds.py)."""
    owner = persona("skv", "staff")
    case = case_services.open_case(title="Byggarbetsplats Hagastaden", actor=owner)
    attachment = case_services.add_attachment(
        case, upload=SimpleUploadedFile("foto.png", b"\x89PNG\r\n\x1a\nxx"), actor=owner
    )
    for name in sorted({row.persona for row in API_MATRIX} - {"anonymous"}):
        _viewer(persona, name)
    return {"case": case, "attachment": attachment, "owner": owner}


@pytest.fixture(scope="module")
def shared_world(request, django_db_setup, django_db_blocker, tmp_path_factory):
    files = tmp_path_factory.mktemp("case-files")
    with built_once(request, django_db_blocker, _build, STORAGES=files_in(files)) as w:
        yield w


@pytest.fixture
def copied(shared_world, db):
    """This test's copy of the world; its writes end with its own transaction."""
    return fresh(shared_world)


@pytest.fixture
def persona(copied):
    """The world's users (every persona of the matrix), and any other a test asks for."""
    return Personas(copied["personas"])


@pytest.fixture
def world(copied):
    """This test's case, related to Polismyndigheten as asked."""
    case, attachment, owner = copied["case"], copied["attachment"], copied["owner"]

    def relate(relation: str, viewer):
        polis = Agency.objects.get(code="polis")
        basis = {"legal_basis": "uppgiftsskyldighet_akrim", "reason": "Gemensam kontroll i maj"}
        if relation in {"shared_view", "shared_edit", "expired_share", "revoked_share"}:
            access = "edit" if relation == "shared_edit" else "view"
            expires = timezone.now() + timedelta(days=1) if relation == "expired_share" else None
            case_services.share_case(
                case, agency=polis, access=access, expires_at=expires, actor=owner, **basis
            )
        if relation == "expired_share":
            CaseGroupObjectPermission.objects.filter(content_object=case, owner=False).update(
                expires_at=timezone.now() - timedelta(seconds=1)
            )
        if relation == "revoked_share":
            shares = CaseGroupObjectPermission.objects.filter(content_object=case, owner=False)
            share_id = shares.first().pk
            case_services.revoke_share(case, share_id=share_id, actor=owner)
        if relation == "personal_grant":
            case_services.grant_personal_access(
                case, user=viewer, access="view", actor=owner, **basis
            )
        if relation == "break_the_glass":
            case_services.break_the_glass(
                case, justification="Akut ingripande på arbetsplatsen i dag", actor=viewer
            )

    return case, attachment, owner, relate


def _viewer(persona, name):
    if name == "anonymous":
        return None
    agency, roles = name.split(".")
    return persona(agency, *roles.split("-"))


def _share_with_fk(case):
    case_services.share_case(
        case,
        agency=Agency.objects.get(code="fk"),
        access="view",
        legal_basis="samtycke",
        reason="Samtycke inhämtat skriftligen",
        actor=case.created_by,
    )
    return CaseGroupObjectPermission.objects.get(
        content_object=case, group__agency__code="fk", permission__codename="view_case"
    )


def _perform_html(client, action, case, attachment):
    """The same actions through the browser pages; lists return (response, listed?)."""
    detail = reverse("cases:case_detail", args=[case.pk])
    if action == "detail":
        return client.get(detail)
    if action in {"list", "search"}:
        response = client.get(
            reverse("cases:case_list"), {"q": case.reference} if action == "search" else {}
        )
        link = reverse("cases:case_detail", args=[case.pk])
        return response, f'href="{link}"' in response.content.decode()
    if action == "export":
        response = client.get(reverse("cases:case_export"))
        return response, case.reference in response.content.decode("utf-8-sig")
    if action == "update":
        return client.post(
            reverse("cases:case_update", args=[case.pk]),
            {
                "title": "Ändrad",
                "summary": "",
                "employer_orgnr": "",
                "status": "open",
                "sensitivity": "normal",
                "version": case.version,
            },
        )
    if action == "share":
        return client.post(
            reverse("cases:case_share", args=[case.pk]),
            {
                "agency": "fk",
                "access": "view",
                "legal_basis": "samtycke",
                "reason": "Samtycke inhämtat skriftligen",
            },
        )
    if action == "unshare":
        share = _share_with_fk(case)
        return client.post(reverse("cases:case_unshare", args=[case.pk, share.pk]))
    if action == "download":
        return client.get(reverse("cases:case_attachment_download", args=[case.pk, attachment.pk]))
    if action == "notes":
        return client.post(reverse("cases:case_note", args=[case.pk]), {"text": "Notering"})
    raise AssertionError(action)


def _perform(client, api, action, case, attachment):
    if action.startswith("html_"):
        return _perform_html(client, action.removeprefix("html_"), case, attachment)
    detail = reverse("case-detail", args=[case.pk])
    if action == "detail":
        return api.get(detail)
    if action == "list":
        return api.get(reverse("case-list"))
    if action == "search":
        return api.get(reverse("case-list"), {"q": case.reference})
    if action == "export":
        return api.get(reverse("case-export"))
    if action == "update":
        return api.patch(detail, {"title": "Ändrad", "version": case.version}, format="json")
    if action == "share":
        return api.post(
            reverse("case-shares", args=[case.pk]),
            {
                "agency": "fk",
                "access": "view",
                "legal_basis": "samtycke",
                "reason": "Samtycke inhämtat skriftligen",
            },
            format="json",
        )
    if action == "unshare":
        case_services.share_case(
            case,
            agency=Agency.objects.get(code="fk"),
            access="view",
            legal_basis="samtycke",
            reason="Samtycke inhämtat skriftligen",
            actor=case.created_by,
        )
        share = CaseGroupObjectPermission.objects.get(
            content_object=case, group__agency__code="fk", permission__codename="view_case"
        )
        return api.delete(reverse("case-unshare", args=[case.pk, share.pk]))
    if action == "download":
        return api.get(reverse("case-download-attachment", args=[case.pk, attachment.pk]))
    if action == "grants":
        return api.get(reverse("case-grants", args=[case.pk]))
    if action == "revoke_grant":
        someone = create_staff(username="fk.grantee", agency_code="fk", roles=["staff"], actor=None)
        case_services.grant_personal_access(
            case,
            user=someone,
            access="view",
            legal_basis="samtycke",
            reason="Samtycke inhämtat skriftligen",
            actor=case.created_by,
        )
        grant = CaseUserObjectPermission.objects.get(content_object=case, user=someone)
        return api.delete(reverse("case-revoke-grant", args=[case.pk, grant.pk]))
    if action == "notes":
        return api.post(reverse("case-notes", args=[case.pk]), {"text": "Notering"}, format="json")
    if action == "admin":
        return client.get(reverse("admin:cases_case_change", args=[case.pk]))
    raise AssertionError(action)


@pytest.mark.django_db
@pytest.mark.parametrize("row", API_MATRIX, ids=str)
def test_case_permission_matrix(row, world, persona, api, client):
    case, attachment, owner, relate = world
    viewer = _viewer(persona, row.persona)
    relate(row.relation, viewer)
    if viewer is not None:
        api.as_user(type(viewer).objects.get(pk=viewer.pk))
        client.force_login(viewer)
    response = _perform(client, api, row.action, case, attachment)
    if isinstance(response, tuple):  # a browser list: (response, listed?)
        response, listed = response
        if isinstance(row.expected, int):
            assert response.status_code == row.expected
        else:
            assert response.status_code == 200
            assert listed == (row.expected == "listed")
    elif row.expected in {"listed", "hidden"}:
        assert response.status_code == 200
        if row.action == "export":
            listed = case.reference in response.content.decode("utf-8-sig")
        else:
            listed = case.pk in {c["id"] for c in response.json()["results"]}
        assert listed == (row.expected == "listed")
    else:
        assert response.status_code == row.expected
