"""Who may do what to joint controls: one policy per model (docs/access.md, "Inspections").

An unannounced control must not leak: an inspection is visible only to the coordinating
agency's coordinators and to agencies assigned to it (and not having declined), whatever its
status. Operations are visible to their coordinators and wherever one of their inspections
is. Findings, decisions and follow-ups are visible where their inspection is, except a secret
finding, which only its own agency (and agencies it was disclosed to) sees.

Writing under a parent needs the parent's write right, not only its visibility: a
coordinator of another agency who can see an operation (through an inspection of their own
in it) cannot plan inspections into it (`OperationPolicy` action "add_inspection").
"""

from typing import TYPE_CHECKING, cast

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import Combinable

from inspections.choices import AssignmentStatus, ParticipationMode
from inspections.models import (
    AgencyAssignment,
    ControlOperation,
    Decision,
    Finding,
    FindingDisclosure,
    FollowUp,
    Inspection,
)
from network.policies import (
    DENIED,
    Access,
    Basis,
    Policy,
    agency_id_of,
    allow,
    register,
)
from network.querysets import PreparedExists

if TYPE_CHECKING:
    from network.http import AnyUser

COORDINATE = "inspections.coordinate_inspection"


def _coordinates(
    user: "AnyUser", coordinating_agency_id: int | None, capability: str = COORDINATE
) -> bool:
    agency_id = agency_id_of(user)
    return (
        agency_id is not None and agency_id == coordinating_agency_id and user.has_perm(capability)
    )


def assignment_of(user: "AnyUser", inspection: Inspection) -> AgencyAssignment | None:
    """The user's agency's (not declined) assignment to the inspection, or None. Uses the
    prefetched assignments when the caller loaded them."""
    agency_id = agency_id_of(user)
    if agency_id is None:
        return None
    cache = getattr(inspection, "_prefetched_objects_cache", {})
    if "assignments" in cache:
        rows = [a for a in cache["assignments"] if a.agency_id == agency_id]
        return next((a for a in rows if a.status != AssignmentStatus.DECLINED), None)
    return (
        inspection.assignments.filter(agency_id=agency_id)
        .exclude(status=AssignmentStatus.DECLINED)
        .first()
    )


def _assignment(kind: str, *, outer: int, agency: int) -> QuerySet[AgencyAssignment]:
    """The agency's assignment to the inspection `outer` that counts for `kind`: assigned
    (not declined), accepted, or accepted on site. The scope asks it as EXISTS compiled once
    per process (network.querysets.PreparedExists): building and compiling it in the ORM on
    every request cost more than a first page's SQL (docs/performance.md, "First pages")."""
    rows = AgencyAssignment.objects.filter(inspection_id=outer, agency_id=agency)
    if kind == "assigned":
        return rows.exclude(status=AssignmentStatus.DECLINED)
    rows = rows.filter(status=AssignmentStatus.ACCEPTED)
    return rows.filter(mode=ParticipationMode.ON_SITE) if kind == "on_site" else rows


@register
class InspectionPolicy(Policy[Inspection]):
    """view: coordinators of the coordinating agency, agencies assigned (not declined).
    change (assign agencies, cancel, close): the coordinating agency's coordinators.
    perform (record the visit): coordinators, or staff of an agency accepted on site.
    add_result (findings, person counts, submit results): an agency that accepted.
    add_followup: coordinators or an assigned agency. add_attachment: coordinators or an
    agency that accepted."""

    model = Inspection
    actions = ("view", "change", "perform", "add_result", "add_followup", "add_attachment")

    def scope(
        self, user: "AnyUser", action: str = "view", queryset: QuerySet[Inspection] | None = None
    ) -> QuerySet[Inspection]:
        self._check(action)
        queryset = Inspection.objects.all() if queryset is None else queryset
        agency_id = agency_id_of(user)
        if agency_id is None:
            return queryset.none()
        coordinated = Q(coordinating_agency_id=agency_id) if user.has_perm(COORDINATE) else Q()

        def assignment(kind: str) -> PreparedExists:
            return PreparedExists("inspections.assignment", _assignment, (kind,), agency=agency_id)

        if action == "view":
            grants = [assignment("assigned")]
        elif action == "change":
            grants = []
        elif action == "perform":
            grants = (
                [assignment("on_site")] if user.has_perm("inspections.perform_inspections") else []
            )
        elif action == "add_result":
            return (
                queryset.filter(assignment("accepted"))
                if user.has_perm("inspections.add_finding")
                else queryset.none()
            )
        elif action == "add_followup":
            if not user.has_perm("inspections.add_followup"):
                return queryset.none()
            grants = [assignment("assigned")]
        else:  # add_attachment
            grants = [assignment("accepted")]
        conditions = ([coordinated] if coordinated else []) + grants
        if not conditions:
            return queryset.none()
        combined: Q | Combinable = conditions[0]
        for condition in conditions[1:]:
            combined = combined | condition
        return queryset.filter(combined)

    def decide(self, user: "AnyUser", action: str, obj: Inspection) -> Access:
        self._check(action)
        if agency_id_of(user) is None:
            return DENIED
        coordinator = _coordinates(user, obj.coordinating_agency_id)
        mine = assignment_of(user, obj)
        via = f"assignment:{mine.pk}" if mine is not None else ""
        accepted = mine is not None and mine.status == AssignmentStatus.ACCEPTED
        if action == "add_result":
            if accepted and user.has_perm("inspections.add_finding"):
                return allow(Basis.ASSIGNMENT, via=via)
            return DENIED
        if action == "add_followup" and not user.has_perm("inspections.add_followup"):
            return DENIED
        if coordinator:
            return allow(Basis.COORDINATION)
        if action in ("view", "add_followup") and mine is not None:
            return allow(Basis.ASSIGNMENT, via=via)
        if action == "perform" and (
            accepted
            and mine is not None
            and mine.mode == ParticipationMode.ON_SITE
            and user.has_perm("inspections.perform_inspections")
        ):
            return allow(Basis.ASSIGNMENT, via=via)
        if action == "add_attachment" and accepted:
            return allow(Basis.ASSIGNMENT, via=via)
        return DENIED


@register
class OperationPolicy(Policy[ControlOperation]):
    """view: the coordinating agency's coordinators, and wherever one of its inspections is
    visible. change (move its status) and add_inspection (plan into it): the coordinating
    agency's coordinators only — seeing an operation is not a right to write into it."""

    model = ControlOperation
    actions = ("view", "change", "add_inspection")

    def scope(
        self,
        user: "AnyUser",
        action: str = "view",
        queryset: QuerySet[ControlOperation] | None = None,
    ) -> QuerySet[ControlOperation]:
        self._check(action)
        queryset = ControlOperation.objects.all() if queryset is None else queryset
        agency_id = agency_id_of(user)
        if agency_id is None:
            return queryset.none()
        if action == "view":
            visible = InspectionPolicy().scope(user, "view").filter(operation=OuterRef("pk"))
            if user.has_perm(COORDINATE):
                return queryset.filter(Q(coordinating_agency_id=agency_id) | Exists(visible))
            return queryset.filter(Exists(visible))
        capability = self._capability(action)
        if not all(user.has_perm(c) for c in capability):
            return queryset.none()
        return queryset.filter(coordinating_agency_id=agency_id)

    @staticmethod
    def _capability(action: str) -> tuple[str, ...]:
        if action == "add_inspection":
            return ("inspections.edit_control_operations", "inspections.add_inspection")
        return ("inspections.edit_control_operations",)

    def decide(self, user: "AnyUser", action: str, obj: ControlOperation) -> Access:
        self._check(action)
        agency_id = agency_id_of(user)
        if agency_id is None:
            return DENIED
        if action == "view":
            if _coordinates(user, obj.coordinating_agency_id):
                return allow(Basis.COORDINATION)
            # Through an inspection in it: the basis of the first one visible.
            for inspection in obj.inspections.all().only("pk", "coordinating_agency_id"):
                access = InspectionPolicy().decide(user, "view", inspection)
                if access:
                    return access
            return DENIED
        if agency_id == obj.coordinating_agency_id and all(
            user.has_perm(c) for c in self._capability(action)
        ):
            return allow(Basis.COORDINATION)
        return DENIED


def _finding_rule(agency_id: int) -> Q:
    disclosed = Exists(
        FindingDisclosure.objects.filter(finding=OuterRef("pk"), agency_id=agency_id)
    )
    return cast(Q, Q(secret=False) | Q(agency_id=agency_id) | disclosed)  # a Q at runtime


@register
class FindingPolicy(Policy[Finding]):
    """view: within a visible inspection, open findings, the agency's own, and secret ones
    disclosed to it. change / disclose: the agency that owns the finding. add_decision: the
    owning agency with the capability to record decisions."""

    model = Finding
    actions = ("view", "change", "disclose", "add_decision")

    def scope(
        self, user: "AnyUser", action: str = "view", queryset: QuerySet[Finding] | None = None
    ) -> QuerySet[Finding]:
        self._check(action)
        queryset = Finding.objects.all() if queryset is None else queryset
        agency_id = agency_id_of(user)
        if agency_id is None:
            return queryset.none()
        inspections = InspectionPolicy().scope(user, "view").values("pk")
        visible = queryset.filter(inspection__in=inspections).filter(_finding_rule(agency_id))
        if action == "view":
            return visible
        if action == "add_decision" and not user.has_perm("inspections.add_decision"):
            return queryset.none()
        return visible.filter(agency_id=agency_id)

    @staticmethod
    def readable_by(agency_id: int) -> Q:
        """The finding's own rule, for readers that already hold the visible inspections
        (the risk ranking)."""
        return _finding_rule(agency_id)

    def decide(self, user: "AnyUser", action: str, obj: Finding) -> Access:
        self._check(action)
        agency_id = agency_id_of(user)
        if agency_id is None:
            return DENIED
        through = InspectionPolicy().decide(user, "view", obj.inspection)
        if not through:
            return DENIED
        own = obj.agency_id == agency_id
        if action != "view":
            if not own:
                return DENIED
            if action == "add_decision" and not user.has_perm("inspections.add_decision"):
                return DENIED
            return allow(Basis.OWNER_AGENCY)
        if own:
            return allow(Basis.OWNER_AGENCY)
        if not obj.secret:
            return through
        disclosure = FindingDisclosure.objects.filter(finding=obj, agency_id=agency_id).first()
        if disclosure is not None:
            return allow(
                Basis.DISCLOSURE,
                legal_basis=disclosure.legal_basis,
                via=f"disclosure:{disclosure.pk}",
            )
        return DENIED


@register
class DecisionPolicy(Policy[Decision]):
    """view: where its finding is visible. change (its status): the deciding agency, with
    the capability to change decisions."""

    model = Decision
    actions = ("view", "change")

    def scope(
        self, user: "AnyUser", action: str = "view", queryset: QuerySet[Decision] | None = None
    ) -> QuerySet[Decision]:
        self._check(action)
        queryset = Decision.objects.all() if queryset is None else queryset
        agency_id = agency_id_of(user)
        if agency_id is None:
            return queryset.none()
        visible = queryset.filter(finding__in=FindingPolicy().scope(user, "view").values("pk"))
        if action == "view":
            return visible
        if not user.has_perm("inspections.edit_decisions"):
            return queryset.none()
        return visible.filter(agency_id=agency_id)

    def decide(self, user: "AnyUser", action: str, obj: Decision) -> Access:
        self._check(action)
        seen = FindingPolicy().decide(user, "view", obj.finding)
        if not seen or action == "view":
            return seen
        if obj.agency_id == agency_id_of(user) and user.has_perm("inspections.edit_decisions"):
            return allow(Basis.OWNER_AGENCY)
        return DENIED


@register
class FollowUpPolicy(Policy[FollowUp]):
    """view: follow-ups of visible inspections; one tied to a finding follows that finding.
    change (complete it): the agency that owns it."""

    model = FollowUp
    actions = ("view", "change")

    def scope(
        self, user: "AnyUser", action: str = "view", queryset: QuerySet[FollowUp] | None = None
    ) -> QuerySet[FollowUp]:
        self._check(action)
        queryset = FollowUp.objects.all() if queryset is None else queryset
        agency_id = agency_id_of(user)
        if agency_id is None:
            return queryset.none()
        inspections = InspectionPolicy().scope(user, "view").values("pk")
        findings = FindingPolicy().scope(user, "view").values("pk")
        visible = queryset.filter(inspection__in=inspections).filter(
            Q(finding__isnull=True) | Q(finding__in=findings)
        )
        return visible if action == "view" else visible.filter(agency_id=agency_id)

    def decide(self, user: "AnyUser", action: str, obj: FollowUp) -> Access:
        self._check(action)
        seen = InspectionPolicy().decide(user, "view", obj.inspection)
        if seen and obj.finding_id is not None and obj.finding is not None:
            seen = FindingPolicy().decide(user, "view", obj.finding) and seen
        if not seen:
            return DENIED
        if obj.agency_id == agency_id_of(user):
            return allow(Basis.OWNER_AGENCY)
        return seen if action == "view" else DENIED


class AssignmentPolicy(Policy[AgencyAssignment]):
    """An agency's assignment to an inspection. view: where the inspection is. respond
    (accept or decline): the assigned agency, with the capability to answer."""

    model = AgencyAssignment
    actions = ("view", "respond")

    def scope(
        self,
        user: "AnyUser",
        action: str = "view",
        queryset: QuerySet[AgencyAssignment] | None = None,
    ) -> QuerySet[AgencyAssignment]:
        self._check(action)
        queryset = AgencyAssignment.objects.all() if queryset is None else queryset
        visible = queryset.filter(inspection__in=InspectionPolicy().scope(user, "view"))
        if action == "view":
            return visible
        agency_id = agency_id_of(user)
        if agency_id is None or not user.has_perm("inspections.respond_to_assignments"):
            return queryset.none()
        return visible.filter(agency_id=agency_id)

    def decide(self, user: "AnyUser", action: str, obj: AgencyAssignment) -> Access:
        self._check(action)
        seen = InspectionPolicy().decide(user, "view", obj.inspection)
        if not seen or action == "view":
            return seen
        if obj.agency_id == agency_id_of(user) and user.has_perm(
            "inspections.respond_to_assignments"
        ):
            return allow(Basis.ASSIGNMENT, via=f"assignment:{obj.pk}")
        return DENIED


register(AssignmentPolicy)


def maintains_risk_assessment(user: "AnyUser") -> bool:
    """The joint risk assessment is the network's: coordinators of the coordinating agency
    and of the regional centres keep it (both flags are data on the membership/agency)."""
    from network.policies import membership_of

    membership = membership_of(user)
    return bool(
        membership is not None
        and user.has_perm("inspections.change_industryrisk")
        and (membership.agency.is_coordinator or membership.centre_id is not None)
    )
