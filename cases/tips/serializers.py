"""Triage of the public's tips over HTTP: coordinators of Arbetsmiljöverket and the regional
centres (and an agency for the tips forwarded to it). Everyone else: 404."""

from rest_framework import serializers

from cases.tips.models import Tip
from network.api.fields import SlugRelatedField
from network.models import Agency


class TipSerializer(serializers.ModelSerializer):
    county = serializers.CharField(
        source="county.code", read_only=True, default=None, allow_null=True
    )
    forwarded_to = serializers.CharField(
        source="forwarded_to.code", read_only=True, default=None, allow_null=True
    )
    case = serializers.CharField(
        source="case.reference", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Tip
        fields = [
            "id",
            "code",
            "received_at",
            "address",
            "municipality",
            "county",
            "industry",
            "employer_name",
            "orgnr",
            "observations",
            "description",
            "seen_when",
            "outcome",
            "dismiss_reason",
            "forwarded_to",
            "case",
        ]
        read_only_fields = fields


class TipSummarySerializer(TipSerializer):
    """A tip in the triage list: where, what industry, where it stands — without what the
    person wrote (description, employer name, observations), which only the detail shows and
    records as a read (docs/access.md, "Reads are recorded")."""

    class Meta(TipSerializer.Meta):
        fields = [
            "id",
            "code",
            "received_at",
            "municipality",
            "county",
            "industry",
            "outcome",
            "forwarded_to",
            "case",
        ]
        read_only_fields = fields


class TriageSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["dismiss", "case", "forward", "employer", "propose"])
    reason = serializers.CharField(max_length=2000, required=False, default="")
    agency = SlugRelatedField(
        slug_field="code", queryset=Agency.objects.filter(active=True), required=False
    )
    orgnr = serializers.CharField(max_length=13, required=False)
