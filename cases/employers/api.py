"""The employer registry over HTTP."""

from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated

from cases.employers import services
from cases.employers.filters import EmployerFilterSet
from cases.employers.models import Employer
from cases.employers.serializers import (
    EmployerSerializer,
)
from network.api.base import HasCapability
from network.http import user_of


class EmployerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Employers by organisation number: registry data every member may read."""

    serializer_class = EmployerSerializer
    filterset_class = EmployerFilterSet
    permission_classes = [IsAuthenticated, HasCapability]
    capabilities = {
        "list": "cases.work_on_employers",
        "retrieve": "cases.work_on_employers",
        "create": "cases.add_employer",
    }

    def get_queryset(self):
        return Employer.objects.visible_to(self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.register_employer(
            orgnr=data["orgnr"],
            name=data["name"],
            sni_codes=data.get("sni_codes", []),
            street_address=data.get("street_address", ""),
            postal_code=data.get("postal_code", ""),
            city=data.get("city", ""),
            phone=data.get("phone", ""),
            actor=user_of(self.request),
        )
