"""Triage of the public's tips over HTTP: coordinators of Arbetsmiljöverket and the regional
centres (and an agency for the tips forwarded to it). Everyone else: 404."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from cases.tips import services
from cases.tips.filters import TipFilterSet
from cases.tips.models import Tip
from cases.tips.policies import is_tip_coordinator
from cases.tips.serializers import TipSerializer, TipSummarySerializer, TriageSerializer
from cases.tips.states import allowed_actions
from network.api.base import ScopedViewSetMixin
from network.policies import record_read, require


@extend_schema_view(
    list=extend_schema(
        description="Tips, filtered as in the triage queue (`centre`, `county`, `outcome`);"
        " without `outcome`, every tip the caller may see, not only the new ones the queue"
        " shows first."
    )
)
class TipViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    scoped_model = Tip
    serializer_class = TipSerializer
    # The queue's FilterSet without its default (network/filters.py, DefaultedFilterSet);
    # `triage` finds its tip by id alone (filterset_class=None).
    filterset_class = TipFilterSet
    select_related = ("county", "forwarded_to", "case")
    capabilities = {
        "list": "cases.triage_tips",
        "retrieve": "cases.work_on_tips",
        "triage": "cases.triage_tips",
    }

    def list(self, request, *args, **kwargs):
        if not is_tip_coordinator(request.user):
            self.permission_denied(request)
        return super().list(request, *args, **kwargs)

    def get_serializer_class(self):
        """The list shows summaries; only the detail shows what the person wrote."""
        if self.action == "list":
            return TipSummarySerializer
        return super().get_serializer_class()

    def retrieve(self, request, *args, **kwargs):
        tip = self.get_object()
        record_read(request.user, tip, require(request.user, "view", tip), route="tip-detail")
        return Response(self.get_serializer(tip).data)

    @extend_schema(request=TriageSerializer, responses={200: TipSerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def triage(self, request, pk=None):
        """One triage action: dismiss (reason), case (agency = owner), forward (agency),
        employer (orgnr), propose. Each is audited."""
        tip = self.get_object()
        body = TriageSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        kind = data["action"]
        if kind not in allowed_actions(tip):
            # The tip's state no longer allows this decision (cases/tips/states.py).
            self.permission_denied(
                request, message=_("This decision no longer applies to the tip.")
            )
        if kind in {"case", "forward"} and "agency" not in data:
            raise ValidationError({"agency": ["This field is required."]})
        if kind == "dismiss":
            services.dismiss_tip(tip, reason=data["reason"], actor=request.user)
        elif kind == "case":
            services.create_case_from_tip(tip, owner_agency=data["agency"], actor=request.user)
        elif kind == "forward":
            services.forward_tip(tip, agency=data["agency"], actor=request.user)
        elif kind == "employer":
            services.link_tip_to_employer(tip, orgnr=data.get("orgnr", ""), actor=request.user)
        else:
            services.propose_tip_for_inspection(tip, actor=request.user)
        return Response(TipSerializer(Tip.objects.get(pk=tip.pk)).data)
