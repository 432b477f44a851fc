"""Reads of cases. Every one starts at `Case.objects.visible_to(user)`, which is the case
policy (cases/coordination/policies.py)."""

from django.apps import apps
from django.db.models import Exists, OuterRef

from cases.grants import active_grants
from network.querysets import ScopedQuerySet


class CaseQuerySet(ScopedQuerySet):
    """`visible_to(user)` is the case policy's `scope(user, "view")`
    (cases/coordination/policies.py)."""

    def shared_with(self, agency):
        group_grant = apps.get_model("cases", "CaseGroupObjectPermission")
        # The owning agency's own rows are no share (cases/grants.py): asked by their flag
        # too, so the share index (partial on shares) reads the agency's shares alone, not a
        # row per case it owns (docs/performance.md, "First pages").
        return self.exclude(owner_agency_id=agency.pk).filter(
            Exists(
                active_grants(group_grant).filter(
                    content_object=OuterRef("pk"), group_id=agency.group_id, owner=False
                )
            )
        )


class AccessReviewQuerySet(ScopedQuerySet):
    """`visible_to(user)` is the access review policy's `scope(user, "view")`
    (cases/coordination/policies.py, `AccessReviewPolicy`)."""


def shares_of(case, viewer=None):
    """The agency shares of a case, one row each (the view row), with `can_edit` telling
    whether the same agency also holds the change permission. A viewer outside the owner
    agency sees only their own agency's share: who else holds the case, and why, is the
    owner's business."""
    group_grant = apps.get_model("cases", "CaseGroupObjectPermission")
    edit = group_grant.objects.filter(
        content_object=case, group_id=OuterRef("group_id"), permission__codename="change_case"
    )
    rows = (
        group_grant.objects.filter(
            content_object=case, permission__codename="view_case", owner=False
        )
        .annotate(can_edit=Exists(edit))
        .select_related("group__agency", "granted_by")
        .order_by("-granted_at", "-id")
    )
    if viewer is not None:
        membership = viewer.active_membership
        if membership is None:
            return rows.none()
        if membership.agency_id != case.owner_agency_id:
            rows = rows.filter(group_id=membership.agency.group_id)
    return rows


def personal_grants_of(case):
    """Personal grants on a case (view rows), with `can_edit` for an edit grant."""
    user_grant = apps.get_model("cases", "CaseUserObjectPermission")
    edit = user_grant.objects.filter(
        content_object=case, user_id=OuterRef("user_id"), permission__codename="change_case"
    )
    return (
        user_grant.objects.filter(content_object=case, permission__codename="view_case")
        .annotate(can_edit=Exists(edit))
        .select_related("user", "granted_by")
        .order_by("-granted_at", "-id")
    )
