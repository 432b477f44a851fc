"""The CSV export of every viewset whose list can be downloaded (docs/architecture.md,
"Exports"): the list's records in the caller's scope with the list's own filters, written
and audited by the app's service, served by `network.exports.csv_response`."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from network.exports import csv_response
from network.renderers import CSVRenderer

if TYPE_CHECKING:
    from rest_framework.generics import GenericAPIView

    _ViewSet = GenericAPIView[Any]
else:
    _ViewSet = object


class CsvExportActionMixin(_ViewSet):
    # The app's service, `export_..._csv(queryset, *, actor, filters) -> str`, as a
    # staticmethod, and the name of the downloaded file.
    export_csv: Callable[..., str]
    export_filename: str

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=False, methods=["get"], renderer_classes=[JSONRenderer, CSVRenderer])
    def export(self, request: Request) -> HttpResponse:
        records = self.filter_queryset(self.get_queryset())
        body = self.export_csv(records, actor=request.user, filters=dict(request.GET.items()))
        return csv_response(body, self.export_filename)
