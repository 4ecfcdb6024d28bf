import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from pishkhan.mail.imap import mailboxes_to_poll, poll_all


class Command(BaseCommand):
    help = (
        "Fetch new mail from the mailboxes' IMAP servers and turn it into tickets and replies: "
        "once, or every --loop seconds until stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", metavar="ADDRESS", help="poll only this mailbox")
        parser.add_argument(
            "--loop", type=float, metavar="SECONDS", help="poll again every SECONDS until stopped"
        )

    def handle(self, *args, mailbox=None, loop=None, **options):
        if mailbox is not None and not mailboxes_to_poll(address=mailbox).exists():
            raise CommandError(f"no active IMAP mailbox with the address {mailbox}")
        if loop is not None and loop <= 0:
            raise CommandError("--loop needs a number of seconds greater than 0")
        stop = threading.Event()
        if loop is not None:
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_args: stop.set())
        while True:
            errors = self._poll_once(address=mailbox)
            if loop is None:
                break
            # A long-running poller must not keep a connection the database has dropped.
            close_old_connections()
            if stop.wait(loop):
                break
        if loop is None and errors:
            raise CommandError(f"{errors} mailbox(es) could not be polled")

    def _poll_once(self, *, address: str | None) -> int:
        errors = 0
        for mailbox, result in poll_all(address=address):
            line = (
                f"{mailbox.address}: fetched {result.fetched}, processed {result.processed}, "
                f"failed {result.failed}"
            )
            if result.error:
                errors += 1
                line += f"; error: {result.error}"
            self.stdout.write(line)
        self.stdout.flush()
        return errors
