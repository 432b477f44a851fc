"""The Lägesbild over HTTP (docs/reports.md).

Only those who may build a scope see anything: analysts and coordinators of the
coordinating agency for the network, an agency's analysts for their own agency. For
everyone else every endpoint answers 404, not 403: the reports' existence is not theirs.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from network.api.base import JsonErrorsMixin, ScopedListCreateViewSet
from reports import services
from reports.downloads import DOWNLOADS, LANGUAGES, download_body, download_response
from reports.models import NETWORK, BuildStatus, ReportBuild
from reports.policies import report_scopes


class ReportsAccess(BasePermission):
    """No report scope at all: 404 for every action, list and create included."""

    def has_permission(self, request, view):
        if not report_scopes(request.user):
            raise NotFound
        return True


def _renderer(fmt: str, media_type: str):
    return type(
        f"{fmt.upper()}Renderer",
        (BaseRenderer,),
        {"format": fmt, "media_type": media_type, "render": lambda self, data, *a, **k: data},
    )


class BuildSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportBuild
        fields = [
            "id",
            "year",
            "scope",
            "status",
            "progress",
            "stage",
            "error",
            "requested_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class BuildRequestSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    scope = serializers.CharField(
        max_length=20, required=False, help_text="'network' or your agency's code"
    )


class FiguresSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    suppressed_below = serializers.IntegerField()
    figures = serializers.DictField()


class ReportBuildViewSet(JsonErrorsMixin, ScopedListCreateViewSet):
    scoped_model = ReportBuild
    serializer_class = BuildSerializer
    permission_classes = [IsAuthenticated, ReportsAccess]

    @extend_schema(request=BuildRequestSerializer, responses={202: BuildSerializer})
    def create(self, request, *args, **kwargs):
        """Queue a build (202). The one already under way is returned if there is one."""
        body = BuildRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        scopes = report_scopes(request.user)
        scope = body.validated_data.get("scope") or (NETWORK if NETWORK in scopes else scopes[0])
        if scope not in scopes:
            raise NotFound
        build, _created = services.request_build(
            year=body.validated_data["year"], scope=scope, actor=request.user
        )
        return Response(BuildSerializer(build).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: FiguresSerializer, 409: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def figures(self, request, pk=None):
        """The frozen, suppressed figures (the contract's shape)."""
        build = self.get_object()
        if build.status != BuildStatus.READY:
            return Response({"status": build.status}, status=status.HTTP_409_CONFLICT)
        return Response(
            {
                "year": build.year,
                "suppressed_below": build.suppressed_below,
                "figures": build.figures,
            }
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=list(DOWNLOADS)),
            OpenApiParameter("lang", str, enum=list(LANGUAGES)),
        ],
        # Each format with its real content type (the fuzz checks what is declared).
        responses={(200, m.split(";")[0]): OpenApiTypes.BINARY for m in DOWNLOADS.values()},
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[
            JSONRenderer,
            *(_renderer(f, m.split(";")[0]) for f, m in DOWNLOADS.items()),
        ],
    )
    def download(self, request, pk=None):
        """The report as PDF, CSV (UTF-8), XLSX or HTML; permission-checked and audited."""
        build = self.get_object()
        fmt = request.query_params.get("format", "pdf")
        language = request.query_params.get("lang", "sv")
        if fmt not in DOWNLOADS:
            return Response({"format": ["Choose pdf, csv, xlsx or html."]}, status=400)
        if language not in LANGUAGES:
            return Response({"lang": ["Välj sv eller en."]}, status=400)
        if build.status != BuildStatus.READY:
            return Response({"status": build.status}, status=status.HTTP_409_CONFLICT)
        body = download_body(build, fmt, language)
        services.record_download(build, fmt=f"{fmt} {language}", actor=request.user)
        return download_response(build, fmt, body, language)
