"""Isolation cases of the chat widget's routes (merged into tests/web/test_isolation.py by
the chat routes). A file id of beta's, asked on alpha's host, is nobody's file there."""

from django.core.files.uploadedfile import SimpleUploadedFile

from pishkhan.chat.services import chat_start, visitor_identify
from pishkhan.chat.widget.services import attachment_upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

ROUTES: dict = {
    "widget_script": {},
    "widget_config": {},
    "widget_upload": {},
    "widget_file": {"pk": "widget_file"},
    "widget_offline": {},
    "widget_rate": {},
    "widget_transcript": {},
    "widget_test_page": {},
    "widget_snippet": {},
}
POST_ROUTES: tuple = ("widget_upload", "widget_offline", "widget_rate", "widget_transcript")


def beta_objects(beta) -> dict:
    """A visitor of beta's in a chat, with a file sent into it."""
    from tests.chat.conftest import online, open_all_hours

    open_all_hours(beta.tenant)
    online(beta, beta.agent)
    visitor = visitor_identify(tenant=beta.tenant, key=None, name="مهمان بتا", language="fa")
    chat = chat_start(tenant=beta.tenant, visitor=visitor, text="سلام")
    (stored,) = attachment_upload(
        tenant=beta.tenant,
        visitor=visitor,
        chat=chat,
        files=[SimpleUploadedFile("شکل.png", PNG, content_type="image/png")],
    )
    return {"widget_file": stored.pk}
