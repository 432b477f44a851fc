"""Serializer fields shared by the apps' APIs."""

from typing import Any

from django.db.models import Model
from django.utils.encoding import smart_str
from rest_framework import serializers


class SlugRelatedField[M: Model](serializers.SlugRelatedField[M]):
    """DRF's, but a value with a NUL character is refused as unknown before it reaches the
    database: PostgreSQL cannot compare text with NUL in it and would answer a 500."""

    def to_internal_value(self, data: Any) -> M:
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=smart_str(data))
        return super().to_internal_value(data)


def related_field(serializer: "serializers.Serializer[Any]", name: str) -> Any:
    """The serializer's field `name`, a related field, for narrowing its queryset at run time.
    Any: drf-stubs type `RelatedField.queryset` so that mypy cannot check the assignment
    (docs/architecture.md, "Static checks")."""
    return serializer.fields[name]
