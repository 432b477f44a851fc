"""Writing under a parent needs the parent's write right, not only its visibility.

For every service (and the API route in front of the first) that creates or moves a child
under a parent in joint controls, the actor below can SEE the parent but may not write into
it: each is refused with 403, and the refusal neither counts nor names what the actor cannot
see. A parent the actor cannot see answers 404 (the second half of each row). The cases
parents (notes, attachments, shares, referral actions) follow in their own packages.
"""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from inspections.models import AgencyAssignment, ControlOperation, Finding, Inspection
from inspections.services import (
    attachments,
    decisions,
    follow_ups,
    lifecycle,
    operations,
    planning,
    results,
    selection,
)
from network.models import Agency

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(av_coordinator, joint, persona):
    """av's operation holding a joint inspection (skv and polis on site, accepted; migr asked,
    not yet answered), with a polis finding, its decision and av's follow-up."""
    operation = operations.create_operation(
        title="Insats bygg",
        period_start=date.today() - timedelta(days=30),
        period_end=date.today() + timedelta(days=60),
        selection_basis="risk_ranking",
        actor=av_coordinator,
    )
    Inspection.objects.filter(pk=joint.pk).update(operation=operation)
    # migr was asked to help from its desk and has not answered (made directly: the visit
    # is already recorded, and assigning is for before it).
    AgencyAssignment.objects.create(
        inspection=joint,
        agency=Agency.objects.get(code="migr"),
        mode="desk",
        assigned_by=av_coordinator,
    )
    joint.refresh_from_db()
    polis = persona("polis", "staff")
    finding = results.record_finding(
        joint, category="utan_arbetstillstand", description="Två personer", actor=polis
    )
    decision = decisions.record_decision(finding, type="forelaggande", actor=polis)
    follow_up = follow_ups.add_follow_up(
        joint,
        title="Återbesök",
        due_date=date.today() + timedelta(days=14),
        actor=av_coordinator,
    )
    return {
        "operation": operation,
        "inspection": joint,
        "finding": finding,
        "decision": decision,
        "follow_up": follow_up,
        "skv_coordinator": persona("skv", "coordinator"),
        "migr": persona("migr", "staff"),
        "migr_analyst": persona("migr", "analyst"),
        "skv": persona("skv", "staff"),
        "stranger": persona("ebm", "coordinator"),
    }


def _refusals(world):
    """(what, actor who sees the parent, call) for every child-under-parent write."""
    w = world
    today = date.today()
    return [
        (
            "inspection into another agency's operation",
            w["skv_coordinator"],
            lambda actor: planning.plan_inspection(
                workplace=w["inspection"].workplace,
                planned_date=today + timedelta(days=3),
                operation=w["operation"],
                actor=actor,
            ),
        ),
        (
            "ranking picks into another agency's operation",
            w["skv_coordinator"],
            lambda actor: selection.plan_from_ranking(
                operation=w["operation"],
                picks=[(w["inspection"].workplace_id, "risk_ranking")],
                planned_date=today + timedelta(days=3),
                actor=actor,
            ),
        ),
        (
            "moving another agency's operation",
            w["skv_coordinator"],
            lambda actor: operations.move_operation(
                w["operation"], status="cancelled", reason="Fel", actor=actor
            ),
        ),
        (
            "finding by an agency that has not accepted",
            w["migr"],
            lambda actor: results.record_finding(
                w["inspection"], category="utan_arbetstillstand", actor=actor
            ),
        ),
        (
            "person counts by an agency that has not accepted",
            w["migr"],
            lambda actor: results.record_person_counts(
                w["inspection"],
                counts=[{"right_to_work": "valid_permit", "nationality": "SE", "count": 1}],
                actor=actor,
            ),
        ),
        (
            "file by an agency that has not accepted",
            w["migr"],
            lambda actor: attachments.add_attachment(
                w["inspection"],
                upload=SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
                actor=actor,
            ),
        ),
        (
            "follow-up by a role without the capability",
            w["migr_analyst"],
            lambda actor: follow_ups.add_follow_up(
                w["inspection"], title="Kolla", due_date=today, actor=actor
            ),
        ),
        (
            "decision on another agency's finding",
            w["skv"],
            lambda actor: decisions.record_decision(w["finding"], type="forelaggande", actor=actor),
        ),
        (
            "disclosing another agency's finding",
            w["skv"],
            lambda actor: results.disclose_finding(
                w["finding"],
                agency=Agency.objects.get(code="migr"),
                legal_basis="uppgiftsskyldighet_akrim",
                reason="Samverkan vid kontroll",
                actor=actor,
            ),
        ),
        (
            "moving another agency's decision",
            w["skv"],
            lambda actor: decisions.change_decision_status(
                w["decision"], status="appealed", reason="Överklagat", actor=actor
            ),
        ),
        (
            "completing another agency's follow-up",
            w["skv"],
            lambda actor: follow_ups.complete_follow_up(w["follow_up"], actor=actor),
        ),
        (
            "cancelling an inspection one takes part in",
            w["skv"],
            lambda actor: lifecycle.cancel_inspection(w["inspection"], reason="Fel", actor=actor),
        ),
    ]


def test_every_write_under_a_visible_parent_is_refused(world):
    counts_before = (
        Inspection.objects.count(),
        Finding.objects.count(),
        ControlOperation.objects.get(pk=world["operation"].pk).status,
    )
    for what, actor, call in _refusals(world):
        with pytest.raises(PermissionDenied) as refused:
            call(actor)
        # The refusal names the rule, never a number of things the actor cannot see.
        assert not re.search(r"\d", str(refused.value)), what
    assert counts_before == (
        Inspection.objects.count(),
        Finding.objects.count(),
        ControlOperation.objects.get(pk=world["operation"].pk).status,
    )


def test_the_same_writes_under_an_unseen_parent_answer_not_found(world):
    for what, _actor, call in _refusals(world):
        with pytest.raises(Http404):  # noqa: PT012  (fail() names the call that did not refuse)
            call(world["stranger"])
            pytest.fail(what)


def test_api_refuses_an_inspection_into_another_agencys_operation(world, api):
    response = api.as_user(world["skv_coordinator"]).post(
        "/api/v1/inspections/",
        {
            "workplace": {
                "name": "Annan plats",
                "address": "Gatan 2",
                "city": "Stockholm",
                "municipality": "0180",
                "county": "01",
                "sni": "41.200",
                "workplace_type": "building_site",
            },
            "planned_date": (date.today() + timedelta(days=3)).isoformat(),
            "operation": world["operation"].pk,
        },
        format="json",
    )
    assert response.status_code == 403
    assert not re.search(r"\d", str(response.json()))
    assert not world["operation"].inspections.exclude(pk=world["inspection"].pk).exists()


def test_the_owner_still_sees_and_closes_everything_in_its_operation(world, av_coordinator):
    """The weakness this fixes: hidden inspections in one's own operation."""
    visible = set(Inspection.objects.visible_to(av_coordinator).values_list("pk", flat=True))
    assert set(world["operation"].inspections.values_list("pk", flat=True)) <= visible
