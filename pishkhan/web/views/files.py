"""Attachment downloads: served only to those who may see the message they belong to."""

from django.http import FileResponse, Http404

from pishkhan.tickets import selectors


def attachment_download(request, pk: int):
    if not request.user.is_authenticated:
        raise Http404
    attachment = selectors.attachment_get(
        tenant=request.tenant,
        attachment_id=pk,
        customer=request.customer,
        staff=request.membership is not None,
    )
    if attachment is None:
        raise Http404
    inline = attachment.content_type.startswith(("image/", "application/pdf"))
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Files are the customers' own: never let one run as a page of our origin.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, max-age=0"
    return response
