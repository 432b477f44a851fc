"""The attachment download of every viewset whose objects carry files (docs/architecture.md,
"Shared plumbing"): found in the caller's scope through the viewset's `get_object` (404
outside it), audited by the app's service, then served by `network.files.download`."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request

from network import files
from network.api.schema import ATTACHMENT_DOWNLOAD

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
