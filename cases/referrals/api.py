"""Victim referrals over HTTP. Identity is masked in every response except the reveal
action, which needs the identity capability and a stated purpose."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from cases.referrals import exports, origins, services
from cases.referrals.filters import ReferralFilterSet
from cases.referrals.models import (
    VictimReferral,
)
from cases.referrals.serializers import (
    CaseOwnerSerializer,
    IdentitySerializer,
    ReferralCreateSerializer,
    ReferralNoteSerializer,
    ReferralSerializer,
    ReferralShareSerializer,
    ReferralSummarySerializer,
    ReflectionDecisionSerializer,
    ReflectionRequestSerializer,
    ReflectionSerializer,
    RevealRequestSerializer,
    StatisticsSerializer,
    StatusSerializer,
    SupportMeasureSerializer,
    WithdrawSerializer,
)
from network.api.base import JsonErrorsMixin, ScopedListCreateViewSet
from network.exports import csv_response
from network.policies import record_read, require
from network.renderers import CSVRenderer


class ReferralViewSet(JsonErrorsMixin, ScopedListCreateViewSet):
    """Referrals of presumed victims: the referring and receiving agencies,
    Jämställdhetsmyndigheten and agencies it is shared with. Identity always masked here."""

    scoped_model = VictimReferral
    serializer_class = ReferralSerializer
    # The list's filters; actions on one referral find it by id alone (filterset_class=None),
    # so a filter never hides it or turns its 404 into a 400.
    filterset_class = ReferralFilterSet
    select_related = ("referring_agency", "receiving_agency")
    capabilities = {
        "list": "cases.work_on_referrals",
        "retrieve": "cases.work_on_referrals",
        "create": "cases.add_victimreferral",
        "reveal": "cases.reveal_identity",
        "change_status": "cases.edit_referrals",
        "withdraw_consent": "cases.edit_referrals",
        "share": "cases.share_referrals",
        "reflection_periods": "cases.edit_referrals",
        "decide_reflection_period": "cases.edit_referrals",
        "htcds": "cases.export_victimreferral",
        "statistics": "cases.view_referral_statistics",
        "notes": "cases.edit_referrals",
        "support": "cases.edit_referrals",
        "set_owner": "cases.edit_referrals",
    }

    def get_serializer_class(self):
        """The list (and a look-up by `?reference=`) shows summaries: no person, no
        indicators, no consent. Only the detail shows the record, and records the read
        (docs/access.md, "Reads are recorded")."""
        if self.action == "list":
            return ReferralSummarySerializer
        return super().get_serializer_class()

    def retrieve(self, request, *args, **kwargs):
        referral = self.get_object()
        record_read(
            request.user, referral, require(request.user, "view", referral), route="referral-detail"
        )
        return Response(ReferralSerializer(referral, context={"request": request}).data)

    @extend_schema(request=ReferralCreateSerializer, responses={201: ReferralSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ReferralCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        inspection = data.pop("inspection")
        origin, origin_reference = "other", ""
        if inspection is not None and "inspection" in origins.available():
            origin, origin_reference = (
                "inspection",
                origins.resolve("inspection", request.user, inspection),
            )
        referral = services.create_referral(
            origin=origin, origin_reference=origin_reference, actor=request.user, **data
        )
        body = ReferralSerializer(referral, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=RevealRequestSerializer, responses={200: IdentitySerializer})
    @action(detail=True, filterset_class=None, methods=["post"])
    def reveal(self, request, pk=None):
        """The identity, for this response only; the purpose is recorded."""
        referral = self.get_object()
        body = RevealRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        identity = services.reveal_identity(referral, actor=request.user, **body.validated_data)
        response = Response(IdentitySerializer(identity).data)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(request=StatusSerializer, responses={200: ReferralSerializer})
    @action(detail=True, filterset_class=None, methods=["post"], url_path="status")
    def change_status(self, request, pk=None):
        referral = self.get_object()
        body = StatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        referral = services.change_referral_status(
            referral, actor=request.user, **body.validated_data
        )
        return Response(ReferralSerializer(referral, context={"request": request}).data)

    @extend_schema(request=WithdrawSerializer, responses={200: ReferralSerializer})
    @action(detail=True, filterset_class=None, methods=["post"], url_path="withdraw-consent")
    def withdraw_consent(self, request, pk=None):
        referral = self.get_object()
        body = WithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        referral = services.withdraw_consent(referral, actor=request.user, **body.validated_data)
        return Response(ReferralSerializer(referral, context={"request": request}).data)

    @extend_schema(request=ReferralShareSerializer, responses={201: None})
    @action(detail=True, filterset_class=None, methods=["post"])
    def share(self, request, pk=None):
        referral = self.get_object()
        body = ReferralShareSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        share = services.share_referral(referral, actor=request.user, **body.validated_data)
        return Response({"id": share.pk, "agency": body.validated_data["agency"].code}, status=201)

    @extend_schema(methods=["GET"], request=None, responses={200: ReflectionSerializer(many=True)})
    @extend_schema(
        methods=["POST"], request=ReflectionRequestSerializer, responses={201: ReflectionSerializer}
    )
    @action(
        detail=True,
        filterset_class=None,
        methods=["get", "post"],
        url_path="reflection-periods",
        pagination_class=None,
    )
    def reflection_periods(self, request, pk=None):
        referral = self.get_object()
        if request.method == "GET":
            return Response(ReflectionSerializer(referral.reflection_periods.all(), many=True).data)
        body = ReflectionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        period = services.apply_for_reflection_period(
            referral, actor=request.user, **body.validated_data
        )
        return Response(ReflectionSerializer(period).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReflectionDecisionSerializer, responses={200: ReflectionSerializer})
    @action(
        detail=True,
        filterset_class=None,
        methods=["post"],
        url_path=r"reflection-periods/(?P<period_id>[0-9]+)/decision",
    )
    def decide_reflection_period(self, request, pk=None, period_id=None):
        referral = self.get_object()
        period = get_object_or_404(referral.reflection_periods, pk=period_id)
        body = ReflectionDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.decide_reflection_period(period, actor=request.user, **body.validated_data)
        return Response(ReflectionSerializer(period).data)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["json", "csv"])],
        responses={
            (200, "application/json"): {"type": "array", "items": {"type": "object"}},
            (200, "text/csv"): OpenApiTypes.STR,
        },
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="export/htcds",
        pagination_class=None,
        renderer_classes=[JSONRenderer, CSVRenderer],
    )
    def htcds(self, request):
        """The visible referrals in IOM HTCDS field names, without direct identifiers."""
        referrals = self.filter_queryset(self.get_queryset())
        rows = exports.htcds_rows(referrals, actor=request.user)
        if request.accepted_renderer.format == "csv":
            return csv_response(exports.as_csv(rows), "akrim-htcds.csv")
        return Response(rows)

    def _worker_only(self, request, referral, route):
        """Notes and support may name the person: only those who work the referral, and
        showing them is a read of the referral."""
        access = require(request.user, "change", referral)
        if request.method == "GET":
            record_read(request.user, referral, access, route=route)

    @extend_schema(
        methods=["GET"], request=None, responses={200: ReferralNoteSerializer(many=True)}
    )
    @extend_schema(
        methods=["POST"], request=ReferralNoteSerializer, responses={201: ReferralNoteSerializer}
    )
    @action(detail=True, filterset_class=None, methods=["get", "post"], pagination_class=None)
    def notes(self, request, pk=None):
        referral = self.get_object()
        self._worker_only(request, referral, "referral-notes")
        if request.method == "GET":
            notes = referral.notes.select_related("author", "agency")
            return Response(ReferralNoteSerializer(notes, many=True).data)
        body = ReferralNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        note = services.add_referral_note(referral, actor=request.user, **body.validated_data)
        return Response(ReferralNoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"], request=None, responses={200: SupportMeasureSerializer(many=True)}
    )
    @extend_schema(
        methods=["POST"],
        request=SupportMeasureSerializer,
        responses={201: SupportMeasureSerializer},
    )
    @action(
        detail=True,
        filterset_class=None,
        methods=["get", "post"],
        url_path="support",
        pagination_class=None,
    )
    def support(self, request, pk=None):
        referral = self.get_object()
        self._worker_only(request, referral, "referral-support")
        if request.method == "GET":
            return Response(
                SupportMeasureSerializer(referral.support_measures.all(), many=True).data
            )
        body = SupportMeasureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        measure = services.add_support_measure(referral, actor=request.user, **body.validated_data)
        return Response(SupportMeasureSerializer(measure).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseOwnerSerializer, responses={200: ReferralSerializer})
    @action(detail=True, filterset_class=None, methods=["post"], url_path="owner")
    def set_owner(self, request, pk=None):
        referral = self.get_object()
        body = CaseOwnerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        referral = services.set_case_owner(referral, actor=request.user, **body.validated_data)
        return Response(ReferralSerializer(referral, context={"request": request}).data)

    @extend_schema(responses={200: StatisticsSerializer})
    @action(detail=False, methods=["get"], pagination_class=None)
    def statistics(self, request):
        """Counts by year, sex, age band, nationality and exploitation type, with every group
        smaller than k suppressed (k-anonymity). Aggregates over all referrals whose person
        consented to statistics; no rows."""
        return Response(exports.k_anonymous_statistics(actor=request.user))
