"""Employers and cases over HTTP (the API conventions: docs/architecture.md "HTTP API").

Every case read starts at `Case.objects.visible_to(user)` through ScopedViewSetMixin (the
list's first page without filters at the same policy's `newest`, the same rule read by
index); the one deliberate exception is break-the-glass, which looks a case up by reference
*because* the user cannot see it, and is audited and reviewed for exactly that reason.
"""

from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from cases.coordination import services
from cases.coordination.filters import CaseFilterSet
from cases.coordination.models import (
    AccessReview,
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
)
from cases.coordination.policies import case_policy
from cases.coordination.querysets import personal_grants_of, shares_of
from cases.coordination.serializers import (
    AccessReviewSerializer,
    AttachmentSerializer,
    BreakTheGlassAnswerSerializer,
    BreakTheGlassSerializer,
    CaseListSerializer,
    CaseSerializer,
    CaseUpdateSerializer,
    GrantRequestSerializer,
    GrantSerializer,
    NoteSerializer,
    ReviewVerdictSerializer,
    ShareRequestSerializer,
    ShareSerializer,
)
from network.api.actions import AttachmentDownloadActionMixin, CsvExportActionMixin
from network.api.base import ScopedListCreateViewSet, ScopedViewSetMixin
from network.api.pagination import IdCursorPagination
from network.http import user_of
from network.policies import record_read, record_reads, require


class CaseViewSet(AttachmentDownloadActionMixin, CsvExportActionMixin, ScopedListCreateViewSet):
    """Coordination cases the caller may see. PATCH carries the `version` it read."""

    scoped_model = Case
    record_attachment_download = staticmethod(services.record_attachment_download)
    export_csv = staticmethod(services.export_cases_csv)
    export_filename = "akrim-arenden.csv"
    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet
    select_related = ("owner_agency", "employer")
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    capabilities = {
        "list": "cases.work_on_cases",
        "retrieve": "cases.work_on_cases",
        "create": "cases.add_case",
        "partial_update": "cases.edit_cases",
        "shares": "cases.work_on_cases",
        "unshare": "cases.share_cases",
        "grants": "cases.share_cases",
        "revoke_grant": "cases.share_cases",
        "export": "cases.export_case",
        # No capability here: the action itself audits and refuses an attempt without it.
        "notes": "cases.work_on_cases",
        "attachments": "cases.work_on_cases",
        "download_attachment": "cases.work_on_cases",
    }

    def list(self, request, *args, **kwargs):
        """The list shows whole cases (the API contract keeps `summary` on each item), so
        every case shown is a read: one event per case with its own basis, written in one
        insert per page (docs/access.md, "Reads are recorded")."""
        policy = case_policy()
        user = user_of(request)
        scoped = self.get_queryset()
        filtered = self.filter_queryset(scoped)
        # No filter asked (the backend returned the scope as it was): the list is the visible
        # cases themselves, whose first page has a cheaper statement (`CasePolicy.newest`).
        unfiltered = filtered is scoped
        # The employer's and owner agency's values as columns, not related models.
        values = {name: F(path) for name, path in CaseListSerializer.PAGE_VALUES.items()}
        queryset = filtered.select_related(None).annotate(**values)

        def newest(count: int) -> QuerySet[Case]:
            return policy.newest(user, count).annotate(**values)

        paginator = self.paginator
        if isinstance(paginator, IdCursorPagination) and unfiltered:
            page = paginator.paginate_queryset(queryset, request, view=self, newest=newest)
        else:
            page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        record_reads(user, rows, policy.decide_many(user, rows), route="case-list")
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        record_read(request.user, case, require(request.user, "view", case), route="case-detail")
        return Response(self.get_serializer(case).data)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.open_case(
            title=data["title"],
            summary=data.get("summary", ""),
            employer=data.get("employer"),
            sensitivity=data.get("sensitivity", "normal"),
            actor=user_of(self.request),
        )

    @extend_schema(request=CaseUpdateSerializer, responses={200: CaseSerializer})
    def partial_update(self, request, *args, **kwargs):
        case = self.get_object()
        serializer = CaseUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        version = changes.pop("version")
        case = services.update_case(case, version=version, changes=changes, actor=request.user)
        return Response(CaseSerializer(case).data)

    @extend_schema(methods=["GET"], responses={200: ShareSerializer(many=True)}, request=None)
    @extend_schema(
        methods=["POST"], request=ShareRequestSerializer, responses={201: ShareSerializer}
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def shares(self, request, pk=None):
        case = self.get_object()
        if request.method == "GET":
            return Response(ShareSerializer(shares_of(case, viewer=request.user), many=True).data)
        if not request.user.has_perm("cases.share_cases"):
            self.permission_denied(request)
        serializer = ShareRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.share_case(case, actor=request.user, **serializer.validated_data)
        share = shares_of(case).get(group_id=serializer.validated_data["agency"].group_id)
        return Response(ShareSerializer(share).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"shares/(?P<share_id>[0-9]+)")
    def unshare(self, request, pk=None, share_id=None):
        case = self.get_object()
        get_object_or_404(CaseGroupObjectPermission, pk=share_id, content_object=case)
        services.revoke_share(case, share_id=int(share_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["GET"], responses={200: GrantSerializer(many=True)}, request=None)
    @extend_schema(
        methods=["POST"], request=GrantRequestSerializer, responses={201: GrantSerializer}
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def grants(self, request, pk=None):
        """Personal grants to named users (owner agency only)."""
        case = self.get_object()
        require(request.user, "share", case)
        if request.method == "GET":
            return Response(GrantSerializer(personal_grants_of(case), many=True).data)
        serializer = GrantRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.grant_personal_access(case, actor=request.user, **serializer.validated_data)
        grant = personal_grants_of(case).get(user=serializer.validated_data["user"])
        return Response(GrantSerializer(grant).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"grants/(?P<grant_id>[0-9]+)")
    def revoke_grant(self, request, pk=None, grant_id=None):
        case = self.get_object()
        get_object_or_404(CaseUserObjectPermission, pk=grant_id, content_object=case)
        services.revoke_personal_access(case, grant_id=int(grant_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=BreakTheGlassSerializer,
        responses={202: BreakTheGlassAnswerSerializer},
    )
    @action(detail=False, methods=["post"], url_path="break-the-glass", filterset_class=None)
    def break_the_glass(self, request):
        """Personal access for 24 hours to a case outside one's scope, by its reference.

        An unknown reference answers exactly as a granted one (202), so the answer never
        tells whether a case exists; the case list then shows what one may see. A case one
        already sees is a 400. Every attempt is audited (docs/security.md), also one by
        someone without the capability, which the service refuses (403)."""
        if not request.user.has_perm("cases.break_glass_case"):
            services.break_the_glass_by_reference(
                str(request.data.get("reference", ""))[:40],
                justification=str(request.data.get("justification", ""))[:4000],
                actor=user_of(request),
            )
        serializer = BreakTheGlassSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reference = serializer.validated_data["reference"].strip().upper()
        outcome = services.break_the_glass_by_reference(
            reference,
            justification=serializer.validated_data["justification"],
            actor=request.user,
        )
        if outcome == "visible":
            raise ValidationError({"reference": [_("You already have access to this case.")]})
        answer = {
            "reference": reference,
            "detail": _(
                "If a case with this reference exists, you have personal access to it for "
                "%(hours)s hours. Your agency's log auditors will review this request."
            )
            % {"hours": services.BREAK_THE_GLASS_HOURS},
        }
        return Response(answer, status=status.HTTP_202_ACCEPTED)

    @extend_schema(methods=["GET"], responses={200: NoteSerializer(many=True)}, request=None)
    @extend_schema(methods=["POST"], request=NoteSerializer, responses={201: NoteSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def notes(self, request, pk=None):
        case = self.get_object()
        if request.method == "GET":
            # The timeline is the case's content: showing it is a read of the case.
            record_read(request.user, case, require(request.user, "view", case), route="case-notes")
            notes = case.notes.select_related("author", "agency")
            return Response(NoteSerializer(notes, many=True).data)
        if not request.user.has_perm("cases.add_casenote"):
            self.permission_denied(request)
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = services.add_note(case, text=serializer.validated_data["text"], actor=request.user)
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: AttachmentSerializer(many=True)}, request=None)
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": AttachmentSerializer},
        responses={201: AttachmentSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def attachments(self, request, pk=None):
        case = self.get_object()
        if request.method == "GET":
            record_read(
                request.user, case, require(request.user, "view", case), route="case-attachments"
            )
            files = case.attachments.select_related("uploaded_by")
            return Response(AttachmentSerializer(files, many=True).data)
        if not request.user.has_perm("cases.add_caseattachment"):
            self.permission_denied(request)
        serializer = AttachmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = services.add_attachment(
            case, upload=serializer.validated_data["file"], actor=request.user
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class AccessReviewViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Break-the-glass accesses by the auditor's own agency's users, for review."""

    scoped_model = AccessReview
    serializer_class = AccessReviewSerializer
    select_related = ("case", "user", "reviewed_by")
    capabilities = {
        "list": "cases.work_on_access_reviews",
        "retrieve": "cases.work_on_access_reviews",
        "review": "cases.edit_access_reviews",
    }

    @extend_schema(request=ReviewVerdictSerializer, responses={200: AccessReviewSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        access_review = self.get_object()
        serializer = ReviewVerdictSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.review_access(access_review, actor=request.user, **serializer.validated_data)
        return Response(AccessReviewSerializer(access_review).data)
