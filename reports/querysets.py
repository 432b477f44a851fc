"""Reads of report builds and annual reports: `visible_to(user)` is the policy's
`scope(user, "view")` (reports/policies.py)."""

from network.querysets import ScopedQuerySet


def report_scopes(user) -> list[str]:
    """The build scopes the user may see and request (reports/policies.py)."""
    from reports.policies import report_scopes as scopes

    return scopes(user)


class ReportBuildQuerySet(ScopedQuerySet):
    pass


class AnnualReportQuerySet(ScopedQuerySet):
    pass
