"""Actions several viewsets share, each through the app's own service (docs/architecture.md,
"Shared plumbing"):

- the attachment download of every viewset whose objects carry files: found in the caller's
  scope through the viewset's `get_object` (404 outside it), audited by the app's service,
  then served by `network.files.download`;
- the CSV export of every list that can be downloaded (docs/architecture.md, "Exports"): the
  list's records in the caller's scope with the list's own filters, written and audited by
  the app's service, served by `network.exports.csv_response`."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from network import files
from network.api.schema import ATTACHMENT_DOWNLOAD
from network.exports import csv_response
from network.renderers import CSVRenderer

if TYPE_CHECKING:
    from rest_framework.generics import GenericAPIView

    _ViewSet = GenericAPIView[Any]
else:
    _ViewSet = object


class AttachmentDownloadActionMixin(_ViewSet):
    # The app's service, `record_attachment_download(attachment, *, actor)`, as a staticmethod.
    record_attachment_download: Callable[..., object]

    @extend_schema(responses=ATTACHMENT_DOWNLOAD)
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[0-9]+)/download",
        filterset_class=None,
    )
    def download_attachment(
        self, request: Request, pk: str | None = None, attachment_id: str | None = None
    ) -> FileResponse:
        parent = self.get_object()
        attachment = get_object_or_404(parent.attachments, pk=attachment_id)
        self.record_attachment_download(attachment, actor=request.user)
        return files.download(attachment)


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
