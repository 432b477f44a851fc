from typing import Any

from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from network.models import Agency, AuditEvent


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(label=_("username"), max_length=150)
    password = serializers.CharField(
        label=_("password"),
        max_length=4096,
        style={"input_type": "password"},
        trim_whitespace=False,
    )
    otp = serializers.CharField(
        label=_("two-factor code"),
        max_length=32,
        required=False,
        allow_blank=True,
        help_text=_(
            "The six-digit code from the authenticator app (or a recovery code); required "
            "for users who must use two-factor login."
        ),
    )


class TokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(read_only=True)


class TooManyRequestsSerializer(serializers.Serializer[Any]):
    """429: rate-limited or locked out; the `Retry-After` header says for how long."""

    detail = serializers.CharField(read_only=True)


class MeSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(read_only=True)
    agency = serializers.CharField(read_only=True, allow_null=True)
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)
    centre = serializers.CharField(read_only=True, allow_null=True)


class AgencySerializer(serializers.ModelSerializer[Agency]):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Agency
        fields = ["code", "name", "name_sv", "name_en", "is_coordinator", "is_network_member"]


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    actor = serializers.CharField(source="actor_username", read_only=True)
    agency = serializers.CharField(source="agency_code", read_only=True)
    reviewed = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "agency",
            "action",
            "object_type",
            "object_id",
            "purpose",
            "request_id",
            "changes",
            "reviewed",
        ]


class SampleRequestSerializer(serializers.Serializer[Any]):
    n = serializers.IntegerField(min_value=1, max_value=200, default=20)


class ReviewNoteSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


# A note on a record (a case, a referral): its text, author and the author's agency. Each app
# names its note model in `class Meta(NoteSerializerBase.Meta)`, so the notes of every record
# answer alike. No docstring: the API documentation would give it to every subclass.
class NoteSerializerBase[M: Model](serializers.ModelSerializer[M]):
    author = serializers.CharField(source="author.username", read_only=True)
    agency = serializers.CharField(source="agency.code", read_only=True)

    class Meta:
        fields = ["id", "text", "author", "agency", "created_at"]
        read_only_fields = ["id", "author", "agency", "created_at"]
        extra_kwargs = {"text": {"max_length": 20000}}
