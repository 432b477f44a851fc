"""OpenAPI pieces shared by the apps' APIs (drf-spectacular)."""

from drf_spectacular.types import OpenApiTypes

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
