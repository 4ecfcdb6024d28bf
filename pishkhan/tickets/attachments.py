"""Attachment limits: how many, how large, which types. Checked before anything is written."""

import hashlib
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import translation
from django.utils.translation import gettext as _

from pishkhan.core.persian import to_persian_number
from pishkhan.tenancy.models import Tenant

MAX_FILES_PER_MESSAGE = 5

# Extension → content type we serve it as. Anything executable or scriptable in a browser
# (html, svg, js, exe …) is refused; what we serve is what we decided, not what the sender said.
ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".txt": "text/plain; charset=utf-8",
    ".log": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".zip": "application/zip",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
}

# The first bytes a file of this type must start with; catches a renamed executable.
MAGIC = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),
    ".zip": (b"PK\x03\x04", b"PK\x05\x06"),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
}


class CheckedFile:
    def __init__(self, upload: UploadedFile, filename: str, content_type: str, sha256: str):
        self.upload = upload
        self.filename = filename
        self.content_type = content_type
        self.sha256 = sha256
        self.size = upload.size


def _safe_name(name: str) -> str:
    name = PurePosixPath(name.replace("\\", "/")).name.strip()
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*')
    return name[:200] or "file"


def _megabytes(num_bytes: int) -> str:
    """A size limit in megabytes as the reader writes it: «۲٫۵» in Persian, 2.5 in English."""
    text = format(round(num_bytes / 1024 / 1024, 1), "g")
    return to_persian_number(text) if (translation.get_language() or "fa")[:2] == "fa" else text


def check_files(*, tenant: Tenant, files: list[UploadedFile]) -> list[CheckedFile]:
    if len(files) > MAX_FILES_PER_MESSAGE:
        raise ValidationError(
            {"attachments": [_("At most %(n)s files per message.") % {"n": MAX_FILES_PER_MESSAGE}]}
        )
    checked = []
    errors = []
    for upload in files:
        name = _safe_name(upload.name or "")
        suffix = PurePosixPath(name).suffix.lower()
        if suffix not in ALLOWED_TYPES:
            errors.append(
                _("%(name)s: this file type is not accepted. Accepted: %(types)s.")
                % {"name": name, "types": " ".join(sorted(ALLOWED_TYPES))}
            )
            continue
        if upload.size == 0:
            errors.append(_("%(name)s is empty.") % {"name": name})
            continue
        if upload.size > tenant.attachment_max_bytes:
            errors.append(
                _("%(name)s is larger than %(mb)s MB.")
                % {"name": name, "mb": _megabytes(tenant.attachment_max_bytes)}
            )
            continue
        digest = hashlib.sha256()
        head = b""
        upload.seek(0)
        for chunk in upload.chunks():
            if not head:
                head = chunk[:16]
            digest.update(chunk)
        upload.seek(0)
        if suffix in MAGIC and not head.startswith(MAGIC[suffix]):
            errors.append(
                _("%(name)s does not look like a %(type)s file.") % {"name": name, "type": suffix}
            )
            continue
        checked.append(CheckedFile(upload, name, ALLOWED_TYPES[suffix], digest.hexdigest()))
    if errors:
        raise ValidationError({"attachments": errors})
    return checked
