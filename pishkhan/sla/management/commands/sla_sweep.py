"""`pishkhan sla-sweep`: tell of every SLA clock whose at-risk or due moment has passed with
nobody told yet, as the job worker does every SLA_SWEEP_SECONDS. For a job backend that
cannot run jobs later, or from cron; safe to run any time and beside a worker (each clock is
told once). Prints what it told as one JSON line."""

import json

from django.core.management.base import BaseCommand

from pishkhan.sla.services import clocks_sweep
from pishkhan.sla.tasks import sweep_report


class Command(BaseCommand):
    help = "Tell of the SLA clocks come at risk or due (what the job worker's sweep does)."

    def handle(self, *args, **options):
        told, failed = [], 0
        while True:
            result = clocks_sweep()
            told += result.told
            failed += result.failed
            if not result.more:
                break
        self.stdout.write(json.dumps(sweep_report(told, failed)))
