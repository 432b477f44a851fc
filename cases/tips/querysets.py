"""Reads of cases. Every one starts at `Case.objects.visible_to(user)`."""

from typing import TYPE_CHECKING, Self

from network.querysets import ScopedQuerySet

if TYPE_CHECKING:
    from network.http import AnyUser


def is_tip_coordinator(user) -> bool:
    """Coordinators of the coordinating agency (Arbetsmiljöverket) and of the regional
    centres triage the public's tips."""
    membership = getattr(user, "active_membership", None) if user.is_authenticated else None
    return bool(
        membership is not None
        and user.has_perm("cases.triage_tip")
        and (membership.agency.is_coordinator or membership.centre_id is not None)
    )


class TipQuerySet(ScopedQuerySet):
    def visible_to(self, user: "AnyUser") -> Self:
        """All tips for those who triage them; a forwarded tip for its agency; else none."""
        if is_tip_coordinator(user):
            return self.all()
        agency_id = self.agency_id_of(user)
        if agency_id is None or not user.has_perm("cases.view_tip"):
            return self.none()
        return self.filter(forwarded_to_id=agency_id)
