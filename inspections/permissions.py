"""Capabilities for joint controls. Who may act on one inspection, operation or finding is
the policy's answer (inspections/policies.py)."""

from network.models import Role
from network.permissions import grant

READ = (
    "inspections.work_on_inspections",
    "inspections.work_on_control_operations",
    "inspections.work_on_findings",
    "inspections.work_on_decisions",
    "inspections.work_on_follow_ups",
)
FIELD_WORK = (
    "inspections.perform_inspections",
    "inspections.respond_to_assignments",
    "inspections.add_finding",
    "inspections.add_decision",
    "inspections.edit_decisions",
    "inspections.add_personcount",
    "inspections.add_followup",
    "inspections.edit_follow_ups",
    "inspections.add_findingdisclosure",
)
grant(Role.STAFF, *READ, *FIELD_WORK)
grant(
    Role.COORDINATOR,
    *READ,
    *FIELD_WORK,
    "inspections.coordinate_inspection",
    "inspections.add_inspection",
    "inspections.edit_inspections",
    "inspections.add_controloperation",
    "inspections.edit_control_operations",
    "inspections.add_agencyassignment",
    "inspections.view_industryrisk",
    "inspections.change_industryrisk",
    "inspections.add_industryrisk",
)
grant(Role.ANALYST, "inspections.view_industryrisk")
