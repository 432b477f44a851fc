"""The API base every protected endpoint builds on.

`ScopedViewSetMixin.get_queryset()` starts at `Model.objects.visible_to(user)`, so an object
outside the user's scope is simply not found (404) for every action, list included. Role
capabilities are checked per action by `HasCapability` (403). Finer rules on one visible
object go in `check_object_action()` (403).
"""

from rest_framework import permissions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response


class HasCapability(permissions.BasePermission):
    """The view's `capabilities[action]` names the model permission the action needs.

    On actions about one object the check waits until the object has been found in the
    user's scope, so an object outside it answers 404 whatever the action; inside it, a
    missing capability answers 403."""

    def has_permission(self, request, view):
        if getattr(view, "detail", False):
            return request.user.is_authenticated
        return self._capable(request, view)

    def has_object_permission(self, request, view, obj):
        if not self._capable(request, view):
            return False
        check = getattr(view, "check_object_action", None)
        return check(request.user, obj) if check else True

    @staticmethod
    def _capable(request, view) -> bool:
        needed = getattr(view, "capabilities", {}).get(view.action)
        return needed is None or request.user.has_perm(needed)


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


class JsonErrorsMixin:
    """Errors are JSON whatever format was asked for: a download endpoint that negotiates
    CSV, XLSX or HTML would otherwise render its 400/404/409 body in that format, which no
    client can read as the documented `{"field": ["message"]}` (tests/fuzz/)."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and response.status_code >= 400:
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = "application/json"
        return response
