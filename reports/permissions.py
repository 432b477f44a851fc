"""Capabilities for the annual report."""

from network.models import Role
from network.permissions import grant

grant(
    Role.ANALYST,
    "reports.work_on_report_builds",
    "reports.add_reportbuild",
    "reports.build_network_report",
    "reports.work_on_annual_reports",
    "reports.edit_annual_reports",
)
grant(
    Role.COORDINATOR,
    "reports.work_on_report_builds",
    "reports.build_network_report",
    "reports.work_on_annual_reports",
    "reports.edit_annual_reports",
)
