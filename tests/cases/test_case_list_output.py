"""The case list's answer and its reads, pinned for a fixed world: the page's bytes are what
the per-case `CaseSerializer` renders, each case shown has one read event on the basis
`decide` gives it, and the page costs the same number of queries whatever its length
(docs/performance.md, "d: case list")."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from cases.coordination import services as case_services
from cases.coordination.models import Case, CaseGroupObjectPermission, CaseStatus
from cases.coordination.policies import CasePolicy
from cases.coordination.serializers import CaseSerializer
from network.models import Agency, AuditEvent

pytestmark = pytest.mark.django_db

CASE_READ = "case.viewed"


@pytest.fixture
def world(skv_staff, polis_staff, employer, share, expire):
    """Cases of Skatteverket seen by a police officer on every basis there is: shares (view,
    edit, expired, renewed), a personal grant, break-the-glass, a share and a grant on the
    same case; with and without employer, open and closed."""
    polis = Agency.objects.get(code="polis")
    opened = [
        case_services.open_case(
            title=f"Ärende {n} – ”citat” & <tecken>",
            summary="Rad ett\nRad två" if n % 2 else "",
            employer=employer if n % 3 else None,
            sensitivity="high" if n == 4 else "normal",
            actor=skv_staff,
        )
        for n in range(9)
    ]
    share(opened[0], "polis")
    share(opened[1], "polis", access="edit", legal_basis="samtycke")
    share(opened[2], "polis", expires_in=timedelta(days=3))
    expire(CaseGroupObjectPermission, content_object=opened[2])
    share(opened[3], "polis")
    case_services.grant_personal_access(
        opened[3],
        user=polis_staff,
        access="view",
        legal_basis="samtycke",
        reason="Samtycke från den berörda",
        actor=skv_staff,
    )
    case_services.grant_personal_access(
        opened[4],
        user=polis_staff,
        access="edit",
        legal_basis="samtycke",
        reason="Samtycke från den berörda",
        actor=skv_staff,
    )
    share(opened[4], "polis", expires_in=timedelta(days=3))  # expired: the grant counts
    expire(CaseGroupObjectPermission, content_object=opened[4])
    case_services.break_the_glass(
        opened[5], justification="Akut ingripande på arbetsplatsen i dag", actor=polis_staff
    )
    share(opened[6], "polis")
    Case.objects.filter(pk=opened[6].pk).update(
        status=CaseStatus.CLOSED, closed_at=timezone.now() - timedelta(days=2)
    )
    own = case_services.open_case(title="Polisens eget", actor=polis_staff)
    return {"polis": polis, "cases": opened, "own": own}


def test_the_page_is_byte_for_byte_what_the_case_serializer_renders(api, polis_staff, world):
    response = api.as_user(polis_staff).get(reverse("case-list"))
    assert response.status_code == 200
    shown = list(Case.objects.visible_to(polis_staff).select_related("owner_agency", "employer"))
    shown.sort(key=lambda c: -c.pk)
    assert len(shown) == 7  # 0, 1, 3, 4, 5, 6 and the police's own; 2 expired, 7, 8 unshared
    expected = {"next": None, "previous": None, "results": [CaseSerializer(c).data for c in shown]}
    assert response.content == JSONRenderer().render(expected)
    first = response.json()["results"][-1]  # the oldest shown: case 0, without employer
    assert list(first) == [
        "id",
        "reference",
        "title",
        "summary",
        "employer",
        "employer_name",
        "owner_agency",
        "status",
        "sensitivity",
        "version",
        "created_at",
        "updated_at",
        "closed_at",
    ]
    case0 = world["cases"][0]
    assert first["id"] == case0.pk
    assert first["employer"] is None
    assert first["employer_name"] is None
    assert first["owner_agency"] == "skv"
    assert first["closed_at"] is None
    assert first["created_at"] == timezone.localtime(case0.created_at).isoformat()
    with_employer = next(c for c in response.json()["results"] if c["id"] == world["cases"][1].pk)
    assert with_employer["employer"] == "5560360793"
    assert with_employer["employer_name"] == "Bygg & Montage AB"
    closed = next(c for c in response.json()["results"] if c["id"] == world["cases"][6].pk)
    assert closed["status"] == "closed"
    assert closed["closed_at"] is not None


def test_each_case_shown_is_read_on_the_basis_decide_gives(api, polis_staff, world):
    response = api.as_user(polis_staff).get(reverse("case-list"))
    shown = [c["id"] for c in response.json()["results"]]
    events = list(AuditEvent.objects.filter(actor=polis_staff, action=CASE_READ))
    assert sorted(int(e.object_id) for e in events) == sorted(shown)
    policy = CasePolicy()
    for event in events:
        access = policy.decide(polis_staff, "view", Case.objects.get(pk=event.object_id))
        expected = {"basis": access.basis, "route": "case-list"}
        if access.legal_basis:
            expected["legal_basis"] = access.legal_basis
        if access.via:
            expected["via"] = access.via
        assert event.changes == expected
        assert event.purpose == access.purpose
    bases = sorted(e.changes["basis"] for e in events)
    assert bases == sorted(
        ["share", "share", "share", "personal_grant", "break_the_glass", "share"] + ["owner_agency"]
    )


def test_decide_many_agrees_with_decide_on_every_case(polis_staff, skv_staff, world):
    policy = CasePolicy()
    for user in (polis_staff, skv_staff):
        cases = list(Case.objects.visible_to(user))
        answers = policy.decide_many(user, cases)
        assert set(answers) == {c.pk for c in cases}
        for case in cases:
            assert answers[case.pk] == policy.decide(user, "view", case), case.title


@pytest.mark.parametrize("rows", [1, 30])
def test_the_query_count_stays_with_shares_and_grants(
    rows, api, skv_staff, polis_staff, share, django_assert_num_queries
):
    for n in range(rows):
        case = case_services.open_case(title=f"Ärende {n}", actor=skv_staff)
        if n % 2:
            share(case, "polis")
        else:
            case_services.grant_personal_access(
                case,
                user=polis_staff,
                access="view",
                legal_basis="samtycke",
                reason="Samtycke från den berörda",
                actor=skv_staff,
            )
    user = type(polis_staff).objects.get(pk=polis_staff.pk)
    client = api.as_user(user)
    # membership, role capabilities, the page, the shares and grants among the page (one
    # statement), the read events (one insert)
    with django_assert_num_queries(5):
        response = client.get(reverse("case-list"), {"page_size": 100})
    assert len(response.json()["results"]) == rows
    assert AuditEvent.objects.filter(actor=polis_staff, action=CASE_READ).count() == rows


def test_a_list_of_plain_cases_is_serialised_from_their_related_rows(polis_staff, world):
    """Outside the case list's page query (no employer and agency columns added) the list
    serializer reads the related rows, with the same answer as one case at a time."""
    cases = list(Case.objects.visible_to(polis_staff).select_related("owner_agency", "employer"))
    assert any(c.employer_id is None for c in cases)
    assert any(c.employer_id for c in cases)
    many = CaseSerializer(cases, many=True).data
    assert [dict(row) for row in many] == [dict(CaseSerializer(c).data) for c in cases]


@pytest.mark.parametrize("size", [1, 2, 3, 6, 7, 8])
def test_the_pages_walk_the_visible_cases_newest_first_each_once(api, polis_staff, world, size):
    """The first page in the default order is read through `CasePolicy.newest`, the pages
    after it through the scope and the cursor: walked through, they give every visible case
    once, newest first, and the last page says there is none after it (docs/performance.md,
    "First pages")."""
    client = api.as_user(polis_staff)
    url, shown, pages = f"{reverse('case-list')}?page_size={size}", [], 0
    while url:
        body = client.get(url).json()
        shown += [case["id"] for case in body["results"]]
        url, pages = body["next"], pages + 1
    visible = Case.objects.visible_to(polis_staff).values_list("pk", flat=True)
    assert shown == sorted(visible, reverse=True)
    assert pages == -(-len(shown) // size)


def test_a_filtered_first_page_is_the_filtered_list(api, polis_staff, world):
    """A filter asked for is applied to the first page too: it is read through the scope,
    not `CasePolicy.newest`."""
    body = api.as_user(polis_staff).get(f"{reverse('case-list')}?status=closed&page_size=1")
    assert [case["id"] for case in body.json()["results"]] == [world["cases"][6].pk]
    assert body.json()["next"] is None


@pytest.mark.parametrize("size", [1, 2, 6, 7])
def test_the_html_pages_walk_the_visible_cases_newest_first_each_once(
    client, polis_staff, world, size, monkeypatch
):
    """The case list page reads its first page through `CasePolicy.newest` too when no
    filter is asked (network/tables.py): its keyset pages give every visible case once."""
    from cases.coordination.views import CaseListView

    monkeypatch.setattr(CaseListView, "page_size", size)
    client.force_login(polis_staff)
    shown, before = [], None
    while True:
        response = client.get(reverse("cases:case_list"), {"before": before} if before else {})
        shown += [case.pk for case in response.context["cases"]]
        before = response.context["next_before"]
        if before is None:
            break
    visible = Case.objects.visible_to(polis_staff).values_list("pk", flat=True)
    assert shown == sorted(visible, reverse=True)
