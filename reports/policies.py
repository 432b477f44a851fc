"""Who may see and request which report builds, and edit the annual report
(docs/access.md, "Reports").

Network-wide builds and the annual report: analysts and coordinators of the coordinating
agency (`Agency.is_coordinator`, data). An agency's own builds: that agency's analysts.
Everyone else: nothing (404). Both rules are capabilities of the roles plus the user's agency.
"""

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from network.policies import DENIED, Access, Basis, Policy, allow, membership_of, register
from reports.models import NETWORK, AnnualReport, ReportBuild

if TYPE_CHECKING:
    from network.http import AnyUser


def report_scopes(user: "AnyUser") -> list[str]:
    """The build scopes ("network" or an agency code) the user may see and request."""
    membership = membership_of(user)
    if membership is None:
        return []
    scopes = []
    if membership.agency.is_coordinator and user.has_perm("reports.build_network_report"):
        scopes.append(NETWORK)
    if user.has_perm("reports.add_reportbuild"):
        scopes.append(membership.agency.code)
    return scopes


def _basis(scope: str) -> str:
    return Basis.COORDINATION if scope == NETWORK else Basis.OWNER_AGENCY


@register
class ReportBuildPolicy(Policy[ReportBuild]):
    """view (and download): builds of a scope the user may request."""

    model = ReportBuild
    actions = ("view",)

    def scope(
        self, user: "AnyUser", action: str = "view", queryset: QuerySet[ReportBuild] | None = None
    ) -> QuerySet[ReportBuild]:
        self._check(action)
        queryset = ReportBuild.objects.all() if queryset is None else queryset
        scopes = report_scopes(user)
        return queryset.filter(scope__in=scopes) if scopes else queryset.none()

    def decide(self, user: "AnyUser", action: str, obj: ReportBuild) -> Access:
        self._check(action)
        return allow(_basis(obj.scope)) if obj.scope in report_scopes(user) else DENIED


@register
class AnnualReportPolicy(Policy[AnnualReport]):
    """view and change (texts, state): those who build the network's figures."""

    model = AnnualReport
    actions = ("view", "change")

    def scope(
        self, user: "AnyUser", action: str = "view", queryset: QuerySet[AnnualReport] | None = None
    ) -> QuerySet[AnnualReport]:
        self._check(action)
        queryset = AnnualReport.objects.all() if queryset is None else queryset
        if NETWORK not in report_scopes(user):
            return queryset.none()
        if action == "change" and not user.has_perm("reports.edit_annual_reports"):
            return queryset.none()
        return queryset

    def decide(self, user: "AnyUser", action: str, obj: AnnualReport) -> Access:
        self._check(action)
        if NETWORK not in report_scopes(user):
            return DENIED
        if action == "change" and not user.has_perm("reports.edit_annual_reports"):
            return DENIED
        return allow(Basis.COORDINATION)
