"""The OpenAPI document and its Swagger UI: for signed-in users in production.

The schema maps every operation and parameter, which helps an attacker more than a user,
so with DEBUG off (`AKRIM_PUBLIC_API_SCHEMA` false) both need a login (token or session).
Only a development run keeps them public, for the fuzzing in tests/fuzz that loads the
schema as an anonymous client. Errors from these views are JSON, whatever the client
asked for (drf-spectacular would otherwise answer a 406 in YAML). docs/security.md.
"""

from django.conf import settings
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response


class SchemaAccess(BasePermission):
    def has_permission(self, request, view):
        if settings.AKRIM_PUBLIC_API_SCHEMA:
            return True
        return bool(request.user and request.user.is_authenticated)


class _JsonErrors:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and response.status_code >= 400:
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = "application/json"
        return response


class SchemaView(_JsonErrors, SpectacularAPIView):
    permission_classes = [SchemaAccess]


class DocsView(_JsonErrors, SpectacularSwaggerSplitView):
    permission_classes = [SchemaAccess]
