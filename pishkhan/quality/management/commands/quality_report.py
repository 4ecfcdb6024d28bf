from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError

from pishkhan.quality import reports
from pishkhan.sla import reports as periods
from pishkhan.tenancy.models import Tenant


class Command(BaseCommand):
    help = (
        "A tenant's quality figures as CSV: satisfaction (surveys sent, answered, CSAT = share "
        "of 4-5, average) per agent or department, or review scores per agent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="the tenant's slug")
        parser.add_argument(
            "--from",
            dest="start",
            help="first day, 2026-11-22 or 1405/09/01 (default: the current Jalali month)",
        )
        parser.add_argument("--to", dest="end", help="last day, included")
        parser.add_argument(
            "--report", choices=["csat", "reviews"], default="csat", help="which figures (csat)"
        )
        parser.add_argument(
            "--group-by", choices=reports.CSAT_GROUPS, default="agent", help="for csat (agent)"
        )
        parser.add_argument("--language", choices=["fa", "en"], default="fa")

    def handle(self, *args, tenant, start=None, end=None, **options):
        one = Tenant.objects.filter(slug=tenant).first()
        if one is None:
            raise CommandError(f"no tenant with the slug {tenant!r}")
        try:
            first, last = periods.period_from(start, end, tz=ZoneInfo(one.time_zone))
        except periods.PeriodError as exc:
            raise CommandError(
                f"bad period ({exc.code}): give days as 2026-11-22 or 1405/09/01"
            ) from exc
        language = options["language"]
        if options["report"] == "reviews":
            rows = reports.review_report(tenant=one, start=first, end=last, language=language)
            self.stdout.write(reports.review_csv(rows, language), ending="")
            return
        report = reports.csat_report(
            tenant=one, start=first, end=last, group_by=options["group_by"], language=language
        )
        self.stdout.write(reports.csat_csv(report, language), ending="")
