"""Risk-based selection over HTTP: the employer profile and the risk ranking.

Both are reads scoped like everything else: the profile is built from `visible_to(user)`
querysets only (inspections.profile), and the ranking counts only what the coordinator may
see, plus bare counts of other agencies' joint-control findings (inspections.risk).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.employers.models import Employer
from inspections import profile, risk, services
from inspections.choices import RANKING_BASES, SelectionBasis
from inspections.models import ControlOperation
from network.identifiers import parse_orgnr

# --- shapes ---------------------------------------------------------------------------------


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


class EmployerProfileView(APIView):
    """GET /api/v1/employers/{orgnr}/profile/: what the caller may see about one employer."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("orgnr", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses={200: ProfileSerializer},
        summary="Employer profile (scoped)",
    )
    def get(self, request, orgnr: str):
        if not request.user.has_perm("cases.view_employer"):
            raise PermissionDenied
        try:
            digits = parse_orgnr(orgnr).digits
        except DjangoValidationError:
            raise Http404 from None
        employer = Employer.objects.filter(orgnr=digits).first()
        if employer is None:
            raise Http404
        data = profile.build(employer, user=request.user)
        services.record_profile_read(employer, actor=request.user)
        body = {
            "employer": employer,
            "inspections": {"count": data.inspections_total, "results": data.inspections},
            "findings": {"count": data.findings_total, "results": data.findings},
            "cases": data.cases,
            "tips": data.tips,
            "workplaces": data.workplaces,
            "co_employers": data.co_employers,
            "link_candidates": [
                {
                    "tip": tip,
                    "employer_name": tip.employer_name,
                    "address": tip.address,
                    "reasons": reasons,
                }
                for tip, reasons in data.link_candidates
            ],
        }
        return Response(ProfileSerializer(body).data)


def _require_ranking(user) -> None:
    if not user.has_perm("inspections.coordinate_inspection"):
        raise PermissionDenied(_("Only coordinators plan controls from the risk ranking."))


class RiskCandidatesView(APIView):
    """GET /api/v1/risk/candidates/?centre=&industries=&period=: the ranked candidates."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("centre", OpenApiTypes.STR, required=True),
            OpenApiParameter(
                "industries",
                OpenApiTypes.STR,
                description="Risk-table keys or SNI prefixes, comma separated",
            ),
            OpenApiParameter(
                "period", OpenApiTypes.STR, description="2026-12, 2026 or 2026-12-01/2026-12-31"
            ),
            OpenApiParameter("limit", OpenApiTypes.INT),
            OpenApiParameter("random_share", OpenApiTypes.NUMBER),
        ],
        responses={200: CandidateListSerializer},
        summary="Risk-ranked candidate workplaces (scoped)",
    )
    def get(self, request):
        _require_ranking(request.user)
        query = request.query_params
        ranking = risk.build_request(
            centre=query.get("centre", ""),
            industries=query.getlist("industries"),
            period=query.get("period", ""),
            limit=query.get("limit"),
            random_share=query.get("random_share"),
            today=timezone.localdate(),
        )
        candidates = risk.rank(ranking, user=request.user)
        body = {
            "centre": ranking.centre.code,
            "industries": list(ranking.prefixes),
            "period_start": ranking.start,
            "period_end": ranking.end,
            "results": [
                {
                    "rank": c.rank,
                    "score": c.score,
                    "basis": c.basis,
                    "workplace": c.workplace,
                    "employers": c.employers,
                    "factors": [
                        {
                            "key": f.key,
                            "label": f.label,
                            "points": f.points,
                            "explanation": f.explanation,
                            "detail": f.detail,
                        }
                        for f in c.factors
                    ],
                }
                for c in candidates
            ],
        }
        return Response(CandidateListSerializer(body).data)


class RiskPlanView(APIView):
    """POST /api/v1/risk/plan/: plan picked candidates into an operation."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=PlanInputSerializer,
        responses={201: PlannedSerializer(many=True)},
        summary="Plan candidates from the risk ranking into an operation",
    )
    def post(self, request):
        _require_ranking(request.user)
        payload = PlanInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        operation = (
            ControlOperation.objects.visible_to(request.user)
            .filter(pk=payload.validated_data["operation"])
            .first()
        )
        if operation is None:
            raise Http404
        planned = services.plan_from_ranking(
            operation=operation,
            picks=[(p["workplace"], p["basis"]) for p in payload.validated_data["picks"]],
            planned_date=payload.validated_data["planned_date"],
            actor=request.user,
        )
        return Response(PlannedSerializer(planned, many=True).data, status=status.HTTP_201_CREATED)
