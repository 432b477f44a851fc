"""Reads of inspections and their results. Every one starts at `visible_to(user)`, which is
the model's policy `scope(user, "view")` (inspections/policies.py, docs/access.md)."""

from typing import TYPE_CHECKING, Self

from django.db.models import Q

from network.querysets import ScopedQuerySet

if TYPE_CHECKING:
    from network.http import AnyUser


def _agency_id(user):
    return ScopedQuerySet.agency_id_of(user)


class InspectionQuerySet(ScopedQuerySet):
    def performed_in(self, year: int):
        return self.filter(performed_on__year=year)


class OperationQuerySet(ScopedQuerySet):
    pass


class FindingQuerySet(ScopedQuerySet):
    @staticmethod
    def readable_by(agency_id: int) -> Q:
        """The finding's own rule within a visible inspection (inspections/policies.py),
        for readers that already hold the visible inspections (the risk ranking)."""
        from inspections.policies import FindingPolicy

        return FindingPolicy.readable_by(agency_id)


class DecisionQuerySet(ScopedQuerySet):
    pass


class FollowUpQuerySet(ScopedQuerySet):
    pass


class RankingFactQuerySet(ScopedQuerySet):
    def visible_to(self, user: "AnyUser") -> Self:
        """The facts of the inspections `InspectionPolicy.scope(user, "view")` gives the user,
        by the same rule in its own SQL: the agency's own rows where it is assigned, or
        coordinates and the user may coordinate. Network rows (no agency) are never visible;
        the ranking reads only their count. tests/inspections/test_ranking_facts.py checks
        the two rules agree."""
        agency_id = _agency_id(user)
        if agency_id is None:
            return self.none()
        own = self.filter(agency_id=agency_id)
        if user.has_perm("inspections.coordinate_inspection"):
            return own.filter(Q(assigned=True) | Q(coordinating=True))
        return own.filter(assigned=True)


class ImportJobQuerySet(ScopedQuerySet):
    def visible_to(self, user: "AnyUser") -> Self:
        """A spreadsheet import is its requester's own: the rows, errors and preview it holds
        are a plan of unannounced controls, shown to nobody else (404)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(requested_by=user)
