from django.contrib.auth import authenticate
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from network import ratelimit, tokens, twofactor
from network.api.base import ScopedViewSetMixin
from network.api.pagination import CodeCursorPagination
from network.api.serializers import (
    AgencySerializer,
    AuditEventSerializer,
    MeSerializer,
    ReviewNoteSerializer,
    SampleRequestSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    TooManyRequestsSerializer,
)
from network.filters import AuditEventFilterSet
from network.http import user_of
from network.lockout import lockout_response
from network.models import Agency, AuditEvent, AuditEventReview
from network.services import mark_event_reviewed, sample_events


class TokenView(APIView):
    """Exchange a username and password (and, for those who need it, a second factor) for a
    new API token that expires (network.tokens)."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, 429: TooManyRequestsSerializer},
        auth=[],
    )
    def post(self, request: Request) -> HttpResponse:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credentials = serializer.validated_data
        wait = ratelimit.check(
            request,
            ("token:ip", ratelimit.client_ip(request)),
            ("token:username", credentials["username"].strip().lower()),
        )
        if wait:
            return ratelimit.too_many_requests(request._request, wait)
        # The plain Django request: django-axes marks it when this login locks someone out.
        user = authenticate(
            request=request._request,
            username=credentials["username"],
            password=credentials["password"],
        )
        if getattr(request._request, "axes_locked_out", False):
            return lockout_response(request._request)
        if user is None or user.active_membership is None:
            raise ValidationError(
                {"non_field_errors": [_("Wrong username or password.")]}, code="authorization"
            )
        code = credentials.get("otp", "")
        verified = False
        if twofactor.needs_two_factor(user) or code:
            # A code sent by someone who does not need it is checked all the same: the token
            # then keeps working if they later get a role that needs the second factor.
            problem = twofactor.verify_for_token(user, code)
            if problem:
                raise ValidationError({"otp": [problem]}, code="authorization")
            verified = True
        token = tokens.issue_token(user, two_factor=verified, actor=user)
        return Response({"token": token}, status=status.HTTP_200_OK)


class MeView(APIView):
    """Who the caller is: username, agency code and roles."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        # The dict MeSerializer would make (every field a read-only string, the roles a
        # list of strings), built directly: the serializer's fields are deep-copied for
        # each instance, more Python than the rest of the view (docs/performance.md,
        # "d: the stack per request"). tests/network/test_request_overhead.py compares both.
        user = user_of(request)
        membership = user.active_membership
        return Response(
            {
                "username": str(user.get_username()),
                "agency": str(membership.agency.code) if membership else None,
                "roles": [str(role) for role in membership.roles] if membership else [],
                "centre": str(membership.centre.code)
                if membership and membership.centre_id and membership.centre
                else None,
            }
        )


class AgencyViewSet(viewsets.ReadOnlyModelViewSet[Agency]):
    """The network's agencies (reference data, open to every signed-in user)."""

    serializer_class = AgencySerializer
    queryset = Agency.objects.filter(active=True)
    lookup_field = "code"
    # Codes are lower-case ASCII: anything else (a NUL byte would reach PostgreSQL and
    # fail there) is simply not found.
    lookup_value_regex = "[a-z0-9_-]+"
    pagination_class = CodeCursorPagination


class AuditEventViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[AuditEvent]):
    """The audit trail of the caller's agency, for its log auditors."""

    scoped_model = AuditEvent
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilterSet
    capabilities = {
        "list": "network.view_auditevent",
        "retrieve": "network.view_auditevent",
        "sample": "network.view_auditevent",
        "review": "network.add_auditeventreview",
    }

    def get_queryset(self) -> QuerySet[AuditEvent]:
        reviewed = AuditEventReview.objects.filter(event=OuterRef("pk"))
        events: QuerySet[AuditEvent] = super().get_queryset()
        return events.annotate(reviewed=Exists(reviewed))

    @extend_schema(parameters=[SampleRequestSerializer], responses=AuditEventSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def sample(self, request: Request) -> Response:
        """N random unreviewed events (filters apply), for the periodic log review."""
        params = SampleRequestSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        events = self.filter_queryset(self.get_queryset())
        sample = sample_events(events, size=params.validated_data["n"], actor=user_of(request))
        return Response(AuditEventSerializer(sample, many=True).data)

    @extend_schema(request=ReviewNoteSerializer, responses=AuditEventSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        """Mark one event reviewed."""
        event = self.get_object()
        body = ReviewNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        mark_event_reviewed(event, note=body.validated_data["note"], actor=user_of(request))
        return Response(AuditEventSerializer(self.get_queryset().get(pk=event.pk)).data)
