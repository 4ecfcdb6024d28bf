"""Downloading a ticket's files."""

from django.http import FileResponse
from ninja import Router

from pishkhan.api.errors import not_found
from pishkhan.api.schemas import ErrorOut
from pishkhan.tickets import selectors
from pishkhan.tickets.attachments import ALLOWED_TYPES

router = Router(tags=["attachments"])

# A file is served as the type decided on upload: one of these, never a generic stream.
FILE_TYPES = sorted({content_type.split(";")[0] for content_type in ALLOWED_TYPES.values()})


@router.get(
    "/attachments/{int:attachment_id}",
    url_name="attachment_download",
    response={200: None, 404: ErrorOut},
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as an attachment.",
                "content": {
                    media_type: {"schema": {"type": "string", "format": "binary"}}
                    for media_type in FILE_TYPES
                },
            }
        }
    },
)
def attachment_download(request, attachment_id: int):
    attachment = selectors.attachment_get(
        tenant=request.tenant, attachment_id=attachment_id, staff=True
    )
    if attachment is None or not attachment.file.storage.exists(attachment.file.name):
        raise not_found()
    # The type is the one decided on upload, never the sender's; with nosniff the browser
    # keeps to it. FileResponse encodes a non-ASCII name as RFC 5987 filename*.
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
