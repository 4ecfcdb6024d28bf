import signal
import threading

from django.core.management.base import BaseCommand

from pishkhan.mail.receiver import ReceiverController


class Command(BaseCommand):
    help = (
        "Receive mail for the tenants' mailboxes over SMTP (or LMTP behind a mail server) and "
        "turn it into tickets and replies."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)
        parser.add_argument("--lmtp", action="store_true", help="speak LMTP instead of SMTP")

    def handle(self, *args, host, port, lmtp, **options):
        controller = ReceiverController(host=host, port=port, lmtp=lmtp)
        controller.start()
        protocol = "LMTP" if lmtp else "SMTP"
        self.stdout.write(f"receiving mail ({protocol}) on {host}:{port}", ending="\n")
        self.stdout.flush()
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_args: stop.set())
        stop.wait()
        controller.stop()
