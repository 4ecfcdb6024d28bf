"""What one ticket created through the API costs in the web process's instructions, counted by
valgrind (callgrind), not timed. Prints one JSON line.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishkhan_bench \\
    REDIS_URL=redis://127.0.0.1:6379/0 python bench/intake_instructions.py [--tickets 200]

This machine's speed drifts by half within minutes, and a change worth a few per cent is lost
in timings taken minutes apart. An instruction count is the same for the same code and input
whatever else the machine is doing (the other core loaded or not), so two versions of the code
can be compared one after the other: `CODE=/path/to/other/checkout` counts that checkout.
The request is `bench/intake_cpu.py`'s (token auth, a customer of its own per ticket, Persian
text, the whole intake path), run twice under callgrind, `--base` tickets and `--base` +
`--tickets`, with the same customers made first: the difference over `--tickets` is what one
more ticket costs, without start-up and set-up. What is not counted: the kernel's work for the
process (its round trips to PostgreSQL and Redis) and PostgreSQL's own (`intake_cpu.py` times
both). Needs valgrind (Debian: `apt-get install valgrind`); about three minutes."""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(os.environ.get("CODE") or Path(__file__).resolve().parent.parent)
COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def _instructions(valgrind: str, tickets: int, customers: int) -> int:
    run = subprocess.run(  # noqa: S603
        [
            valgrind,
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            # This checkout's script, which imports the code CODE names (if any).
            str(Path(__file__).resolve().parent / "intake_cpu.py"),
            "--tickets",
            str(tickets),
            "--customers",
            str(customers),
        ],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    found = COLLECTED.search(run.stderr)
    if run.returncode != 0 or found is None:
        raise SystemExit(f"intake_cpu.py under valgrind failed:\n{run.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=200, help="tickets the two runs differ by")
    parser.add_argument("--base", type=int, default=20, help="tickets of the shorter run")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("DATABASE_URL must name a PostgreSQL database")
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("valgrind not found: apt-get install valgrind")
    customers = 50 + args.base + args.tickets  # intake_cpu.py's warm-up, then both runs
    started = time.perf_counter()
    short = _instructions(valgrind, args.base, customers)
    long = _instructions(valgrind, args.base + args.tickets, customers)
    print(
        json.dumps(
            {
                "bench": "intake_instructions",
                "code": str(ROOT),
                "tickets": args.tickets,
                "instructions_per_ticket": round((long - short) / args.tickets),
                "instructions_short_run": short,
                "instructions_long_run": long,
                "seconds": round(time.perf_counter() - started, 1),
                "machine": f"{platform.machine()}, {os.cpu_count()} cpu",
                "python": platform.python_version(),
            }
        )
    )


if __name__ == "__main__":
    main()
