"""Serializers of the referral API: identity masked in every response but the reveal."""

from rest_framework import serializers

from cases.grants import SHAREABLE_LEGAL_BASES
from cases.referrals.models import (
    ExploitationType,
    IdentifierType,
    IloIndicator,
    MethodOfControl,
    ProtectedIdentity,
    ReceivingBody,
    ReferralNote,
    ReferralStatus,
    ReflectionPeriod,
    Sex,
    SupportMeasure,
    VictimReferral,
)
from network.api.fields import SlugRelatedField
from network.api.serializers import NoteSerializerBase
from network.models import Agency
from network.policies import decide

MASK = "***"


class PersonInputSerializer(serializers.Serializer):
    identifier_type = serializers.ChoiceField(choices=IdentifierType.choices, default="none")
    identifier = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    birth_year = serializers.IntegerField(
        min_value=1900, max_value=2100, required=False, allow_null=True, default=None
    )
    sex = serializers.ChoiceField(choices=Sex.choices, default="unknown")
    nationality = serializers.RegexField(
        r"^[A-Za-z]{2}$", required=False, allow_blank=True, default=""
    )
    language = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    protected_identity = serializers.ChoiceField(choices=ProtectedIdentity.choices, default="none")


class ConsentSerializer(serializers.Serializer):
    support = serializers.BooleanField(default=False)
    sharing = serializers.BooleanField(default=False)
    statistics = serializers.BooleanField(default=False)


class ReferralCreateSerializer(serializers.Serializer):
    person = PersonInputSerializer()
    receiving_body = serializers.ChoiceField(choices=ReceivingBody.choices)
    consent = ConsentSerializer()
    is_child = serializers.BooleanField(default=False)
    indicators = serializers.ListField(
        child=serializers.ChoiceField(choices=IloIndicator.choices), required=False, default=list
    )
    exploitation_types = serializers.ListField(
        child=serializers.ChoiceField(choices=ExploitationType.choices),
        required=False,
        default=list,
    )
    methods_of_control = serializers.ListField(
        child=serializers.ChoiceField(choices=MethodOfControl.choices), required=False, default=list
    )
    inspection = serializers.IntegerField(required=False, allow_null=True, default=None)
    industry_sni = serializers.RegexField(
        r"^[0-9]{2}(\.[0-9]{1,3})?$", required=False, allow_blank=True, default=""
    )
    police_report_made = serializers.BooleanField(default=False)


class MaskedPersonSerializer(serializers.Serializer):
    identifier_type = serializers.CharField()
    identifier = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField()
    birth_date = serializers.SerializerMethodField()
    birth_year = serializers.IntegerField(allow_null=True)
    sex = serializers.CharField()
    nationality = serializers.CharField()
    language = serializers.CharField()
    protected_identity = serializers.CharField()

    def get_identifier(self, referral) -> str:
        return MASK if referral.identifier else ""

    def get_name(self, referral) -> str:
        return MASK if referral.name else ""

    def get_birth_date(self, referral) -> str | None:
        return MASK if referral.birth_date else None


class ReferralSerializer(serializers.ModelSerializer):
    person = MaskedPersonSerializer(source="*", read_only=True)
    referring_agency = serializers.CharField(source="referring_agency.code", read_only=True)
    receiving_agency = serializers.CharField(
        source="receiving_agency.code", read_only=True, default=None, allow_null=True
    )
    consent = serializers.SerializerMethodField()
    can_reveal = serializers.SerializerMethodField()
    case_owner = serializers.CharField(
        source="case_owner.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = VictimReferral
        fields = [
            "id",
            "reference",
            "status",
            "origin",
            "origin_reference",
            "referring_agency",
            "receiving_body",
            "receiving_agency",
            "person",
            "is_child",
            "indicators",
            "exploitation_types",
            "methods_of_control",
            "industry_sni",
            "consent",
            "police_report_made",
            "legal_hold",
            "case_owner",
            "created_at",
            "version",
            "can_reveal",
        ]
        read_only_fields = fields

    def get_consent(self, referral) -> dict:
        return {
            "support": referral.consent_support,
            "sharing": referral.consent_sharing,
            "statistics": referral.consent_statistics,
            "withdrawn": referral.consent_withdrawn,
        }

    def get_can_reveal(self, referral) -> bool:
        request = self.context.get("request")
        return bool(request and decide(request.user, "reveal", referral))


class ReferralSummarySerializer(ReferralSerializer):
    """A referral in a list or a look-up: what identifies it and where it stands, without
    the person (even masked), the indicators or the consents, which only the detail shows
    and records as a read (docs/access.md, "Reads are recorded")."""

    class Meta(ReferralSerializer.Meta):
        fields = [
            "id",
            "reference",
            "status",
            "origin",
            "referring_agency",
            "receiving_body",
            "receiving_agency",
            "is_child",
            "case_owner",
            "created_at",
            "version",
        ]
        read_only_fields = fields


class RevealRequestSerializer(serializers.Serializer):
    purpose = serializers.CharField(max_length=1000)


class IdentitySerializer(serializers.Serializer):
    identifier_type = serializers.CharField()
    identifier = serializers.CharField()
    name = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ReferralStatus.choices)


class WithdrawSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=["support", "sharing", "statistics"])


class ReferralShareSerializer(serializers.Serializer):
    agency = SlugRelatedField(slug_field="code", queryset=Agency.objects.filter(active=True))
    legal_basis = serializers.ChoiceField(choices=SHAREABLE_LEGAL_BASES)
    reason = serializers.CharField(max_length=4000)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ReflectionRequestSerializer(serializers.Serializer):
    applicant = serializers.ChoiceField(choices=["socialnamnd", "fu_ledare"])
    submitted_on = serializers.DateField()


class ReflectionDecisionSerializer(serializers.Serializer):
    granted = serializers.BooleanField()
    decided_on = serializers.DateField()


class ReflectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReflectionPeriod
        fields = ["id", "applicant", "status", "submitted_on", "valid_from", "valid_to"]
        read_only_fields = fields


class ReferralNoteSerializer(NoteSerializerBase[ReferralNote]):
    class Meta(NoteSerializerBase.Meta):
        model = ReferralNote


class SupportMeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupportMeasure
        fields = ["id", "programme", "kind", "provider", "starts_on", "ends_on"]
        read_only_fields = ["id"]
        extra_kwargs = {"kind": {"max_length": 100}, "provider": {"max_length": 200}}


class CaseOwnerSerializer(serializers.Serializer):
    """A username; the service answers the same for an unknown, inactive or ineligible one."""

    owner = serializers.CharField(max_length=150)


class StatisticsSerializer(serializers.Serializer):
    k = serializers.IntegerField()
    groups = serializers.ListField(child=serializers.DictField())
    suppressed_rows = serializers.IntegerField()
