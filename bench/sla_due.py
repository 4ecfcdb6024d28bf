"""Benchmark: one million SLA due-time computations on the default `office` calendar (issue 3).

Starts are random whole minutes over Solar Hijri 1403-1405 (so weekends, Nowruz and the lunar
holidays all come up); targets cycle through the SPEC S-2 default policy (2bh ... 8bd). The
engine is timed on all of them; a naive reference that steps minute by minute - written here and
only here, as the thing the engine must never be - is timed on a random sample of the same
inputs, and must agree with the engine on every one.

Prints one JSON line: machine, n, microseconds per call for both, and their ratio.
Usage: python bench/sla_due.py [--n 1000000] [--naive-n 300] [--seed 1405]
"""

import argparse
import json
import os
import platform
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Runnable from a plain checkout, not only after `pip install -e .`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pishkhan.core.businesstime import MIDNIGHT, Calendar, Unit, due, parse_target  # noqa: E402
from pishkhan.core.iran_calendar import default_calendar, jalali_to_date  # noqa: E402

# SPEC S-2: first response, restore and resolution targets of the default policy.
TARGETS = ("2bh", "4bh", "8bh", "2bd", "3bd", "6bd", "8bd")
ONE_MINUTE = timedelta(minutes=1)


def naive_due(start: datetime, target: str, calendar: Calendar) -> datetime:
    """The reference the engine replaces: walk the clock a minute at a time, counting the minutes
    that fall in working time, until the target's minutes are used up."""
    parsed = parse_target(target)
    hours = (
        parsed.amount
        if parsed.unit is Unit.BUSINESS_HOURS
        else (parsed.amount * calendar.hours_per_day)
    )
    needed = round(hours * 60)
    current = start.astimezone(UTC)
    while needed > 0:
        local = current.astimezone(calendar.tz)
        if local.date() not in calendar.holidays:
            wall = local.time()
            for begin, end in calendar.week[local.weekday()]:
                if begin <= wall and (end == MIDNIGHT or wall < end):
                    needed -= 1
                    break
        current += ONE_MINUTE
    return current.astimezone(calendar.tz)


def random_starts(count: int, rng: random.Random) -> list[datetime]:
    first = datetime.combine(jalali_to_date("1403/01/01"), MIDNIGHT, tzinfo=UTC)
    last = datetime.combine(jalali_to_date("1405/12/29"), MIDNIGHT, tzinfo=UTC)
    minutes = int((last - first) / ONE_MINUTE)
    tehran = default_calendar("office").tz
    base = int(first.timestamp())
    return [
        datetime.fromtimestamp(base + 60 * rng.randrange(minutes), tehran) for _ in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--naive-n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1405)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    office = default_calendar("office")
    starts = random_starts(args.n, rng)
    targets = [TARGETS[i % len(TARGETS)] for i in range(args.n)]
    for start, target in zip(starts[:1000], targets[:1000], strict=True):  # warm the year caches
        due(start, target, office)

    began = time.perf_counter()
    for start, target in zip(starts, targets, strict=True):
        due(start, target, office)
    fast_seconds = time.perf_counter() - began

    sample = rng.sample(range(args.n), args.naive_n)
    naive_seconds = 0.0
    agrees = True
    for i in sample:
        began = time.perf_counter()
        expected = naive_due(starts[i], targets[i], office)
        naive_seconds += time.perf_counter() - began
        agrees = agrees and expected == due(starts[i], targets[i], office)

    us_per_call = fast_seconds / args.n * 1e6
    naive_us_per_call = naive_seconds / args.naive_n * 1e6
    print(
        json.dumps(
            {
                "bench": "sla_due",
                "platform": platform.platform(),
                "processor": platform.processor() or platform.machine(),
                "cpu_count": os.cpu_count(),
                "python": platform.python_version(),
                "calendar": office.name,
                "targets": list(TARGETS),
                "n": args.n,
                "us_per_call": round(us_per_call, 3),
                "naive_n": args.naive_n,
                "naive_us_per_call": round(naive_us_per_call, 1),
                "ratio": round(naive_us_per_call / us_per_call),
                "naive_agrees": agrees,
            }
        )
    )
    if not agrees:
        sys.exit("the engine and the minute-stepping reference disagree")


if __name__ == "__main__":
    main()
