"""The API base every protected endpoint builds on.

`ScopedViewSetMixin.get_queryset()` starts at `Model.objects.visible_to(user)`, so an object
outside the user's scope is simply not found (404) for every action, list included. Role
capabilities are checked per action by `HasCapability` (403). Finer rules on one visible
object go in `check_object_action()` (403).
"""

from typing import TYPE_CHECKING, Any, cast

from django.db import models
from django.db.models import Prefetch
from rest_framework import mixins, permissions, viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

if TYPE_CHECKING:
    from rest_framework.viewsets import GenericViewSet

    _ViewSet = GenericViewSet[Any]
    _APIView = APIView
else:
    _ViewSet = object
    _APIView = object


class HasCapability(permissions.BasePermission):
    """The view's `capabilities[action]` names the model permission the action needs.

    On actions about one object the check waits until the object has been found in the
    user's scope, so an object outside it answers 404 whatever the action; inside it, a
    missing capability answers 403."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if getattr(view, "detail", False):
            return request.user.is_authenticated
        return self._capable(request, view)

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        if not self._capable(request, view):
            return False
        check = getattr(view, "check_object_action", None)
        return check(request.user, obj) if check else True

    @staticmethod
    def _capable(request: Request, view: APIView) -> bool:
        # Used on viewsets only (the action names the capability).
        action = cast("GenericViewSet[Any]", view).action
        needed = getattr(view, "capabilities", {}).get(action)
        return needed is None or request.user.has_perm(needed)


class ScopedViewSetMixin(_ViewSet):
    """Mix into a GenericViewSet. Set `scoped_model`, `capabilities` and optionally
    `select_related`/`prefetch_related` to keep list query counts constant."""

    # A model whose manager has `visible_to` (network/querysets.py); managers are built at
    # runtime, so the type checker cannot name that manager here.
    scoped_model: Any = None
    capabilities: dict[str, str] = {}
    select_related: tuple[str, ...] = ()
    prefetch_related: "tuple[str | Prefetch[Any, Any, Any], ...]" = ()
    permission_classes = [permissions.IsAuthenticated, HasCapability]

    def get_queryset(self) -> models.QuerySet[Any]:
        queryset: models.QuerySet[Any] = self.scoped_model.objects.visible_to(self.request.user)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset


class ScopedListCreateViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Any],
):
    """The head of a viewset over records that are listed, read and created in the caller's
    scope (cases, referrals, inspections, operations, report builds); changes are the
    viewset's own actions, each through a service."""


class JsonErrorsMixin(_APIView):
    """Errors are JSON whatever format was asked for: a download endpoint that negotiates
    CSV, XLSX or HTML would otherwise render its 400/404/409 body in that format, which no
    client can read as the documented `{"field": ["message"]}` (tests/fuzz/)."""

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and response.status_code >= 400:
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = "application/json"
        return response
