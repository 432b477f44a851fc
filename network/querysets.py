"""Reads of protected data. Every one starts at `visible_to(user)`.

A model is *protected* when its default manager is built from a `ScopedQuerySet`. Subclasses
implement `visible_to(user)` from data (the user's agency, roles, assignments) plus direct
foreign-key guardian grants folded in as `EXISTS`, never a many-to-many join inside an OR.
The permission-matrix meta-test (tests/test_matrix_coverage.py) finds every protected model
through `protected_models()` and fails when one has no matrix.
"""

from typing import TYPE_CHECKING, Self, cast

from django.apps import apps
from django.db import models

if TYPE_CHECKING:
    from network.http import AnyUser
    from network.models import AuditEvent, Membership  # noqa: F401 (string type arguments)


class ScopedQuerySet[M: models.Model](models.QuerySet[M]):
    """Base for querysets of protected models: one method answers "what may this user see".

    For a model with a policy (network/policies.py) `visible_to(user)` is the policy's
    `scope(user, "view")`, applied to this queryset; models without one define it here."""

    def visible_to(self, user: "AnyUser") -> Self:
        from network.policies import policy_for

        policy = policy_for(self.model)
        if policy is None:
            raise NotImplementedError(f"{type(self).__name__} must define visible_to(user)")
        # The policy narrows this queryset with filter()/exclude(), which keep its class.
        return cast(Self, policy.scope(user, "view", queryset=self))

    @staticmethod
    def agency_id_of(user: "AnyUser") -> int | None:
        """The id of the agency of the user's active membership, or None."""
        if not user.is_authenticated:
            return None
        membership = user.active_membership
        return membership.agency_id if membership else None


def protected_models() -> list[type[models.Model]]:
    """Every installed model whose default manager is scoped by `visible_to`."""
    return [
        model
        for model in apps.get_models()
        if isinstance(model._default_manager.get_queryset(), ScopedQuerySet)
    ]


class MembershipQuerySet(ScopedQuerySet["Membership"]):
    def visible_to(self, user: "AnyUser") -> Self:
        """Memberships a user may manage: agency administrators see their own agency's;
        the system administrator (superuser) sees all."""
        if getattr(user, "is_superuser", False):
            return self.all()
        agency_id = self.agency_id_of(user)
        if agency_id is None or not user.has_perm("network.change_membership"):
            return self.none()
        return self.filter(agency_id=agency_id)


class AuditEventQuerySet(ScopedQuerySet["AuditEvent"]):
    def visible_to(self, user: "AnyUser") -> Self:
        """Auditors see the events of their own agency's users; nobody else sees any."""
        agency_id = self.agency_id_of(user)
        if agency_id is None or not user.has_perm("network.view_auditevent"):
            return self.none()
        return self.filter(agency_id=agency_id)
