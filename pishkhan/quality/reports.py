"""Quality reports: satisfaction (C-4) per agent, department or for all, and review scores
(C-3) per agent, over a period of whole days in the tenant's time zone.

Surveys count in the period they were *sent*: the answer rate of a period is then the share of
its surveys that were answered, whenever the answer came. A survey counts once however often
its answer was changed; "satisfied" is a 4 or a 5 (the usual CSAT measure)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import override

from pishkhan.accounts.models import User
from pishkhan.quality.models import Dispute, Review, Survey
from pishkhan.tenancy.models import Tenant
from pishkhan.tickets.models import Department

CSAT_GROUPS = ("agent", "department", "none")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
ONE_PLACE = Decimal("0.1")
TWO_PLACES = Decimal("0.01")


def period_bounds(tenant: Tenant, start: date, end: date) -> tuple[datetime, datetime]:
    tz = ZoneInfo(tenant.time_zone)
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


@dataclass
class CsatRow:
    key: int | None
    label: str
    sent: int = 0
    answered: int = 0
    satisfied: int = 0
    score_sum: int = 0
    counts: dict = field(default_factory=lambda: dict.fromkeys(range(1, 6), 0))

    @property
    def csat_percent(self) -> Decimal | None:
        return _percent(self.satisfied, self.answered)

    @property
    def average(self) -> Decimal | None:
        if not self.answered:
            return None
        return (Decimal(self.score_sum) / self.answered).quantize(
            TWO_PLACES, rounding=ROUND_HALF_UP
        )

    @property
    def answer_rate(self) -> Decimal | None:
        return _percent(self.answered, self.sent)


@dataclass
class CsatReport:
    start: date
    end: date
    group_by: str
    rows: list[CsatRow]
    total: CsatRow


def _labels(tenant: Tenant, group_by: str, keys: set, language: str) -> dict:
    keys.discard(None)
    if group_by == "agent":
        # The keys come from this tenant's own surveys.
        users = User.objects.filter(pk__in=keys)
        return {u.pk: u.full_name or u.email for u in users}
    if group_by == "department":
        return {
            d.pk: d.label(language)
            for d in Department.objects.for_tenant(tenant).filter(pk__in=keys)
        }
    return {}


def csat_report(
    *,
    tenant: Tenant,
    start: date,
    end: date,
    group_by: str = "agent",
    agent_id: int | None = None,
    department_id: int | None = None,
    language: str = "fa",
) -> CsatReport:
    """Two queries: the counts per group and score, then the groups' names."""
    group_by = group_by if group_by in CSAT_GROUPS else "agent"
    since, until = period_bounds(tenant, start, end)
    qs = Survey.objects.for_tenant(tenant).filter(created_at__gte=since, created_at__lt=until)
    if agent_id is not None:
        qs = qs.filter(agent_id=agent_id)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    column = {"agent": "agent_id", "department": "department_id", "none": None}[group_by]
    values = [column, "score"] if column else ["score"]
    counted = qs.values(*values).annotate(n=Count("pk")).order_by()
    rows: dict = {}
    with override(language):
        total = CsatRow(key=None, label=_("All"))
        nobody = _("Unassigned") if group_by == "agent" else _("No department")
    for item in counted:
        key = item[column] if column else None
        targets = [total] if group_by == "none" else [total, rows.setdefault(key, CsatRow(key, ""))]
        for row in targets:
            row.sent += item["n"]
            if item["score"] is not None:
                row.answered += item["n"]
                row.score_sum += item["score"] * item["n"]
                row.counts[item["score"]] += item["n"]
                if item["score"] >= 4:
                    row.satisfied += item["n"]
    labels = _labels(tenant, group_by, set(rows), language)
    for key, row in rows.items():
        row.label = labels.get(key, nobody) if key is not None else nobody
    ordered = sorted(rows.values(), key=lambda r: (r.key is None, r.label))
    return CsatReport(start=start, end=end, group_by=group_by, rows=ordered, total=total)


def _number(value) -> str:
    return "" if value is None else str(value)


def csat_csv(report: CsatReport, language: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    with override(language):
        writer.writerow(
            [
                {"agent": _("Agent"), "department": _("Department"), "none": _("Group")}[
                    report.group_by
                ],
                _("Surveys sent"),
                _("Answered"),
                _("Answer rate (%)"),
                _("Satisfied (4-5)"),
                _("CSAT (%)"),
                _("Average (1-5)"),
            ]
        )
    for row in [*report.rows, report.total]:
        writer.writerow(
            [
                row.label,
                row.sent,
                row.answered,
                _number(row.answer_rate),
                row.satisfied,
                _number(row.csat_percent),
                _number(row.average),
            ]
        )
    return buffer.getvalue()


@dataclass
class ReviewRow:
    agent_id: int | None
    label: str
    reviews: int
    average: Decimal | None
    disputes: int
    revised: int


def review_report(
    *, tenant: Tenant, start: date, end: date, agent_id: int | None = None, language: str = "fa"
) -> list[ReviewRow]:
    """Per agent: reviews made in the period, their average score, disputes raised on them
    and how many of those ended revised. Two queries."""
    since, until = period_bounds(tenant, start, end)
    qs = Review.objects.for_tenant(tenant).filter(created_at__gte=since, created_at__lt=until)
    if agent_id is not None:
        qs = qs.filter(agent_id=agent_id)
    rows = (
        qs.values("agent_id", "agent__full_name", "agent__email")
        .annotate(reviews=Count("pk"), total=Sum("score"))
        .order_by("agent__full_name", "agent_id")
    )
    disputes = {
        item["review__agent_id"]: item
        for item in Dispute.objects.for_tenant(tenant)
        .filter(review__in=qs)
        .values("review__agent_id")
        .annotate(n=Count("pk"), revised=Count("pk", filter=Q(outcome="revised")))
        .order_by()
    }
    result = []
    for item in rows:
        # Sum, then divide in Decimal: the average of exact scores stays exact.
        average = (Decimal(item["total"]) / item["reviews"]).quantize(
            TWO_PLACES, rounding=ROUND_HALF_UP
        )
        disputed = disputes.get(item["agent_id"], {})
        result.append(
            ReviewRow(
                agent_id=item["agent_id"],
                label=item["agent__full_name"] or item["agent__email"],
                reviews=item["reviews"],
                average=average,
                disputes=disputed.get("n", 0),
                revised=disputed.get("revised", 0),
            )
        )
    return result


def review_csv(rows: list[ReviewRow], language: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    with override(language):
        writer.writerow(
            [_("Agent"), _("Reviews"), _("Average score (%)"), _("Disputes"), _("Revised")]
        )
    for row in rows:
        writer.writerow([row.label, row.reviews, _number(row.average), row.disputes, row.revised])
    return buffer.getvalue()


def csv_filename(kind: str, start: date, end: date) -> str:
    return f"{kind}-{start.isoformat()}-{end.isoformat()}.csv"
