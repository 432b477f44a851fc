"""The data the API fuzz runs against: one agency's world, seen from inside and outside.

The insider (`av`, staff and coordinator of the Stockholm centre) owns a case, a control
operation, inspections with findings, decisions, follow-ups and files, a victim referral and
sees a tip from the public. A third agency (`skv`) takes part where the insider shares. The
outsider (`fk` staff) has no share, assignment or grant in any of it.

Every protected object carries a canary: a string found nowhere else (its text fields, and
its generated reference). An object outside the outsider's scope must never put its
canary into a response to the outsider, whatever the endpoint (`World.forbidden_for`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils import timezone

from cases.coordination import services as case_services
from cases.coordination.models import AccessReview, Case, CaseAttachment, CaseNote
from cases.employers import services as employer_services
from cases.referrals import services as referral_services
from cases.referrals.models import ReferralNote, SupportMeasure, VictimReferral
from cases.tips import services as tip_services
from cases.tips.models import Tip
from inspections.models import (
    ControlOperation,
    Decision,
    Finding,
    FollowUp,
    Inspection,
    InspectionAttachment,
)
from inspections.services import (
    attachments,
    decisions,
    follow_ups,
    lifecycle,
    operations,
    planning,
    results,
)
from network.models import Agency, AuditEvent
from reports import services as report_services
from reports.models import ReportBuild

INSIDER = "fuzz.insider"
OUTSIDER = "fuzz.outsider"

# Which scoped model answers for a path's first segment, and for each sub-resource id of
# a path such as /cases/{id}/shares/{share_id}/ (DESIGN.md: out of scope answers 404).
PUBLIC_RESOURCES = {"agencies", "employers"}


def canary(kind: str, n: int = 1) -> str:
    """A token no generator produces by chance and no fixture text contains."""
    return f"QZV{kind.upper()}{n}XKJ"


@dataclass(frozen=True)
class Secret:
    model: type[models.Model]
    pk: int
    strings: tuple[str, ...]


@dataclass
class World:
    insider: object
    outsider: object
    third: object
    ids: dict[str, list[int]] = field(default_factory=dict)  # path param -> insider ids
    secrets: list[Secret] = field(default_factory=list)

    def keep(self, obj, *strings: str, param: str | None = None) -> None:
        self.secrets.append(Secret(type(obj), obj.pk, tuple(s for s in strings if s)))
        if param:
            self.ids.setdefault(param, []).append(obj.pk)

    def forbidden_for(self, user) -> dict[str, Secret]:
        """canary -> object, for every kept object `user` cannot see right now (scope can
        change during a run, e.g. by a legitimate break-the-glass). One query per model:
        the oracle asks this for every response that carries a canary."""
        hidden_by_model = {model: self.hidden_ids(user, model) for model in self._models()}
        return {
            text: secret
            for secret in self.secrets
            if secret.pk in hidden_by_model[secret.model]
            for text in secret.strings
        }

    def _models(self) -> list[type[models.Model]]:
        return list(dict.fromkeys(secret.model for secret in self.secrets))

    def hidden_ids(self, user, model) -> set[int]:
        pks = {s.pk for s in self.secrets if s.model is model}
        return pks - set(
            model.objects.visible_to(user).filter(pk__in=pks).values_list("pk", flat=True)
        )


def build_world(persona) -> World:
    insider = persona("av", "staff", "coordinator", username=INSIDER, centre="stockholm")
    outsider = persona("fk", "staff", username=OUTSIDER)
    third = persona("skv", "staff", username="fuzz.third")
    world = World(insider=insider, outsider=outsider, third=third)
    skv = Agency.objects.get(code="skv")
    today = timezone.localdate()

    employer = employer_services.register_employer(
        orgnr="556036-0793", name="Fuzz Bygg AB", actor=insider
    )
    world.ids["employers"] = [employer.pk]
    world.ids["employers.orgnr"] = [employer.orgnr]
    world.ids["agencies"] = ["av", "fk", "skv"]

    # A case, shared with skv, with a personal grant, a note and a file.
    case = case_services.open_case(
        title=f"Ärende {canary('case')}",
        summary=f"Sammanfattning {canary('casesummary')}",
        employer=employer,
        actor=insider,
    )
    world.keep(case, case.reference, canary("case"), canary("casesummary"), param="cases")
    share = case_services.share_case(
        case,
        agency=skv,
        access="edit",
        legal_basis="uppgiftsskyldighet_akrim",
        reason=f"Gemensam kontroll {canary('share')}",
        actor=insider,
    )
    grant = case_services.grant_personal_access(
        case,
        user=third,
        access="view",
        legal_basis="uppgiftsskyldighet_akrim",
        reason=f"Personlig {canary('grant')}",
        actor=insider,
    )
    world.keep(case, canary("share"), canary("grant"))
    world.ids["cases.share_id"] = [share.pk]
    world.ids["cases.grant_id"] = [grant.pk]
    note = case_services.add_note(case, text=f"Anteckning {canary('casenote')}", actor=insider)
    world.keep(case, canary("casenote"))
    attachment = case_services.add_attachment(
        case,
        upload=SimpleUploadedFile(f"{canary('casefile')}.txt", b"fuzz"),
        actor=insider,
    )
    world.keep(case, canary("casefile"))
    world.ids["cases.attachment_id"] = [attachment.pk]
    assert CaseNote.objects.filter(pk=note.pk).exists()
    assert CaseAttachment.objects.filter(pk=attachment.pk).exists()

    # A control operation and two inspections: one performed with results, one planned
    # (unannounced: secret to everyone else).
    operation = operations.create_operation(
        title=f"Insats {canary('operation')}",
        period_start=today - timedelta(days=30),
        period_end=today + timedelta(days=30),
        selection_basis="risk_ranking",
        centre=insider.active_membership.centre,
        actor=insider,
    )
    world.keep(operation, canary("operation"), param="operations")
    done = planning.plan_inspection(
        workplace={
            "name": f"Bygget {canary('workplace')}",
            "address": f"Gatan {canary('address')}",
            "municipality": "0180",
            "county": "01",
            "sni": "41.200",
        },
        planned_date=today - timedelta(days=3),
        employers=[employer.orgnr],
        operation=operation,
        actor=insider,
    )
    av = insider.active_membership.agency
    own = planning.assign_agency(done, agency=av, mode="on_site", actor=insider)
    planning.respond_to_assignment(own, accept=True, actor=insider)
    other = planning.assign_agency(done, agency=skv, mode="on_site", actor=insider)
    planning.respond_to_assignment(other, accept=True, actor=third)
    lifecycle.perform_inspection(
        done, performed_on=today - timedelta(days=2), persons_checked=9, actor=insider
    )
    world.keep(done, done.reference, canary("workplace"), canary("address"), param="inspections")
    world.ids["inspections.assignment_id"] = [own.pk, other.pk]
    planned = planning.plan_inspection(
        workplace={
            "name": f"Hemlig {canary('planned')}",
            "municipality": "0180",
            "county": "01",
            "sni": "56.100",
        },
        planned_date=today + timedelta(days=10),
        actor=insider,
    )
    world.keep(planned, planned.reference, canary("planned"), param="inspections")

    finding = results.record_finding(
        done,
        category="arbetsmiljobrist",
        description=f"Brist {canary('finding')}",
        actor=insider,
    )
    world.keep(finding, canary("finding"), param="findings")
    secret = results.record_finding(
        done,
        category="indikator_manniskohandel",
        description=f"Hemlig {canary('secretfinding')}",
        secret=True,
        actor=insider,
    )
    world.keep(secret, canary("secretfinding"), param="findings")
    decision = decisions.record_decision(
        finding,
        type="sanktionsavgift",
        amount_sek=Decimal("12500"),
        external_reference=canary("decision"),
        actor=insider,
    )
    world.keep(decision, canary("decision"))
    follow_up = follow_ups.add_follow_up(
        done,
        title=f"Uppföljning {canary('followup')}",
        due_date=today - timedelta(days=1),
        finding=finding,
        actor=insider,
    )
    world.keep(follow_up, canary("followup"), param="follow-ups")
    results.record_person_counts(
        done,
        counts=[{"right_to_work": "no_right_to_work", "nationality": "UA", "count": 3}],
        actor=insider,
    )
    photo = attachments.add_attachment(
        done,
        upload=SimpleUploadedFile(f"{canary('inspectionfile')}.txt", b"foto"),
        actor=insider,
    )
    world.keep(done, canary("inspectionfile"))
    world.ids["inspections.attachment_id"] = [photo.pk]
    assert Decision.objects.filter(pk=decision.pk).exists()
    assert InspectionAttachment.objects.filter(pk=photo.pk).exists()

    # A referral: notes and support name the person; identity is masked in the API anyway.
    referral = referral_services.create_referral(
        person={
            "identifier_type": "passport",
            "identifier": canary("passport"),
            "name": f"Person {canary('person')}",
            "sex": "female",
            "nationality": "UA",
        },
        receiving_body="socialtjanst",
        consent={"support": True, "sharing": True, "statistics": True},
        indicators=["debt_bondage"],
        actor=insider,
    )
    world.keep(
        referral,
        referral.reference,
        canary("passport"),
        canary("person"),
        param="referrals",
    )
    referral_services.add_referral_note(
        referral, text=f"Samtal {canary('referralnote')}", actor=insider
    )
    referral_services.add_support_measure(
        referral,
        programme="mmm",
        kind="boende",
        provider=f"Kommun {canary('support')}",
        starts_on=today,
        actor=insider,
    )
    period = referral_services.apply_for_reflection_period(
        referral, applicant="socialnamnd", submitted_on=today, actor=insider
    )
    world.keep(referral, canary("referralnote"), canary("support"))
    world.ids["referrals.period_id"] = [period.pk]
    assert ReferralNote.objects.filter(referral=referral).exists()
    assert SupportMeasure.objects.filter(referral=referral).exists()

    # A tip from the public, in the insider's centre's county.
    tip = tip_services.submit_tip(
        data={
            "address": f"Storgatan {canary('tipaddress')}",
            "municipality": "Stockholm",
            "county": None,
            "industry": "construction",
            "description": f"Folk sover i källaren {canary('tip')}",
            "employer_name": f"Firma {canary('tipemployer')}",
            "observations": ["lives_at_workplace"],
        }
    )
    world.keep(
        tip, tip.code, canary("tip"), canary("tipaddress"), canary("tipemployer"), param="tips"
    )

    # A report build of the network (queued: the build itself is not what is fuzzed here).
    build, _created = report_services.request_build(
        year=today.year - 1, actor=insider, enqueue=False
    )
    world.keep(build, param="reports")

    # A break-the-glass access by the third agency, for its auditors' review queue.
    other_case = case_services.open_case(
        title=f"Annat {canary('othercase')}", actor=persona("polis", "staff")
    )
    review = case_services.break_the_glass(
        other_case,
        justification="Brådskande utredning av samma arbetsgivare i flera län",
        actor=third,
    )
    world.keep(review, param="access-reviews")
    world.ids["audit-events"] = list(
        AuditEvent.objects.filter(agency__code="av").values_list("pk", flat=True)[:3]
    )
    world.keep(other_case, other_case.reference, canary("othercase"), param="cases")

    for model in (Case, Inspection, Finding, FollowUp, VictimReferral, Tip, ControlOperation):
        assert model.objects.visible_to(insider).exists(), model
    assert ReportBuild.objects.visible_to(insider).exists()
    assert AccessReview.objects.filter(pk=review.pk).exists()
    return world
