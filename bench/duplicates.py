"""Benchmark: near-duplicate detection of support requests (SPEC T-4, core.similarity).

Quality: every labelled pair in tests/data/duplicates.jsonl is scored with `score()` and called a
duplicate at `DUPLICATE_THRESHOLD`; precision, recall and F1 are reported for the whole set, for
the tune and holdout splits (the threshold and weights were chosen on the tune split only), and
per language.

Speed: 1,000 open tickets of 300-1,500 characters are composed from the labelled texts (random
requests glued together, cut at a random length, each with its own ticket number so no two are
identical) and fingerprinted; then 200 submissions, composed the same way, are each ranked
against all 1,000 stored fingerprints. The timed call is `rank()` on the stored bytes, so
decoding every fingerprint is part of the measurement. `fingerprint()` is timed on the same
submissions, and on one 20,000-character request for the size limit.

Timings are wall clock (plus the CPU time of rank), so run it on an otherwise idle machine.
Prints one JSON line. Exits non-zero if a fingerprint is not deterministic or a pair is scored
asymmetrically.
Usage: python bench/duplicates.py [--tickets 1000] [--submissions 200] [--seed 1403]
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

# Runnable from a plain checkout, not only after `pip install -e .`.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pishkhan.core.similarity import (  # noqa: E402
    DUPLICATE_THRESHOLD,
    VERSION,
    fingerprint,
    rank,
    score,
)

DATA = ROOT / "tests" / "data" / "duplicates.jsonl"


def load_pairs() -> list[dict]:
    with DATA.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def quality(scored: list[tuple[float, bool]], threshold: float) -> dict:
    tp = sum(1 for value, duplicate in scored if value >= threshold and duplicate)
    fp = sum(1 for value, duplicate in scored if value >= threshold and not duplicate)
    fn = sum(1 for value, duplicate in scored if value < threshold and duplicate)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "pairs": len(scored),
        "duplicates": sum(1 for _, duplicate in scored if duplicate),
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "fp": fp,
        "fn": fn,
    }


def compose(texts: list[tuple[str, str]], rng: random.Random, serial: int) -> tuple[str, str]:
    """A request of 300-1,500 characters made of labelled texts, unique by its ticket number."""
    target = rng.randint(300, 1500)
    subject, _ = rng.choice(texts)
    parts: list[str] = []
    length = 0
    while length < target:
        part = rng.choice(texts)[1]
        parts.append(part)
        length += len(part) + 1
    body = " ".join(parts)[:target] + f" #{serial}"
    return subject, body


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1403)
    args = parser.parse_args()

    pairs = load_pairs()
    scored: list[tuple[dict, float]] = []
    sound = True
    for pair in pairs:
        a = fingerprint(pair["a"]["subject"], pair["a"]["body"])
        b = fingerprint(pair["b"]["subject"], pair["b"]["body"])
        value = score(a, b)
        sound = sound and value == score(b, a)
        sound = sound and a == fingerprint(pair["a"]["subject"], pair["a"]["body"])
        scored.append((pair, value))

    def subset(keep) -> list[tuple[float, bool]]:
        return [(value, pair["duplicate"]) for pair, value in scored if keep(pair)]

    threshold = DUPLICATE_THRESHOLD
    report_quality = {
        "all": quality(subset(lambda p: True), threshold),
        "tune": quality(subset(lambda p: p.get("split") != "holdout"), threshold),
        "holdout": quality(subset(lambda p: p.get("split") == "holdout"), threshold),
        **{
            lang: quality(subset(lambda p, lang=lang: p["lang"] == lang), threshold)
            for lang in ("fa", "en", "mixed")
        },
    }

    rng = random.Random(args.seed)
    texts = [(p[side]["subject"], p[side]["body"]) for p in pairs for side in ("a", "b")]
    tickets = [compose(texts, rng, serial) for serial in range(args.tickets)]
    stored = [(serial, fingerprint(*ticket)) for serial, ticket in enumerate(tickets)]
    sizes = [len(data) for _, data in stored]
    submissions = [compose(texts, rng, args.tickets + serial) for serial in range(args.submissions)]

    fingerprint_us: list[float] = []
    queries: list[bytes] = []
    for subject, body in submissions:
        began = time.perf_counter()
        queries.append(fingerprint(subject, body))
        fingerprint_us.append((time.perf_counter() - began) * 1e6)

    for query in queries[:5]:  # warm up allocator and caches before timing
        rank(query, stored)
    rank_ms: list[float] = []
    rank_cpu_ms: list[float] = []
    found = 0
    for query in queries:
        began, began_cpu = time.perf_counter(), time.process_time()
        matches = rank(query, stored)
        rank_cpu_ms.append((time.process_time() - began_cpu) * 1e3)
        rank_ms.append((time.perf_counter() - began) * 1e3)
        found += bool(matches)

    long_body = " ".join(body for _, body in texts)
    long_body = (long_body * (20000 // len(long_body) + 1))[:20000]
    began = time.perf_counter()
    long_fingerprint = fingerprint("long request", long_body)
    long_ms = (time.perf_counter() - began) * 1e3

    print(
        json.dumps(
            {
                "bench": "duplicates",
                "platform": platform.platform(),
                "processor": platform.processor() or platform.machine(),
                "cpu_count": os.cpu_count(),
                "python": platform.python_version(),
                # Other work on the machine shows up in every timing; record how busy it was.
                "load_average_1m": round(os.getloadavg()[0], 2),
                "fingerprint_version": VERSION,
                "threshold": threshold,
                "quality": report_quality,
                "speed": {
                    "open_tickets": args.tickets,
                    "submissions": args.submissions,
                    "ticket_chars": [
                        min(len(s) + len(b) for s, b in tickets),
                        max(len(s) + len(b) for s, b in tickets),
                    ],
                    "rank_ms_median": round(statistics.median(rank_ms), 2),
                    "rank_ms_p99": round(percentile(rank_ms, 0.99), 2),
                    "rank_cpu_ms_median": round(statistics.median(rank_cpu_ms), 2),
                    "submissions_with_a_match": found,
                    "fingerprint_us_median": round(statistics.median(fingerprint_us), 1),
                    "fingerprint_us_p99": round(percentile(fingerprint_us, 0.99), 1),
                    "fingerprint_bytes_median": statistics.median(sizes),
                    "fingerprint_bytes_max": max(sizes),
                    "fingerprint_bytes_20k_chars": len(long_fingerprint),
                    "fingerprint_ms_20k_chars": round(long_ms, 1),
                },
                "deterministic_and_symmetric": sound,
            },
            ensure_ascii=False,
        )
    )
    if not sound:
        sys.exit("a fingerprint changed between two calls, or score(a, b) != score(b, a)")


if __name__ == "__main__":
    main()
