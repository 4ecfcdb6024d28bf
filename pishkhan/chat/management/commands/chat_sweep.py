"""`pishkhan chat-sweep`: offer again every waiting chat whose offer ran out or that nobody
holds (after a restart, or with a job backend that cannot defer). Safe to run any time, e.g.
from cron each minute; prints how many chats it looked at."""

import json

from django.core.management.base import BaseCommand

from pishkhan.chat.services import chat_offers_sweep


class Command(BaseCommand):
    help = "Re-offer waiting chats whose offer expired or that nobody holds."

    def handle(self, *args, **options):
        count = chat_offers_sweep()
        self.stdout.write(json.dumps({"chats": count}))
