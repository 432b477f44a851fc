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
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.employers.models import Employer
from inspections import profile, risk
from inspections.api.serializers import (
    CandidateListSerializer,
    PlanInputSerializer,
    PlannedSerializer,
    ProfileSerializer,
)
from inspections.models import ControlOperation
from inspections.services import selection
from network.identifiers import parse_orgnr

# --- shapes ---------------------------------------------------------------------------------


class EmployerProfileView(APIView):
    """GET /api/v1/employers/{orgnr}/profile/: what the caller may see about one employer."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("orgnr", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses={200: ProfileSerializer},
        summary="Employer profile (scoped)",
    )
    def get(self, request, orgnr: str):
        if not request.user.has_perm("cases.work_on_employers"):
            raise PermissionDenied
        try:
            digits = parse_orgnr(orgnr).digits
        except DjangoValidationError:
            raise Http404 from None
        employer = Employer.objects.filter(orgnr=digits).first()
        if employer is None:
            raise Http404
        data = profile.build(employer, user=request.user)
        selection.record_profile_read(employer, actor=request.user)
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
        planned = selection.plan_from_ranking(
            operation=operation,
            picks=[(p["workplace"], p["basis"]) for p in payload.validated_data["picks"]],
            planned_date=payload.validated_data["planned_date"],
            actor=request.user,
        )
        return Response(PlannedSerializer(planned, many=True).data, status=status.HTTP_201_CREATED)
