"""The queue's search box alone: the ids of the 50 newest tickets matching a word or two
(`search.selectors.search_object_ids`, as `tickets.selectors.filters_narrow_to_search` asks),
two ways side by side in one process, in turns: told the tenant's ticket count, so walking on
and the word index are weighed by cost (`weighed`, what the queue does), and not told it, so
fixed thresholds decide (`fixed`, what any other caller of one kind gets).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishkhan_bench \\
    python bench/queue_search.py --tenant b123456-0 --queries 40 --rounds 3

Queries are drawn as `bench/agent_queue.py` draws them: a word and the first two words of the
tenant's own subjects; with `--numbers N`, also the N numbers found most often among the
tenant's indexed tickets (a number is not looked for among the newest first, so at a large
tenant the two ways differ in how many matches the word index may read for it). Each query
is timed `--rounds` times each way (wall clock, PostgreSQL included); the sum of each query's
best time is the steadiest figure on a shared machine.
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import agent_queue  # noqa: E402
import seed as seeding  # noqa: E402


def summary(times: dict[str, list[float]]) -> dict:
    every = sorted(t for runs in times.values() for t in runs)
    return {
        "sum_of_best_ms": round(sum(min(runs) for runs in times.values()), 1),
        "p50_ms": round(statistics.median(every), 1),
        "p90_ms": round(agent_queue.percentile(every, 0.90), 1),
        "p99_ms": round(agent_queue.percentile(every, 0.99), 1),
        "max_ms": round(every[-1], 1),
    }


def _commonest_numbers(tenant, count: int) -> list[str]:
    """The numbers most often among the words of a sample (one in a hundred) of the tenant's
    indexed tickets."""
    if count <= 0:
        return []
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word FROM (SELECT unnest(string_to_array(terms, ' ')) AS word"
            " FROM search_document WHERE tenant_id = %s AND kind = 'ticket' AND id %% 100 = 0)"
            " AS words WHERE word ~ '^[0-9]+$' GROUP BY word ORDER BY count(*) DESC, word"
            " LIMIT %s",
            [tenant.pk, count],
        )
        return [row[0] for row in cursor.fetchall()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenant", help="slug (default: the tenant with the most tickets)")
    parser.add_argument("--queries", type=int, default=40, help="words and as many phrases")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--numbers", type=int, default=0, help="the tenant's N commonest numbers")
    args = parser.parse_args()
    seeding.setup()
    from pishkhan.search.selectors import search_object_ids
    from pishkhan.tickets.selectors import MATCH_LIMIT

    tenant = agent_queue.large_tenant(args.tenant)
    tickets = agent_queue.tickets_of(tenant)
    rng = random.Random(1405)
    queries = [q for _ in range(args.queries) for q in agent_queue.words_of(tenant, rng)]
    numbers = _commonest_numbers(tenant, args.numbers)
    queries += numbers
    ways = {"weighed": tickets, "fixed": None}

    def run(query: str, documents: int | None) -> float:
        started = time.perf_counter()
        search_object_ids(
            tenant=tenant, query=query, kind="ticket", limit=MATCH_LIMIT, documents=documents
        )
        return (time.perf_counter() - started) * 1000

    for query in queries:  # the tenant's rows read once before anything is timed
        run(query, None)
    times: dict[str, dict[str, list[float]]] = {way: {q: [] for q in queries} for way in ways}
    for _round in range(args.rounds):
        for way, documents in ways.items():
            for query in queries:
                times[way][query].append(run(query, documents))
    print(
        json.dumps(
            {
                "bench": "queue_search",
                "tenant_tickets": tickets,
                "queries": len(set(queries)),
                "rounds": args.rounds,
                **{way: summary(times[way]) for way in ways},
                **(
                    {
                        "numbers": numbers,
                        "numbers_alone": {
                            way: summary({q: times[way][q] for q in numbers}) for way in ways
                        },
                    }
                    if numbers
                    else {}
                ),
                "python": platform.python_version(),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
