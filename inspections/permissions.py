"""Capabilities for joint controls. Who may act on one inspection, operation or finding is
the policy's answer (inspections/policies.py)."""

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
