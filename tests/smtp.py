"""A real SMTP server (aiosmtpd) on a loopback port: what the tests read is what a customer's
mail server would have received."""

import socket
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Collector:
    """An aiosmtpd handler that keeps every message, or refuses recipients with `refuse`."""

    envelopes: list = field(default_factory=list)
    refuse: str = ""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [
            message_from_bytes(e.original_content, policy=default_policy) for e in self.envelopes
        ]


class SmtpServer:
    """One port for the whole test: `stop()` makes it look down, `start()` brings it back."""

    def __init__(self):
        self.port = free_port()
        self.handler = Collector()
        self.controller: Controller | None = None

    def start(self) -> None:
        if self.controller is None:
            self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
            self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages
