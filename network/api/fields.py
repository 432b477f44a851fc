"""Serializer fields shared by the apps' APIs."""

from django.utils.encoding import smart_str
from rest_framework import serializers


class SlugRelatedField(serializers.SlugRelatedField):
    """DRF's, but a value with a NUL character is refused as unknown before it reaches the
    database: PostgreSQL cannot compare text with NUL in it and would answer a 500."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=smart_str(data))
        return super().to_internal_value(data)
