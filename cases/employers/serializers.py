"""Serializers validate input and shape output; services do the work."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.employers.models import Employer
from network.identifiers import parse_orgnr


class EmployerSerializer(serializers.ModelSerializer):
    orgnr = serializers.CharField(
        max_length=13,
        help_text=_("10 digits, with or without a dash; or a sole trader's personnummer"),
    )

    class Meta:
        model = Employer
        fields = [
            "id",
            "orgnr",
            "name",
            "legal_form",
            "is_sole_trader",
            "sni_codes",
            "street_address",
            "postal_code",
            "city",
            "phone",
        ]
        read_only_fields = ["legal_form", "is_sole_trader"]
        extra_kwargs = {"name": {"max_length": 200}}


@extend_schema_field(
    {"type": "string", "nullable": True, "example": "556036-0793", "description": "orgnr"}
)
class OrgnrField(serializers.Field):
    """An employer given by its organisation number (any accepted spelling), or null."""

    default_error_messages = {
        "unknown": _("No employer with this organisation number is registered."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value.orgnr if value else None

    def to_internal_value(self, data):
        try:
            digits = parse_orgnr(str(data)).digits
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        employer = Employer.objects.filter(orgnr=digits).first()
        if employer is None:
            self.fail("unknown")
        return employer
