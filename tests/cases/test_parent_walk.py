"""Writing under a case, referral or tip needs its write right, not only its visibility.

The cases twin of tests/inspections/test_parent_walk.py. For every service that creates or
moves a child under a parent in `cases` (notes, files, shares, personal grants and their
revocation, referral actions, tip triage), the actor below can SEE the parent — through a
share, a personal grant or a forwarded tip — but may not write into it: each is refused
with 403 and nothing is written, and the refusal neither counts nor names what the actor
cannot see. The same call by someone who cannot see the parent answers 404. The API routes
in front of the first rows answer the same (docs/access.md, "Case", "Victim referral").
"""

import re
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse

from cases.coordination import services as case_services
from cases.coordination.models import (
    Case,
    CaseAttachment,
    CaseGroupObjectPermission,
    CaseNote,
    CaseUserObjectPermission,
)
from cases.referrals import services as referral_services
from cases.referrals.models import ReferralNote, ReflectionPeriod, SupportMeasure
from cases.tips import services as tip_services
from network.models import Agency, AuditEvent

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\nxx"
BASIS = {"legal_basis": "uppgiftsskyldighet_akrim", "reason": "Gemensam kontroll i maj"}


@pytest.fixture
def world(persona, settings, tmp_path):
    """A Skatteverket case shared (view) with Polismyndigheten, with an edit share for
    Försäkringskassan and a personal grant to a Polismyndigheten analyst; a Skatteverket
    referral shared with Migrationsverket, with a reflection period; a tip forwarded to
    Polismyndigheten."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    owner = persona("skv", "staff")
    case = case_services.open_case(title="Byggarbetsplats Hagastaden", actor=owner)
    polis = Agency.objects.get(code="polis")
    case_services.share_case(case, agency=polis, access="view", actor=owner, **BASIS)
    case_services.share_case(
        case, agency=Agency.objects.get(code="fk"), access="edit", actor=owner, **BASIS
    )
    analyst = persona("polis", "analyst")
    case_services.grant_personal_access(case, user=analyst, access="view", actor=owner, **BASIS)
    share = CaseGroupObjectPermission.objects.filter(content_object=case).first()
    grant = CaseUserObjectPermission.objects.filter(content_object=case).first()
    referral = referral_services.create_referral(
        person={"identifier_type": "none", "sex": "female", "nationality": "UA"},
        receiving_body="nspm_stodtelefon",
        consent={"support": True, "sharing": True, "statistics": True},
        actor=owner,
    )
    referral_services.share_referral(
        referral, agency=Agency.objects.get(code="migr"), actor=owner, **BASIS
    )
    period = ReflectionPeriod.objects.create(
        referral=referral, applicant="fu_ledare", submitted_on=date.today()
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
    tip.forwarded_to = polis
    tip.save(update_fields=["forwarded_to"])
    return {
        "case": case,
        "share": share,
        "grant": grant,
        "referral": referral,
        "period": period,
        "tip": tip,
        "owner": owner,
        "polis": persona("polis", "staff"),
        "polis_analyst": analyst,
        "fk": persona("fk", "staff"),
        "migr": persona("migr", "staff"),
        "stranger": persona("ebm", "staff"),
        "outsider_coordinator": persona("ebm", "coordinator"),
    }


def _refusals(w):
    """(what, actor who sees the parent, call) for every child-under-parent write."""
    case, referral, tip = w["case"], w["referral"], w["tip"]
    png = SimpleUploadedFile("foto.png", PNG)
    fk = Agency.objects.get(code="fk")
    return [
        # --- a case seen through a view share or a personal grant ---
        (
            "changing a case shared for reading",
            w["polis"],
            lambda a: case_services.update_case(
                case, version=case.version, changes={"title": "Ny"}, actor=a
            ),
        ),
        (
            "a file on a case shared for reading",
            w["polis"],
            lambda a: case_services.add_attachment(case, upload=png, actor=a),
        ),
        (
            "a note by a role without the capability, seeing through a personal grant",
            w["polis_analyst"],
            lambda a: case_services.add_note(case, text="Anteckning", actor=a),
        ),
        (
            "sharing a case shared for editing",
            w["fk"],
            lambda a: case_services.share_case(
                case, agency=Agency.objects.get(code="migr"), access="view", actor=a, **BASIS
            ),
        ),
        (
            "a personal grant on another agency's case",
            w["fk"],
            lambda a: case_services.grant_personal_access(
                case, user=w["polis"], access="view", actor=a, **BASIS
            ),
        ),
        (
            "ending a share on another agency's case",
            w["fk"],
            lambda a: case_services.revoke_share(case, share_id=w["share"].pk, actor=a),
        ),
        (
            "ending a personal grant on another agency's case",
            w["fk"],
            lambda a: case_services.revoke_personal_access(case, grant_id=w["grant"].pk, actor=a),
        ),
        # --- a referral seen through a share: it reads, it does not work the referral ---
        (
            "moving a shared referral",
            w["migr"],
            lambda a: referral_services.change_referral_status(
                referral, status="support_contacted", actor=a
            ),
        ),
        (
            "withdrawing consent on a shared referral",
            w["migr"],
            lambda a: referral_services.withdraw_consent(referral, purpose="sharing", actor=a),
        ),
        (
            "a note on a shared referral",
            w["migr"],
            lambda a: referral_services.add_referral_note(referral, text="Anteckning", actor=a),
        ),
        (
            "support on a shared referral",
            w["migr"],
            lambda a: referral_services.add_support_measure(
                referral, programme="mmm", kind="Boende", starts_on=date.today(), actor=a
            ),
        ),
        (
            "a reflection period on a shared referral",
            w["migr"],
            lambda a: referral_services.apply_for_reflection_period(
                referral, applicant="fu_ledare", submitted_on=date.today(), actor=a
            ),
        ),
        (
            "deciding a reflection period of a shared referral",
            w["migr"],
            lambda a: referral_services.decide_reflection_period(
                w["period"], granted=True, decided_on=date.today(), actor=a
            ),
        ),
        (
            "sharing on from a shared referral",
            w["migr"],
            lambda a: referral_services.share_referral(referral, agency=fk, actor=a, **BASIS),
        ),
        (
            "naming the case owner of a shared referral",
            w["migr"],
            lambda a: referral_services.set_case_owner(referral, owner=w["owner"], actor=a),
        ),
        (
            "revealing the identity through a share",
            w["migr"],
            lambda a: referral_services.reveal_identity(
                referral, purpose="Behöver identiteten nu", actor=a
            ),
        ),
        # --- a tip seen because it was forwarded: the agency reads, coordinators triage ---
        (
            "dismissing a forwarded tip",
            w["polis"],
            lambda a: tip_services.dismiss_tip(tip, reason="Inget att göra", actor=a),
        ),
        (
            "a case from a forwarded tip",
            w["polis"],
            lambda a: tip_services.create_case_from_tip(tip, owner_agency=fk, actor=a),
        ),
        (
            "forwarding a forwarded tip",
            w["polis"],
            lambda a: tip_services.forward_tip(tip, agency=fk, actor=a),
        ),
        (
            "an employer on a forwarded tip",
            w["polis"],
            lambda a: tip_services.link_tip_to_employer(tip, orgnr="5560360793", actor=a),
        ),
        (
            "proposing a forwarded tip for a control",
            w["polis"],
            lambda a: tip_services.propose_tip_for_inspection(tip, actor=a),
        ),
    ]


def _written(w):
    case = Case.objects.get(pk=w["case"].pk)
    referral = type(w["referral"]).objects.get(pk=w["referral"].pk)
    tip = type(w["tip"]).objects.get(pk=w["tip"].pk)
    return (
        case.version,
        case.title,
        CaseNote.objects.count(),
        CaseAttachment.objects.count(),
        CaseGroupObjectPermission.objects.count(),
        CaseUserObjectPermission.objects.count(),
        referral.status,
        referral.consent_sharing,
        referral.case_owner_id,
        ReferralNote.objects.count(),
        SupportMeasure.objects.count(),
        ReflectionPeriod.objects.count(),
        list(ReflectionPeriod.objects.values_list("status", flat=True)),
        referral.shares.count(),
        tip.outcome,
        tip.forwarded_to_id,
        tip.employer_id,
        tip.case_id,
    )


def test_every_write_under_a_visible_parent_is_refused(world):
    before = _written(world)
    events = AuditEvent.objects.count()
    for what, actor, call in _refusals(world):
        with pytest.raises(PermissionDenied) as refused:
            call(actor)
        # The refusal names the rule, never a number of things the actor cannot see.
        assert not re.search(r"\d", str(refused.value)), what
    assert _written(world) == before
    # Nothing was written, and no event claims something was (no reveal, no share).
    assert AuditEvent.objects.count() == events


def test_the_actors_do_see_the_parents(world):
    """The rows above are about writing: each actor sees its parent."""
    from network.policies import decide

    for what, actor, _call in _refusals(world):
        parent = world[
            "tip"
            if "tip" in what
            else "referral"
            if "referral" in what or "identity" in what
            else "case"
        ]
        assert decide(actor, "view", parent), what


@pytest.mark.parametrize("stranger", ["stranger", "outsider_coordinator"])
def test_the_same_writes_under_an_unseen_parent_answer_not_found(world, stranger):
    for what, _actor, call in _refusals(world):
        with pytest.raises(Http404):  # noqa: PT012  (fail() names the call that did not refuse)
            call(world[stranger])
            pytest.fail(what)


def test_the_api_refuses_writes_under_a_visible_parent(world, api):
    case, referral, tip = world["case"], world["referral"], world["tip"]
    png = SimpleUploadedFile("foto.png", PNG)
    rows = [
        (
            world["polis"],
            "patch",
            reverse("case-detail", args=[case.pk]),
            {"version": case.version, "title": "Ny"},
        ),
        (
            world["polis"],
            "post",
            reverse("case-attachments", args=[case.pk]),
            {"file": png},
        ),
        (
            world["fk"],
            "post",
            reverse("case-shares", args=[case.pk]),
            {"agency": "migr", "access": "view", **BASIS},
        ),
        (world["fk"], "get", reverse("case-grants", args=[case.pk]), None),
        (
            world["migr"],
            "post",
            reverse("referral-notes", args=[referral.pk]),
            {"text": "Anteckning"},
        ),
        (
            world["migr"],
            "post",
            reverse("referral-change-status", args=[referral.pk]),
            {"status": "support_contacted"},
        ),
        (world["polis"], "post", reverse("tip-triage", args=[tip.pk]), {"action": "propose"}),
    ]
    for actor, method, url, body in rows:
        client = api.as_user(actor)
        fmt = "multipart" if method == "post" and body and "file" in body else "json"
        response = getattr(client, method)(url, body, format=fmt) if body else client.get(url)
        assert response.status_code == 403, (url, response.status_code)
        assert not re.search(r"\d", response.content.decode()), url
    assert not CaseAttachment.objects.exists()
    assert not ReferralNote.objects.exists()


def test_an_edit_share_may_write_where_a_view_share_may_not(world):
    """The other half of the first rows: the write right is what decides, not the agency."""
    note = case_services.add_note(world["case"], text="Från FK", actor=world["fk"])
    saved = case_services.update_case(
        world["case"], version=world["case"].version, changes={"title": "Ny"}, actor=world["fk"]
    )
    assert note.pk
    assert saved.title == "Ny"
    assert case_services.add_note(world["case"], text="Från polisen", actor=world["polis"]).pk
