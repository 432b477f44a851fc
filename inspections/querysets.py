"""Reads of inspections and their results. Every one starts at `visible_to(user)`.

An unannounced control must not leak: an inspection is visible only to the coordinating
agency's coordinators and to agencies assigned to it (and not having declined), whatever
its status. Findings and decisions are visible where their inspection is, except a secret
finding, which only its own agency (and agencies it was disclosed to) sees.
"""

from django.apps import apps
from django.db.models import Exists, OuterRef, Q

from network.querysets import ScopedQuerySet


def _model(name):
    return apps.get_model("inspections", name)


def _agency_id(user):
    return ScopedQuerySet.agency_id_of(user)


class InspectionQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Scope only; what the user may *do* is their roles' capabilities (checked by the
        API and views). Coordinating is both: it widens the scope to the agency's plans."""
        agency_id = _agency_id(user)
        if agency_id is None:
            return self.none()
        assigned = Exists(
            _model("AgencyAssignment")
            .objects.filter(inspection=OuterRef("pk"), agency_id=agency_id)
            .exclude(status="declined")
        )
        if user.has_perm("inspections.coordinate_inspection"):
            return self.filter(Q(coordinating_agency_id=agency_id) | assigned)
        return self.filter(assigned)

    def performed_in(self, year: int):
        return self.filter(performed_on__year=year)


class OperationQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Operations the user's agency coordinates (coordinators) or has an inspection in."""
        agency_id = _agency_id(user)
        if agency_id is None:
            return self.none()
        visible = _model("Inspection").objects.visible_to(user).filter(operation=OuterRef("pk"))
        if user.has_perm("inspections.coordinate_inspection"):
            return self.filter(Q(coordinating_agency_id=agency_id) | Exists(visible))
        return self.filter(Exists(visible))


class FindingQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        agency_id = _agency_id(user)
        if agency_id is None:
            return self.none()
        inspections = _model("Inspection").objects.visible_to(user).values("pk")
        return self.filter(inspection__in=inspections).filter(self.readable_by(agency_id))

    @staticmethod
    def readable_by(agency_id: int) -> Q:
        """The finding's own rule, within a visible inspection: open findings, the agency's
        own, and secret ones disclosed to it. Shared with readers that already hold the
        visible inspections (the risk ranking), so the rule lives in one place."""
        disclosed = Exists(
            _model("FindingDisclosure").objects.filter(finding=OuterRef("pk"), agency_id=agency_id)
        )
        return Q(secret=False) | Q(agency_id=agency_id) | disclosed


class DecisionQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        if _agency_id(user) is None:
            return self.none()
        return self.filter(finding__in=_model("Finding").objects.visible_to(user).values("pk"))


class FollowUpQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Follow-ups of visible inspections; one tied to a finding follows that finding."""
        if _agency_id(user) is None:
            return self.none()
        inspections = _model("Inspection").objects.visible_to(user).values("pk")
        findings = _model("Finding").objects.visible_to(user).values("pk")
        return self.filter(inspection__in=inspections).filter(
            Q(finding__isnull=True) | Q(finding__in=findings)
        )


class RankingFactQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """The facts of the inspections `InspectionQuerySet.visible_to` gives the user, by the
        same rule: the agency's own rows where it is assigned, or coordinates and the user may
        coordinate. Network rows (no agency) are never visible; the ranking reads only their
        count. tests/inspections/test_ranking_facts.py checks the two rules agree."""
        agency_id = _agency_id(user)
        if agency_id is None:
            return self.none()
        own = self.filter(agency_id=agency_id)
        if user.has_perm("inspections.coordinate_inspection"):
            return own.filter(Q(assigned=True) | Q(coordinating=True))
        return own.filter(assigned=True)


class ImportJobQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """A spreadsheet import is its requester's own: the rows, errors and preview it holds
        are a plan of unannounced controls, shown to nobody else (404)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(requested_by=user)
