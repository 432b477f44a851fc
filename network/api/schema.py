"""OpenAPI pieces shared by the apps' APIs (drf-spectacular)."""

import re
from typing import Any

from drf_spectacular.types import OpenApiTypes
from rest_framework.request import Request

from network import files

# An attachment is served with the content type it was checked against on upload.
ATTACHMENT_DOWNLOAD = {
    (200, content_type): OpenApiTypes.BINARY
    for content_type in sorted({kind for kind, _magic in files.ATTACHMENT_TYPES.values()})
}

# The API's 400 (docs/architecture.md "HTTP API"): {"field": ["message"]} (nested serializers nest the same shape).
FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": {},
    "description": 'Bad input: {"field": ["message"]}',
}

# --- the 4xx answers every operation can give, declared once (postprocessing hook) --------

_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_STALE = {
    "type": "object",
    "properties": {
        "version": {"type": "array", "items": {"type": "string"}},
        "current": {"type": "integer", "nullable": True},
    },
    "required": ["version"],
}
_ERRORS = {
    "NotReady": {
        "type": "object",
        "properties": {"status": {"type": "string"}, "detail": {"type": "string"}},
    },
    "FieldErrors": FIELD_ERRORS,
    "ErrorDetail": _DETAIL,
    "StaleVersion": _STALE,
}
_METHODS = {"get", "put", "patch", "post", "delete"}
_READS_404 = {"cursor", "format"}


def _response(component: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def _carries_version(operation: dict[str, Any], schemas: dict[str, Any]) -> bool:
    """True when the request body has a `version` (optimistic locking: a stale one is 409)."""
    for media in operation.get("requestBody", {}).get("content", {}).values():
        ref = media.get("schema", {}).get("$ref", "")
        schema = schemas.get(ref.rsplit("/", 1)[-1], media.get("schema", {}))
        if "version" in schema.get("properties", {}):
            return True
    return False


def declare_error_responses(
    result: dict[str, Any], generator: Any, request: Request | None, public: bool
) -> dict[str, Any]:
    """Declare the 4xx answers as they really occur (the API's error contract,
    docs/security.md V13; the API fuzz checks every answer's status against them,
    tests/fuzz/):

    - 400 `{"field": [...]}` where the caller sends a body or query parameters (a NUL in any
      query parameter is refused by network.querystring), and on every write (a state
      machine refuses an illegal step);
    - 401 and 403 on every operation that needs a signed-in caller (403: a forbidden action,
      a missing capability, or a session without its second factor);
    - 404 wherever a signed-in caller asks (out of scope or missing, an invalid cursor, an
      unknown `?format=`), and where a public path names an object;
    - 409 where the body carries the `version` it read, or a report is not built yet;
    - 429 where a rate limit applies (network/ratelimit.py).
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for schema in schemas.values():
        _admit_blank_defaults(schema)
    for name, schema in _ERRORS.items():
        schemas.setdefault(name, schema)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            signed_in = bool(operation.get("security"))
            reads_input = operation.get("requestBody") or any(
                p.get("in") == "query" for p in parameters
            )
            if reads_input or method != "get":
                responses.setdefault("400", _response("FieldErrors", "Bad input"))
            if signed_in:
                responses.setdefault("401", _response("ErrorDetail", "Not signed in"))
                responses.setdefault("403", _response("ErrorDetail", "Forbidden"))
                # Out of scope is 404 everywhere, also for a whole resource (reports).
                responses.setdefault("404", _response("ErrorDetail", "Not found or not visible"))
            elif any(p.get("in") == "path" or p.get("name") in _READS_404 for p in parameters):
                responses.setdefault("404", _response("ErrorDetail", "Not found or not visible"))
            if path in NOT_READY_PATHS:
                responses.setdefault("409", _response("NotReady", "Not built yet"))
            if _carries_version(operation, schemas):
                responses.setdefault("409", _response("StaleVersion", "Changed meanwhile"))
            if path in RATE_LIMITED_PATHS:
                responses.setdefault("429", _response("ErrorDetail", "Too many requests"))
    return result


RATE_LIMITED_PATHS = {"/api/v1/auth/token/"}
NOT_READY_PATHS = {"/api/v1/reports/{id}/download/", "/api/v1/reports/{id}/figures/"}


def _admit_blank_defaults(node: object) -> None:
    """A serializer's field with `allow_blank=True, default=""` accepts "" without applying
    its regex or minimum length, but drf-spectacular publishes those beside the default "",
    which they refuse (openapi-spec-validator rejects that document). The default goes."""
    if isinstance(node, list):
        for item in node:
            _admit_blank_defaults(item)
        return
    if not isinstance(node, dict):
        return
    pattern = node.get("pattern")
    refused = (isinstance(pattern, str) and not re.search(pattern, "")) or (
        node.get("minLength", 0) > 0
    )
    if node.get("default") == "" and refused:
        # The "" is its own alternative beside the pattern (spectacular's BlankEnum in a
        # oneOf), so the default belongs to neither branch: drop it from this one.
        del node["default"]
    for value in node.values():
        _admit_blank_defaults(value)
