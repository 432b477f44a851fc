"""Who may see which report builds (docs/reports.md).

Network-wide builds: analysts and coordinators of the coordinating agency
(Arbetsmiljöverket). An agency's own builds: that agency's analysts. Everyone else: nothing
(404). Both rules are capabilities of the roles plus the user's agency."""

from network.querysets import ScopedQuerySet


def report_scopes(user) -> list[str]:
    """The build scopes ("network" or an agency code) the user may see and request."""
    membership = getattr(user, "active_membership", None) if user.is_authenticated else None
    if membership is None:
        return []
    scopes = []
    if membership.agency.is_coordinator and user.has_perm("reports.build_network_report"):
        scopes.append("network")
    if user.has_perm("reports.add_reportbuild"):
        scopes.append(membership.agency.code)
    return scopes


class ReportBuildQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        scopes = report_scopes(user)
        return self.filter(scope__in=scopes) if scopes else self.none()


class AnnualReportQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """The network's report is read and edited by those who build the network's figures."""
        return self.all() if "network" in report_scopes(user) else self.none()
