"""One employer, as far as a given user may see it: the employer profile.

Everything here starts at `visible_to(user)`: inspections where the employer was met, the
findings and decisions of those inspections, cases about the employer, tips that name it
(by number, by triage or by a confirmed link), the workplaces and the other employers met
there (subcontractor chains on building sites). Nothing outside the user's scope is counted
or hinted at: a profile of an employer the user's agency has never met is simply empty.
Lists are capped (LIST_CAP) so that a large employer stays one page of constant queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from cases.coordination.models import Case
from cases.employers.models import Employer
from cases.tips import services as tip_services
from cases.tips.models import Tip
from cases.tips.policies import is_tip_coordinator
from inspections.models import Decision, Finding, Inspection, InspectionEmployer, Workplace

LIST_CAP = 50


@dataclass
class CoEmployer:
    employer: Employer | None  # None until loaded
    roles: list[str]
    inspections: int
    role_labels: list[str] = field(default_factory=list)  # set by the page


@dataclass
class Profile:
    employer: Employer
    inspections: list[Inspection]
    inspections_total: int
    findings: list[Finding]
    findings_total: int
    cases: list[Case]
    tips: list[Tip]
    workplaces: list[Workplace]
    co_employers: list[CoEmployer]
    link_candidates: list[tuple[Tip, list[str]]]
    may_link: bool


def build(employer: Employer, *, user) -> Profile:
    """The profile as `user` may see it. Scope is `visible_to`; on top, each section needs
    the capability to read that kind of record (an analyst sees no inspection rows)."""
    visible = Inspection.objects.visible_to(user).filter(employers=employer)
    if not user.has_perm("inspections.work_on_inspections"):
        visible = visible.none()
    inspection_ids = visible.values("id")
    inspections = list(
        visible.select_related("workplace__county", "operation").order_by("-planned_date", "-id")[
            :LIST_CAP
        ]
    )
    # A finding about another employer met at the same site is not this employer's (one
    # about the site as such, naming no employer, still is).
    findings_qs = Finding.objects.visible_to(user).filter(
        Q(employer=employer) | Q(employer__isnull=True), inspection__in=inspection_ids
    )
    if not user.has_perm("inspections.work_on_findings"):
        findings_qs = findings_qs.none()
    findings = list(
        findings_qs.select_related("inspection__workplace", "agency")
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=Decision.objects.visible_to(user).select_related("agency"),
            )
        )
        .order_by("-inspection__performed_on", "-id")[:LIST_CAP]
    )
    cases = list(
        (
            Case.objects.visible_to(user)
            if user.has_perm("cases.work_on_cases")
            else Case.objects.none()
        )
        .filter(employer=employer)
        .select_related("owner_agency")
        .order_by("-created_at")[:LIST_CAP]
    )
    tips = list(
        tip_services.linked_tips(employer, user=user)
        .select_related("county")
        .order_by("-received_at")[:LIST_CAP]
    )
    workplaces: list[Workplace] = list(
        Workplace.objects.filter(inspections__in=inspection_ids)
        .select_related("county")
        .annotate(n=Count("inspections", distinct=True))
        .order_by("-n", "name")[:LIST_CAP]
    )
    co_rows = (
        InspectionEmployer.objects.filter(inspection__in=inspection_ids)
        .exclude(employer=employer)
        .values("employer_id", "role")
        .annotate(n=Count("inspection", distinct=True))
        .order_by("-n", "employer_id")
    )
    by_employer: dict[int, CoEmployer] = {}
    for row in co_rows[: LIST_CAP * 3]:
        entry = by_employer.setdefault(row["employer_id"], CoEmployer(None, [], 0))
        entry.roles.append(row["role"])
        entry.inspections += row["n"]
    for other in Employer.objects.filter(pk__in=list(by_employer)):
        by_employer[other.pk].employer = other
    co_employers = sorted(
        (c for c in by_employer.values() if c.employer is not None),
        key=lambda c: (-c.inspections, c.employer.name if c.employer else ""),
    )[:LIST_CAP]
    may_link = is_tip_coordinator(user)
    return Profile(
        employer=employer,
        inspections=inspections,
        inspections_total=visible.count(),
        findings=findings,
        findings_total=findings_qs.count(),
        cases=cases,
        tips=tips,
        workplaces=workplaces,
        co_employers=co_employers,
        link_candidates=(tip_services.tip_link_candidates(employer, user=user) if may_link else []),
        may_link=may_link,
    )
