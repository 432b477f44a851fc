"""The OpenAPI document and its Swagger UI: for signed-in users in production.

The schema maps every operation and parameter, which helps an attacker more than a user,
so with DEBUG off (`AKRIM_PUBLIC_API_SCHEMA` false) both need a login (token or session).
Only a development run keeps them public, for the fuzzing in tests/fuzz that loads the
schema as an anonymous client. Errors from these views are JSON, whatever the client
asked for (drf-spectacular would otherwise answer a 406 in YAML). docs/security.md.
"""

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from network.api.base import JsonErrorsMixin


class SchemaAccess(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        if settings.AKRIM_PUBLIC_API_SCHEMA:
            return True
        return bool(request.user and request.user.is_authenticated)


class SchemaView(JsonErrorsMixin, SpectacularAPIView):
    permission_classes = [SchemaAccess]


class DocsView(JsonErrorsMixin, SpectacularSwaggerSplitView):
    permission_classes = [SchemaAccess]


class TokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]  # its hook
    """The token header in the schema, as DRF's TokenAuthentication described it, so clients
    see the same security scheme as before the move to knox."""

    target_class = "network.tokens.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with required prefix "Token"',
        }
