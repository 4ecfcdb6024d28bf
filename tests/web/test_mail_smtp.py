"""Mail leaves through a real SMTP server (aiosmtpd), in the reader's language."""

import email
import socket
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(
            (envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=default_policy))
        )
        return "250 OK"


@pytest.fixture
def smtp(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield inbox
    controller.stop()


def test_password_reset_mail_arrives_over_smtp_in_persian(alpha, smtp):
    alpha.client().post("/password-reset/", {"email": alpha.customer.email})
    [(recipients, message)] = smtp.messages
    assert recipients == [alpha.customer.email]
    body = message.get_content()
    assert "گذرواژه" in message["Subject"] and f"http://{alpha.host}/password-reset/" in body


def test_agent_reply_notification_arrives_over_smtp(
    alpha, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        alpha.client(alpha.agent).post(
            f"/agent/tickets/{alpha.ticket.number}/message/",
            {"kind": "reply", "body": "مشکل برطرف شد؛ لطفاً بررسی کنید."},
        )
    [(recipients, message)] = smtp.messages
    assert recipients == [alpha.customer.email]
    assert "مشکل برطرف شد" in message.get_body(("plain",)).get_content()
    assert "۱" in message["Subject"]  # the ticket number, in Persian digits
