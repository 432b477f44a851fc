"""The API base every protected endpoint builds on.

`ScopedViewSetMixin.get_queryset()` starts at `Model.objects.visible_to(user)`, so an object
outside the user's scope is simply not found (404) for every action, list included. Role
capabilities are checked per action by `HasCapability` (403). Finer rules on one visible
object go in `check_object_action()` (403).
"""

from rest_framework import permissions


class HasCapability(permissions.BasePermission):
    """The view's `capabilities[action]` names the model permission the action needs."""

    def has_permission(self, request, view):
        needed = getattr(view, "capabilities", {}).get(view.action)
        if needed is None:
            return True
        return request.user.has_perm(needed)

    def has_object_permission(self, request, view, obj):
        check = getattr(view, "check_object_action", None)
        return check(request.user, obj) if check else True


class ScopedViewSetMixin:
    """Mix into a GenericViewSet. Set `scoped_model`, `capabilities` and optionally
    `select_related`/`prefetch_related` to keep list query counts constant."""

    scoped_model = None
    capabilities: dict[str, str] = {}
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    permission_classes = [permissions.IsAuthenticated, HasCapability]

    def get_queryset(self):
        queryset = self.scoped_model.objects.visible_to(self.request.user)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset
