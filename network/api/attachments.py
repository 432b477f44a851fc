"""The attachment download of every viewset whose objects carry files (docs/architecture.md,
"Shared plumbing"): found in the caller's scope through the viewset's `get_object` (404
outside it), audited by the app's service, then served by `network.files.download`."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from network import files
from network.api.schema import ATTACHMENT_DOWNLOAD


class AttachmentDownloadActionMixin:
    # The app's service, `record_attachment_download(attachment, *, actor)`, as a staticmethod.
    record_attachment_download = None

    @extend_schema(responses=ATTACHMENT_DOWNLOAD)
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[0-9]+)/download",
        filterset_class=None,
    )
    def download_attachment(self, request, pk=None, attachment_id=None):
        parent = self.get_object()
        attachment = get_object_or_404(parent.attachments, pk=attachment_id)
        self.record_attachment_download(attachment, actor=request.user)
        return files.download(attachment)
