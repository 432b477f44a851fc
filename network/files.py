"""Checking uploaded files, for every app that takes attachments.

A file is accepted only if its extension is on the list, it is not too large, and its first
bytes match its type (a renamed program is refused). Every check runs before anything is
written, so a refused upload leaves nothing behind. Files are stored under their SHA-256 in
private storage, outside any web root, and served only by permission-checked, audited views.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils.translation import gettext as _

from network.models import PrivateFile

MAX_ATTACHMENT_BYTES = getattr(settings, "AKRIM_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
# Extension -> (content type, leading bytes that must match, or None for text).
ATTACHMENT_TYPES = {
    "pdf": ("application/pdf", b"%PDF-"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
    "txt": ("text/plain", None),
    "csv": ("text/csv", None),
}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    content: bytes
    sha256: str


def check_upload(upload: UploadedFile[bytes]) -> CheckedFile:
    """The upload's name, type, bytes and digest, or a ValidationError on `file`."""
    name = (upload.name or "").rsplit("/", 1)[-1][:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(
            {
                "file": [
                    _("Files of this type cannot be attached. Allowed: %(types)s.")
                    % {"types": ", ".join(sorted(ATTACHMENT_TYPES))}
                ]
            }
        )
    if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            {
                "file": [
                    _("The file is too large: at most %(mb)s MB.")
                    % {"mb": max(MAX_ATTACHMENT_BYTES // (1024 * 1024), 1)}
                ]
            }
        )
    content = upload.read()
    content_type, magic = ATTACHMENT_TYPES[extension]
    if (magic is not None and not content.startswith(magic)) or (
        magic is None and b"\x00" in content[:4096]
    ):
        raise ValidationError({"file": [_("The file's content does not match its type.")]})
    return CheckedFile(name, content_type, content, hashlib.sha256(content).hexdigest())


def attach[F: PrivateFile](attachment: F, upload: UploadedFile[bytes]) -> F:
    """Check `upload` and store it as the unsaved `attachment` (a `PrivateFile` whose parent
    and uploader are set): the one way every app stores a file. Nothing is written when the
    check fails; the caller's transaction and audit event cover the rest."""
    checked = check_upload(upload)
    attachment.filename = checked.name
    attachment.content_type = checked.content_type
    attachment.size = len(checked.content)
    attachment.sha256 = checked.sha256
    attachment.file.save(checked.sha256, ContentFile(checked.content), save=False)
    attachment.save()
    return attachment


def download(private_file: PrivateFile) -> FileResponse:
    """Serve a `PrivateFile` as a download. Callers have found it in scope and audited the
    download first."""
    return FileResponse(
        private_file.file.open("rb"),
        as_attachment=True,
        filename=private_file.filename,
        content_type=private_file.content_type,
    )
