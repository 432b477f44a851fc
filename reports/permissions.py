"""Capabilities for the annual report."""

from network.models import Role
from network.permissions import grant

grant(
    Role.ANALYST,
    "reports.view_reportbuild",
    "reports.add_reportbuild",
    "reports.build_network_report",
    "reports.view_annualreport",
    "reports.change_annualreport",
)
grant(
    Role.COORDINATOR,
    "reports.view_reportbuild",
    "reports.build_network_report",
    "reports.view_annualreport",
    "reports.change_annualreport",
)
