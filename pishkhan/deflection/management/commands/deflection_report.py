import json
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError

from pishkhan.deflection import selectors
from pishkhan.sla import reports as periods
from pishkhan.tenancy.models import Tenant


class Command(BaseCommand):
    help = (
        "The deflection report of one tenant as JSON (articles suggested before a ticket): "
        "visits of the new-request form, tickets submitted, requests deflected per article, "
        "and the searches that found nothing."
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
            "--searches", type=int, default=50, help="how many empty searches to list (50)"
        )

    def handle(self, *args, tenant, start=None, end=None, searches=50, **options):
        one = Tenant.objects.filter(slug=tenant).first()
        if one is None:
            raise CommandError(f"no tenant with the slug {tenant!r}")
        try:
            first, last = periods.period_from(start, end, tz=ZoneInfo(one.time_zone))
        except periods.PeriodError as exc:
            raise CommandError(
                f"bad period ({exc.code}): give days as 2026-11-22 or 1405/09/01"
            ) from exc
        report = selectors.deflection_report(tenant=one, start=first, end=last)
        empty = selectors.empty_search_list(tenant=one, start=first, end=last)[: max(0, searches)]
        out = {
            "tenant": one.slug,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "visits": report.visits,
            "with_suggestions": report.with_suggestions,
            "with_opened": report.with_opened,
            "submitted": report.submitted,
            "deflected": report.deflected,
            "articles": selectors.article_rows(report),
            "empty_searches": [
                {
                    "query": row["query"],
                    "normalized": row["normalized"],
                    "count": row["count"],
                    "last_at": row["last_at"].isoformat(),
                }
                for row in empty
            ],
        }
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))
