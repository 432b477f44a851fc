"""Files of a control: added by the coordinator or an agency taking part, each download
recorded."""

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from inspections.models import Inspection, InspectionAttachment
from network.files import attach
from network.models import User
from network.policies import record_read, require
from network.services import record_event


@transaction.atomic
def add_attachment(
    inspection: Inspection, *, upload: UploadedFile[bytes], actor: User
) -> InspectionAttachment:
    """A file from the control, by the coordinator or an agency that accepted to take part."""
    require(
        actor,
        "add_attachment",
        inspection,
        _("Only the coordinator or an agency taking part may add files."),
    )
    attachment = attach(
        InspectionAttachment(inspection=inspection, agency=actor.agency, uploaded_by=actor),
        upload,
    )
    record_event(
        "inspection.attachment_added",
        actor=actor,
        obj=inspection,
        changes={"attachment": attachment.pk, "filename": attachment.filename},
    )
    return attachment


def record_attachment_download(attachment: InspectionAttachment, *, actor: User) -> None:
    """A file of the inspection leaves akrim: recorded with the basis the actor sees it on."""
    record_read(
        actor,
        attachment.inspection,
        action="inspection.attachment_downloaded",
        route="download",
        changes={"attachment": attachment.pk, "filename": attachment.filename},
    )
