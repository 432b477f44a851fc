"""Serializers for joint controls: they validate and shape; services act."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from inspections import risk
from inspections.choices import (
    RANKING_BASES,
    DecisionStatus,
    DecisionType,
    EmployerRole,
    FindingCategory,
    OperationStatus,
    ParticipationMode,
    ReportedLaw,
    RightToWork,
    Scope,
    SelectionBasis,
    Severity,
    WorkplaceType,
)
from inspections.models import (
    AgencyAssignment,
    ControlOperation,
    Decision,
    Finding,
    FollowUp,
    ImportJob,
    Inspection,
    InspectionAttachment,
    PersonCount,
    Workplace,
)
from network.api.fields import SlugRelatedField, related_field
from network.models import Agency, Centre, User


class WorkplaceSerializer(serializers.ModelSerializer):
    address = serializers.CharField(
        source="street_address", max_length=200, required=False, allow_blank=True, default=""
    )
    county = serializers.CharField(source="county.code", max_length=2)
    sni_section = serializers.CharField(read_only=True)

    class Meta:
        model = Workplace
        fields = [
            "name",
            "address",
            "postal_code",
            "city",
            "municipality",
            "county",
            "sni",
            "sni_section",
            "workplace_type",
        ]
        extra_kwargs = {"name": {"max_length": 200}}


class WorkplaceInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    postal_code = serializers.CharField(max_length=6, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    municipality = serializers.RegexField(
        r"^[0-9]{4}$", error_messages={"invalid": _("Enter the four-digit municipality code.")}
    )
    county = serializers.RegexField(
        r"^[0-9]{2}$", error_messages={"invalid": _("Enter a two-digit county code.")}
    )
    sni = serializers.RegexField(
        r"^[0-9]{2}(\.[0-9]{1,3})?$",
        error_messages={"invalid": _("Enter an SNI code such as 56.100.")},
    )
    workplace_type = serializers.ChoiceField(
        choices=WorkplaceType.choices, required=False, default=WorkplaceType.PREMISES
    )


class InspectionEmployerSerializer(serializers.Serializer):
    orgnr = serializers.CharField(source="employer.orgnr")
    name = serializers.CharField(source="employer.name")
    role = serializers.CharField()


class AssignmentSerializer(serializers.ModelSerializer):
    agency = SlugRelatedField(slug_field="code", queryset=Agency.objects.filter(active=True))
    staff: "SlugRelatedField[User]" = SlugRelatedField(
        slug_field="username", many=True, read_only=True
    )

    class Meta:
        model = AgencyAssignment
        fields = [
            "id",
            "agency",
            "mode",
            "status",
            "staff",
            "decline_reason",
            "answered_at",
            "results_submitted_at",
        ]
        read_only_fields = ["status", "decline_reason", "answered_at", "results_submitted_at"]


class AssignmentInputSerializer(serializers.Serializer):
    agency = SlugRelatedField(slug_field="code", queryset=Agency.objects.filter(active=True))
    mode = serializers.ChoiceField(choices=ParticipationMode.choices)
    staff = serializers.ListField(
        child=serializers.CharField(max_length=150), required=False, default=list
    )


class RespondSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class InspectionSerializer(serializers.ModelSerializer):
    workplace = WorkplaceSerializer(read_only=True)
    employers = InspectionEmployerSerializer(
        source="inspectionemployer_set", many=True, read_only=True
    )
    assignments = AssignmentSerializer(many=True, read_only=True)
    coordinating_agency = serializers.CharField(source="coordinating_agency.code", read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "reference",
            "status",
            "status_reason",
            "planned_date",
            "unannounced",
            "performed_on",
            "persons_checked",
            "operation",
            "coordinating_agency",
            "workplace",
            "employers",
            "assignments",
            "version",
        ]
        read_only_fields = fields


class InspectionCreateSerializer(serializers.Serializer):
    workplace = WorkplaceInputSerializer()
    employers = serializers.ListField(
        child=serializers.CharField(max_length=13), required=False, default=list
    )
    employer_roles = serializers.DictField(
        child=serializers.ChoiceField(choices=EmployerRole.choices),
        required=False,
        default=dict,
        help_text=_("Role per orgnr at the workplace; 'employer' when not given."),
    )
    planned_date = serializers.DateField()
    unannounced = serializers.BooleanField(required=False, default=True)
    operation = serializers.PrimaryKeyRelatedField(
        queryset=ControlOperation.objects.none(), allow_null=True, required=False, default=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            related_field(self, "operation").queryset = ControlOperation.objects.visible_to(
                request.user
            )


class PerformSerializer(serializers.Serializer):
    performed_on = serializers.DateField()
    persons_checked = serializers.IntegerField(min_value=0, max_value=100000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class OrgnrField(serializers.CharField):
    """An employer as its organisation number: any form in (the service checks it is one
    of the employers met), the stored 10 digits out."""

    def to_representation(self, value):
        return value.orgnr


class FindingSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.code", read_only=True)
    employer = OrgnrField(required=False, allow_null=True, allow_blank=True, default=None)

    class Meta:
        model = Finding
        fields = [
            "id",
            "inspection",
            "agency",
            "category",
            "description",
            "severity",
            "legal_reference",
            "secret",
            "employer",
            "created_at",
        ]
        read_only_fields = ["id", "inspection", "agency", "created_at"]
        extra_kwargs = {
            "description": {"max_length": 10000},
            "category": {"choices": FindingCategory.choices},
            "severity": {"choices": Severity.choices},
        }


class DisclosureSerializer(serializers.Serializer):
    agency = SlugRelatedField(slug_field="code", queryset=Agency.objects.filter(active=True))
    legal_basis = serializers.CharField(max_length=40)
    reason = serializers.CharField(max_length=4000)


class DecisionSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.code", read_only=True)
    finding = serializers.PrimaryKeyRelatedField(queryset=Finding.objects.none())
    type = serializers.ChoiceField(choices=DecisionType.choices)
    amount_sek = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    status = serializers.ChoiceField(
        choices=[DecisionStatus.PROPOSED, DecisionStatus.DECIDED],
        required=False,
        default=DecisionStatus.DECIDED,
    )
    law = serializers.ChoiceField(
        choices=ReportedLaw.choices, required=False, allow_blank=True, default=""
    )
    employer = serializers.CharField(
        source="finding.employer.orgnr", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Decision
        fields = [
            "id",
            "finding",
            "agency",
            "employer",
            "type",
            "amount_sek",
            "decided_on",
            "status",
            "law",
            "external_reference",
            "version",
        ]
        read_only_fields = ["id", "agency", "version"]
        extra_kwargs = {"decided_on": {"required": False}}

    def __init__(self, *args, findings=None, **kwargs):
        super().__init__(*args, **kwargs)
        if findings is not None:
            related_field(self, "finding").queryset = findings


class DecisionStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DecisionStatus.choices)
    reason = serializers.CharField(max_length=2000)
    decided_on = serializers.DateField(required=False, default=None)
    version = serializers.IntegerField(required=False, default=None, min_value=1)


class PersonCountSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.code", read_only=True)
    right_to_work = serializers.ChoiceField(choices=RightToWork.choices)
    nationality = serializers.RegexField(
        r"^[A-Za-z]{2}$", required=False, allow_blank=True, default=""
    )

    class Meta:
        model = PersonCount
        fields = ["agency", "right_to_work", "nationality", "count"]


class PersonCountsInputSerializer(serializers.Serializer):
    counts = PersonCountSerializer(many=True)


class FollowUpSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.code", read_only=True)
    inspection_reference = serializers.CharField(source="inspection.reference", read_only=True)
    assignee = serializers.CharField(
        source="assignee.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "inspection",
            "inspection_reference",
            "finding",
            "agency",
            "assignee",
            "title",
            "due_date",
            "status",
            "done_at",
        ]
        read_only_fields = ["id", "inspection", "agency", "status", "done_at"]
        extra_kwargs = {"finding": {"queryset": Finding.objects.none(), "required": False}}


class OperationSerializer(serializers.ModelSerializer):
    coordinating_agency = serializers.CharField(source="coordinating_agency.code", read_only=True)
    centre = SlugRelatedField(
        slug_field="code", queryset=Centre.objects.all(), allow_null=True, required=False
    )
    scope = serializers.ChoiceField(choices=Scope.choices, default=Scope.REGIONAL)
    selection_basis = serializers.ChoiceField(choices=SelectionBasis.choices)
    focus_sni = serializers.ListField(
        child=serializers.RegexField(r"^[0-9]{2}(\.[0-9]{1,3})?$"), required=False, default=list
    )

    class Meta:
        model = ControlOperation
        fields = [
            "id",
            "reference",
            "title",
            "scope",
            "centre",
            "period_start",
            "period_end",
            "focus_sni",
            "selection_basis",
            "coordinating_agency",
            "status",
        ]
        read_only_fields = ["id", "reference", "coordinating_agency", "status"]
        extra_kwargs = {"title": {"max_length": 200}}


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(required=False, default=True)


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    field = serializers.CharField()
    message = serializers.CharField()


class ImportPreviewSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    workplace = serializers.CharField()
    planned_date = serializers.CharField()
    agencies = serializers.ListField(child=serializers.CharField())


class ImportJobSerializer(serializers.ModelSerializer):
    """A spreadsheet import as the worker leaves it: `status` (queued, running, ready,
    failed) and `progress` 0-100 while it runs; then the rows read, every error (nothing is
    imported when there is one), the preview and the new references; `error` when the file
    as a whole was refused."""

    errors = ImportErrorSerializer(many=True, read_only=True)  # type: ignore[assignment]  # a field
    preview = ImportPreviewSerializer(many=True, read_only=True)
    created = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "filename",
            "dry_run",
            "status",
            "progress",
            "stage",
            "requested_at",
            "finished_at",
            "rows",
            "errors",
            "preview",
            "created",
            "error",
        ]
        read_only_fields = fields


class InspectionAttachmentSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.code", read_only=True)
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    file = serializers.FileField(write_only=True)

    class Meta:
        model = InspectionAttachment
        fields = [
            "id",
            "file",
            "filename",
            "content_type",
            "size",
            "agency",
            "uploaded_by",
            "uploaded_at",
        ]
        read_only_fields = [
            "id",
            "filename",
            "content_type",
            "size",
            "agency",
            "uploaded_by",
            "uploaded_at",
        ]


class OperationStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OperationStatus.choices)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


# --- risk-based selection (inspections/api/risk.py) ------------------------------------


class EmployerRefSerializer(serializers.Serializer):
    orgnr = serializers.CharField()
    name = serializers.CharField()


class ProfileWorkplaceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField(source="street_address")
    municipality = serializers.CharField()
    county = serializers.CharField(source="county.code")
    sni = serializers.CharField()


class ProfileInspectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.CharField()
    planned_date = serializers.DateField()
    performed_on = serializers.DateField(allow_null=True)
    workplace = ProfileWorkplaceSerializer()


class ProfileDecisionSerializer(serializers.Serializer):
    type = serializers.CharField()
    agency = serializers.CharField(source="agency.code")
    decided_on = serializers.DateField()
    amount_sek = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class ProfileFindingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    inspection = serializers.CharField(source="inspection.reference")
    agency = serializers.CharField(source="agency.code")
    category = serializers.CharField()
    severity = serializers.CharField()
    decisions = ProfileDecisionSerializer(many=True)


class ProfileCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    owner_agency = serializers.CharField(source="owner_agency.code")


class ProfileTipSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    received_at = serializers.DateTimeField()
    outcome = serializers.CharField()
    industry = serializers.CharField()


class CoEmployerSerializer(serializers.Serializer):
    employer = EmployerRefSerializer()
    roles = serializers.ListField(child=serializers.CharField())
    inspections = serializers.IntegerField()


class LinkCandidateSerializer(serializers.Serializer):
    tip = ProfileTipSerializer()
    employer_name = serializers.CharField()
    address = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())


class CountedInspectionsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = ProfileInspectionSerializer(many=True)


class CountedFindingsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = ProfileFindingSerializer(many=True)


class ProfileSerializer(serializers.Serializer):
    employer = EmployerRefSerializer()
    inspections = CountedInspectionsSerializer()
    findings = CountedFindingsSerializer()
    cases = ProfileCaseSerializer(many=True)
    tips = ProfileTipSerializer(many=True)
    workplaces = ProfileWorkplaceSerializer(many=True)
    co_employers = CoEmployerSerializer(many=True)
    link_candidates = LinkCandidateSerializer(many=True)


class FactorSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label
    points = serializers.FloatField()
    explanation = serializers.CharField()
    detail = serializers.DictField()


class CandidateSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    score = serializers.FloatField()
    basis = serializers.ChoiceField(choices=SelectionBasis.choices)
    workplace = ProfileWorkplaceSerializer()
    employers = EmployerRefSerializer(many=True)
    factors = FactorSerializer(many=True)


class CandidateListSerializer(serializers.Serializer):
    centre = serializers.CharField()
    industries = serializers.ListField(child=serializers.CharField())
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    results = CandidateSerializer(many=True)


class PickSerializer(serializers.Serializer):
    workplace = serializers.IntegerField()
    basis = serializers.ChoiceField(
        choices=RANKING_BASES,
        default=SelectionBasis.RISK_RANKING,
    )


class PlanInputSerializer(serializers.Serializer):
    operation = serializers.IntegerField()
    planned_date = serializers.DateField()
    picks = PickSerializer(many=True, allow_empty=False, max_length=risk.MAX_LIMIT)  # type: ignore[call-arg]  # to its ListSerializer


class PlannedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    selection_basis = serializers.CharField()


# --- views ----------------------------------------------------------------------------------
