"""Joint controls over HTTP (docs/architecture.md "HTTP API").

Every read starts at `visible_to(user)`: an inspection the caller's agency is not part of
answers 404 for every action, so an unannounced control never leaks.
"""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from inspections.api.serializers import (
    AssignmentInputSerializer,
    AssignmentSerializer,
    DecisionSerializer,
    DecisionStatusSerializer,
    DisclosureSerializer,
    FindingSerializer,
    FollowUpSerializer,
    ImportJobSerializer,
    ImportRequestSerializer,
    InspectionAttachmentSerializer,
    InspectionCreateSerializer,
    InspectionSerializer,
    OperationSerializer,
    OperationStatusSerializer,
    PerformSerializer,
    PersonCountSerializer,
    PersonCountsInputSerializer,
    ReasonSerializer,
    RespondSerializer,
)
from inspections.filters import FollowUpFilterSet, InspectionFilterSet, OperationFilterSet
from inspections.imports import request_import
from inspections.models import (
    AgencyAssignment,
    ControlOperation,
    Decision,
    Finding,
    FollowUp,
    ImportJob,
    Inspection,
    InspectionEmployer,
)
from inspections.services import (
    attachments,
    decisions,
    export,
    follow_ups,
    lifecycle,
    operations,
    planning,
    results,
)
from network.api.actions import AttachmentDownloadActionMixin, CsvExportActionMixin
from network.api.base import ScopedListCreateViewSet, ScopedViewSetMixin
from network.api.fields import related_field
from network.api.schema import FIELD_ERRORS
from network.http import user_of
from network.models import User


def _require(view, request, capability: str) -> None:
    if not request.user.has_perm(capability):
        view.permission_denied(request)


# The export action is network/api/actions.py's; the API documentation describes it here.
@extend_schema_view(
    export=extend_schema(description="The visible inspections (filters apply) as CSV; audited.")
)
class InspectionViewSet(
    AttachmentDownloadActionMixin, CsvExportActionMixin, ScopedListCreateViewSet
):
    """Inspections the caller's agency coordinates or takes part in."""

    scoped_model = Inspection
    record_attachment_download = staticmethod(attachments.record_attachment_download)
    export_csv = staticmethod(export.export_inspections_csv)
    export_filename = "akrim-kontroller.csv"
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilterSet
    select_related = ("workplace__county", "coordinating_agency")
    prefetch_related = (
        Prefetch(
            "inspectionemployer_set", queryset=InspectionEmployer.objects.select_related("employer")
        ),
        Prefetch(
            "assignments",
            queryset=AgencyAssignment.objects.select_related("agency").prefetch_related("staff"),
        ),
    )
    capabilities = {
        "list": "inspections.work_on_inspections",
        "retrieve": "inspections.work_on_inspections",
        "create": "inspections.add_inspection",
        "import_file": "inspections.add_inspection",
        "assignments": "inspections.work_on_inspections",
        "respond": "inspections.respond_to_assignments",
        "perform": "inspections.perform_inspections",
        "findings": "inspections.work_on_findings",
        "decisions": "inspections.work_on_decisions",
        "persons": "inspections.work_on_inspections",
        "submit_results": "inspections.add_finding",
        "cancel": "inspections.coordinate_inspection",
        "not_performed": "inspections.perform_inspections",
        "close": "inspections.coordinate_inspection",
        "follow_ups": "inspections.work_on_follow_ups",
        "attachments": "inspections.work_on_inspections",
        "download_attachment": "inspections.work_on_inspections",
        "export": "inspections.work_on_inspections",
    }

    def _refreshed(self, inspection):
        return Response(InspectionSerializer(self.get_queryset().get(pk=inspection.pk)).data)

    @extend_schema(request=InspectionCreateSerializer, responses={201: InspectionSerializer})
    def create(self, request, *args, **kwargs):
        serializer = InspectionCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        roles = data["employer_roles"]
        inspection = planning.plan_inspection(
            workplace=data["workplace"],
            planned_date=data["planned_date"],
            employers=[{"orgnr": o, "role": roles.get(o, "employer")} for o in data["employers"]],
            operation=data["operation"],
            unannounced=data["unannounced"],
            actor=request.user,
        )
        body = InspectionSerializer(self.get_queryset().get(pk=inspection.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer},
        responses={202: ImportJobSerializer, 400: FIELD_ERRORS},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser],
        filterset_class=None,
        pagination_class=None,
    )
    def import_file(self, request):
        """Planned inspections from a CSV or XLSX file, checked (dry_run) or imported by the
        worker: 202 with the job at once; follow it at /api/v1/inspection-imports/{id}/.
        All rows or none."""
        serializer = ImportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = request_import(
            upload=serializer.validated_data["file"],
            actor=request.user,
            dry_run=serializer.validated_data["dry_run"],
        )
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(methods=["GET"], request=None, responses={200: AssignmentSerializer(many=True)})
    @extend_schema(
        methods=["POST"], request=AssignmentInputSerializer, responses={201: AssignmentSerializer}
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def assignments(self, request, pk=None):
        inspection = self.get_object()
        if request.method == "GET":
            rows = inspection.assignments.select_related("agency").prefetch_related("staff")
            return Response(AssignmentSerializer(rows, many=True).data)
        _require(self, request, "inspections.add_agencyassignment")
        serializer = AssignmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        staff = list(User.objects.filter(username__in=data["staff"]))
        if len(staff) != len(set(data["staff"])):
            raise ValidationError({"staff": ["Unknown username."]})
        assignment = planning.assign_agency(
            inspection, agency=data["agency"], mode=data["mode"], staff=staff, actor=request.user
        )
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RespondSerializer, responses={200: AssignmentSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path=r"assignments/(?P<assignment_id>[0-9]+)/respond",
        filterset_class=None,
    )
    def respond(self, request, pk=None, assignment_id=None):
        inspection = self.get_object()
        assignment = get_object_or_404(inspection.assignments, pk=assignment_id)
        serializer = RespondSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        planning.respond_to_assignment(assignment, actor=request.user, **serializer.validated_data)
        return Response(AssignmentSerializer(assignment).data)

    @extend_schema(request=PerformSerializer, responses={200: InspectionSerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def perform(self, request, pk=None):
        inspection = self.get_object()
        serializer = PerformSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lifecycle.perform_inspection(inspection, actor=request.user, **serializer.validated_data)
        return self._refreshed(inspection)

    @extend_schema(methods=["GET"], request=None, responses={200: FindingSerializer(many=True)})
    @extend_schema(methods=["POST"], request=FindingSerializer, responses={201: FindingSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def findings(self, request, pk=None):
        inspection = self.get_object()
        if request.method == "GET":
            findings = list(
                Finding.objects.visible_to(request.user)
                .filter(inspection=inspection)
                .select_related("agency", "employer")
            )
            results.record_findings_read(findings, actor=request.user)
            return Response(FindingSerializer(findings, many=True).data)
        _require(self, request, "inspections.add_finding")
        serializer = FindingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        finding = results.record_finding(
            inspection, actor=request.user, **serializer.validated_data
        )
        return Response(FindingSerializer(finding).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses={200: DecisionSerializer(many=True)})
    @extend_schema(
        methods=["POST"], request=DecisionSerializer, responses={201: DecisionSerializer}
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def decisions(self, request, pk=None):
        inspection = self.get_object()
        findings = Finding.objects.visible_to(request.user).filter(inspection=inspection)
        if request.method == "GET":
            visible = (
                Decision.objects.visible_to(request.user)
                .filter(finding__inspection=inspection)
                .select_related("agency", "finding__employer")
            )
            return Response(DecisionSerializer(visible, many=True).data)
        _require(self, request, "inspections.add_decision")
        serializer = DecisionSerializer(data=request.data, findings=findings)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        decision = decisions.record_decision(data.pop("finding"), actor=request.user, **data)
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionStatusSerializer, responses={200: DecisionSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path=r"decisions/(?P<decision_id>[0-9]+)/status",
        filterset_class=None,
    )
    def decision_status(self, request, pk=None, decision_id=None):
        """Move a decision along its way (staff of the decision's agency, with a reason)."""
        inspection = self.get_object()
        decision = get_object_or_404(
            Decision.objects.visible_to(request.user).filter(finding__inspection=inspection),
            pk=decision_id,
        )
        serializer = DecisionStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decision = decisions.change_decision_status(
            decision, actor=request.user, **serializer.validated_data
        )
        return Response(DecisionSerializer(decision).data)

    @extend_schema(methods=["GET"], request=None, responses={200: PersonCountSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request=PersonCountsInputSerializer,
        responses={200: PersonCountSerializer(many=True)},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def persons(self, request, pk=None):
        """Persons checked, as counts by right-to-work status and nationality (no names)."""
        inspection = self.get_object()
        if request.method == "POST":
            _require(self, request, "inspections.add_personcount")
            serializer = PersonCountsInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            results.record_person_counts(
                inspection, counts=serializer.validated_data["counts"], actor=request.user
            )
        rows = inspection.person_counts.select_related("agency")
        return Response(PersonCountSerializer(rows, many=True).data)

    @extend_schema(request=None, responses={200: InspectionSerializer})
    @action(detail=True, methods=["post"], url_path="submit-results", filterset_class=None)
    def submit_results(self, request, pk=None):
        inspection = self.get_object()
        results.submit_results(inspection, actor=request.user)
        return self._refreshed(inspection)

    @extend_schema(request=ReasonSerializer, responses={200: InspectionSerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def cancel(self, request, pk=None):
        inspection = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lifecycle.cancel_inspection(inspection, actor=request.user, **serializer.validated_data)
        return self._refreshed(inspection)

    @extend_schema(request=ReasonSerializer, responses={200: InspectionSerializer})
    @action(detail=True, methods=["post"], url_path="not-performed", filterset_class=None)
    def not_performed(self, request, pk=None):
        inspection = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lifecycle.mark_not_performed(inspection, actor=request.user, **serializer.validated_data)
        return self._refreshed(inspection)

    @extend_schema(request=None, responses={200: InspectionSerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def close(self, request, pk=None):
        inspection = self.get_object()
        lifecycle.close_inspection(inspection, actor=request.user)
        return self._refreshed(inspection)

    @extend_schema(methods=["GET"], request=None, responses={200: FollowUpSerializer(many=True)})
    @extend_schema(
        methods=["POST"], request=FollowUpSerializer, responses={201: FollowUpSerializer}
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="follow-ups",
        pagination_class=None,
        filterset_class=None,
    )
    def follow_ups(self, request, pk=None):
        inspection = self.get_object()
        if request.method == "GET":
            rows = (
                FollowUp.objects.visible_to(request.user)
                .filter(inspection=inspection)
                .select_related("agency", "assignee", "inspection")
            )
            return Response(FollowUpSerializer(rows, many=True).data)
        _require(self, request, "inspections.add_followup")
        serializer = FollowUpSerializer(data=request.data)
        related_field(serializer, "finding").queryset = Finding.objects.visible_to(
            request.user
        ).filter(inspection=inspection)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        follow_up = follow_ups.add_follow_up(
            inspection,
            title=data["title"],
            due_date=data["due_date"],
            finding=data.get("finding"),
            actor=request.user,
        )
        return Response(FollowUpSerializer(follow_up).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"], request=None, responses={200: InspectionAttachmentSerializer(many=True)}
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": InspectionAttachmentSerializer},
        responses={201: InspectionAttachmentSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        pagination_class=None,
        filterset_class=None,
        parser_classes=[MultiPartParser],
    )
    def attachments(self, request, pk=None):
        inspection = self.get_object()
        if request.method == "GET":
            files = inspection.attachments.select_related("agency", "uploaded_by")
            return Response(InspectionAttachmentSerializer(files, many=True).data)
        serializer = InspectionAttachmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = attachments.add_attachment(
            inspection, upload=serializer.validated_data["file"], actor=request.user
        )
        return Response(
            InspectionAttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED
        )


class FindingViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Findings the caller may see, across inspections; owners may disclose secret ones."""

    scoped_model = Finding
    serializer_class = FindingSerializer
    select_related = ("agency",)
    capabilities = {
        "list": "inspections.work_on_findings",
        "retrieve": "inspections.work_on_findings",
        "disclose": "inspections.add_findingdisclosure",
    }

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        results.record_findings_read(
            getattr(self.paginator, "page", None) or [], actor=request.user
        )
        return response

    def retrieve(self, request, *args, **kwargs):
        finding = self.get_object()
        results.record_findings_read([finding], actor=request.user)
        return Response(FindingSerializer(finding).data)

    @extend_schema(request=DisclosureSerializer, responses={200: FindingSerializer})
    @action(detail=True, methods=["post"])
    def disclose(self, request, pk=None):
        finding = self.get_object()
        serializer = DisclosureSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        results.disclose_finding(finding, actor=request.user, **serializer.validated_data)
        return Response(FindingSerializer(finding).data)


@extend_schema_view(
    list=extend_schema(
        description="Follow-up tasks the caller may see, filtered as on the follow-up page"
        " (`show`, `q`, `status`; `overdue=true` and `mine=true` as before)."
    )
)
class FollowUpViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Follow-up tasks the caller may see."""

    scoped_model = FollowUp
    serializer_class = FollowUpSerializer
    # The page's FilterSet; `complete` finds its follow-up by id alone (filterset_class=None).
    filterset_class = FollowUpFilterSet
    select_related = ("agency", "assignee", "inspection")
    capabilities = {
        "list": "inspections.work_on_follow_ups",
        "retrieve": "inspections.work_on_follow_ups",
        "complete": "inspections.edit_follow_ups",
    }

    @extend_schema(request=None, responses={200: FollowUpSerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def complete(self, request, pk=None):
        follow_up = self.get_object()
        follow_ups.complete_follow_up(follow_up, actor=request.user)
        return Response(FollowUpSerializer(follow_up).data)


@extend_schema_view(
    list=extend_schema(
        description="Control operations the caller may see, filtered as on the operations board"
        " (`q`, `status`); without `status`, every one of them, not only the running ones the"
        " board shows first."
    )
)
class OperationViewSet(ScopedListCreateViewSet):
    """Control operations (kontrollinsatser)."""

    scoped_model = ControlOperation
    serializer_class = OperationSerializer
    # The board's FilterSet without its default (network/filters.py, DefaultedFilterSet);
    # `change_status` finds its operation by id alone (filterset_class=None).
    filterset_class = OperationFilterSet
    select_related = ("coordinating_agency", "centre")
    capabilities = {
        "list": "inspections.work_on_control_operations",
        "retrieve": "inspections.work_on_control_operations",
        "create": "inspections.add_controloperation",
        "change_status": "inspections.edit_control_operations",
    }

    def perform_create(self, serializer):
        serializer.instance = operations.create_operation(
            actor=user_of(self.request), **serializer.validated_data
        )

    @extend_schema(request=OperationStatusSerializer, responses={200: OperationSerializer})
    @action(detail=True, methods=["post"], url_path="status", filterset_class=None)
    def change_status(self, request, pk=None):
        """Move the operation along its states (coordinating agency's coordinators)."""
        operation = self.get_object()
        body = OperationStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        operation = operations.move_operation(operation, actor=request.user, **body.validated_data)
        return Response(OperationSerializer(operation).data)


class ImportJobViewSet(ScopedViewSetMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One's own spreadsheet imports: status and progress while the worker runs, then the
    outcome. Anyone else's import answers 404."""

    scoped_model = ImportJob
    serializer_class = ImportJobSerializer
    capabilities = {"retrieve": "inspections.add_inspection"}
