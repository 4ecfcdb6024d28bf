from django.core.management.base import BaseCommand

from pishkhan.outbox.services import outbound_retry_due


class Command(BaseCommand):
    help = (
        "Send the stored mails whose retry is due (for task backends that cannot plan a job "
        "for later; harmless to run beside a worker)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="At most this many mails.")

    def handle(self, *args, limit: int, **options):
        sent = outbound_retry_due(limit=limit)
        self.stdout.write(f"{sent}")
