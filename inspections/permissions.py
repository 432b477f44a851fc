"""Capabilities for joint controls, and who may act on one inspection."""

from network.models import Role
from network.permissions import grant

READ = (
    "inspections.view_inspection",
    "inspections.view_controloperation",
    "inspections.view_finding",
    "inspections.view_decision",
    "inspections.view_followup",
)
FIELD_WORK = (
    "inspections.perform_inspection",
    "inspections.respond_agencyassignment",
    "inspections.add_finding",
    "inspections.add_decision",
    "inspections.change_decision",
    "inspections.add_personcount",
    "inspections.add_followup",
    "inspections.change_followup",
    "inspections.add_findingdisclosure",
)
grant(Role.STAFF, *READ, *FIELD_WORK)
grant(
    Role.COORDINATOR,
    *READ,
    *FIELD_WORK,
    "inspections.coordinate_inspection",
    "inspections.add_inspection",
    "inspections.change_inspection",
    "inspections.add_controloperation",
    "inspections.change_controloperation",
    "inspections.add_agencyassignment",
    "inspections.view_industryrisk",
    "inspections.change_industryrisk",
    "inspections.add_industryrisk",
)
grant(Role.ANALYST, "inspections.view_industryrisk")


def is_coordinator_of(user, inspection) -> bool:
    """A coordinator of the agency coordinating this inspection."""
    membership = user.active_membership
    return (
        membership is not None
        and membership.agency_id == inspection.coordinating_agency_id
        and user.has_perm("inspections.coordinate_inspection")
    )


def assignment_of(user, inspection):
    """The user's agency's (not declined) assignment to the inspection, or None."""
    membership = user.active_membership
    if membership is None:
        return None
    return (
        inspection.assignments.filter(agency_id=membership.agency_id)
        .exclude(status="declined")
        .first()
    )


def may_record_visit(user, inspection, assignment=None) -> bool:
    """Who may record the visit (performed / not performed): the coordinator, or staff of an
    agency that accepted to be on site. `assignment` may be passed when already loaded."""
    if is_coordinator_of(user, inspection):
        return True
    if assignment is None:
        assignment = assignment_of(user, inspection)
    return (
        assignment is not None
        and assignment.mode == "on_site"
        and assignment.status == "accepted"
        and user.has_perm("inspections.perform_inspection")
    )


def takes_part(user, inspection) -> bool:
    """The user's agency accepted to take part (any mode): it may record results."""
    assignment = assignment_of(user, inspection)
    return assignment is not None and assignment.status == "accepted"


def is_coordinator_of_operation(user, operation) -> bool:
    """A coordinator of the agency coordinating this control operation."""
    membership = user.active_membership
    return (
        membership is not None
        and membership.agency_id == operation.coordinating_agency_id
        and user.has_perm("inspections.change_controloperation")
    )


def maintains_risk_assessment(user) -> bool:
    """The joint risk assessment is the network's: coordinators of the coordinating agency
    (Arbetsmiljöverket) and of the regional centres keep it."""
    membership = user.active_membership
    return bool(
        membership is not None
        and user.has_perm("inspections.change_industryrisk")
        and (membership.agency.is_coordinator or membership.centre_id is not None)
    )
