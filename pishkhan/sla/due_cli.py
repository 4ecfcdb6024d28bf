"""`pishkhan sla-due`: when an SLA target falls due, from the command line (DESIGN.md,
"Interfaces others rely on").

    $ pishkhan sla-due --calendar office --from 2026-11-25T15:00:00+03:30 --target 2bh
    2026-11-28T09:00:00+03:30

Without --from it reads "FROM TARGET" pairs from standard input, one per line (blank lines and
lines starting with # are skipped; with --target a line may give FROM alone), and prints one due
time per pair, in order. Due times are ISO 8601 in the calendar's zone (+03:30 for Tehran).

Bad input is reported on standard error in Persian and in English, and the exit status is 2. In
batch mode every bad line is reported with its line number and no due time is printed at all, so a
script can never take a partial answer for a whole one.

Deliberately free of Django: the command answers in milliseconds and needs no database.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import NoReturn, TextIO

from pishkhan.core.businesstime import MAX_TARGET_AMOUNT, Calendar, Target, due, parse_target
from pishkhan.core.iran_calendar import DEFAULT_CALENDAR_NAMES, default_calendar
from pishkhan.core.persian import to_ascii_digits, to_persian_digits

__all__ = ["EXIT_BAD_INPUT", "main"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2
# Enough to show a pattern in a bad batch without burying the terminal.
_MAX_REPORTED_ERRORS = 20
_EXAMPLE_TIME = "2026-11-25T15:00:00+03:30"


class BadInput(Exception):
    """Input we refuse, with the message in both languages."""

    def __init__(self, fa: str, en: str) -> None:
        super().__init__(en)
        self.fa = fa
        self.en = en


class _Parser(argparse.ArgumentParser):
    # argparse would print an English-only usage message and exit; we report like everywhere else.
    def error(self, message: str) -> NoReturn:
        raise BadInput(f"گزینه‌های فرمان نادرست است ({message})", f"bad arguments: {message}")


def _parser() -> _Parser:
    parser = _Parser(
        prog="pishkhan sla-due",
        description=(
            "Print when an SLA target falls due, in ISO 8601 with the calendar's offset. "
            "Without --from, read 'FROM TARGET' pairs from standard input, one per line."
        ),
        epilog=(
            "Units: bh = business hours, bd = business days (one standard working day each, "
            "8 business hours on office), m = calendar minutes. "
            f"Calendars: {', '.join(DEFAULT_CALENDAR_NAMES)}."
        ),
    )
    parser.add_argument("--calendar", default="office", metavar="NAME", help="default: office")
    parser.add_argument("--from", dest="start", metavar="ISO", help=f"e.g. {_EXAMPLE_TIME}")
    parser.add_argument("--target", metavar="TARGET", help="e.g. 2bh, 8bh, 3bd or 90m")
    return parser


def _calendar(name: str) -> Calendar:
    try:
        return default_calendar(name)
    except KeyError:
        known_fa = "، ".join(DEFAULT_CALENDAR_NAMES)
        known_en = ", ".join(DEFAULT_CALENDAR_NAMES)
        raise BadInput(
            f"تقویم «{name}» وجود ندارد؛ تقویم‌های موجود: {known_fa}",
            f"unknown calendar {name!r}; known calendars: {known_en}",
        ) from None


def _start(text: str) -> datetime:
    try:
        # Persian digits are what a Persian keyboard types; the instant is the same.
        value = datetime.fromisoformat(to_ascii_digits(text.strip()))
    except ValueError:
        raise BadInput(
            f"زمان «{text}» در قالب ISO 8601 نیست (نمونه: {_EXAMPLE_TIME})",
            f"time {text!r} is not ISO 8601 (e.g. {_EXAMPLE_TIME})",
        ) from None
    if value.tzinfo is None:
        raise BadInput(
            f"زمان «{text}» اختلاف با UTC ندارد؛ آن را بنویسید، مثلاً ‎+03:30 برای تهران",
            f"time {text!r} has no UTC offset; add one, e.g. +03:30 for Tehran",
        )
    return value


def _target(text: str) -> Target:
    try:
        return parse_target(text)
    except ValueError:
        most = MAX_TARGET_AMOUNT
        raise BadInput(
            f"هدف «{text}» نامعتبر است: یک عدد صحیح (حداکثر {to_persian_digits(str(most))}) و "
            "یکی از bh (ساعت کاری)، bd (روز کاری) یا m (دقیقه)، مثلاً 2bh",
            f"bad target {text!r}: a whole number (at most {most}) and bh (business hours), "
            "bd (business days) or m (calendar minutes), e.g. 2bh",
        ) from None


def _due(start: datetime, target: Target, calendar: Calendar) -> str:
    try:
        return due(start, target, calendar).isoformat()
    except (ValueError, OverflowError) as error:
        raise BadInput(
            f"موعد این هدف محاسبه‌پذیر نیست ({error})", f"cannot compute the due time: {error}"
        ) from None


def _report(problem: BadInput, stderr: TextIO, line: int | None = None) -> None:
    where_fa = f"خط {to_persian_digits(str(line))}: " if line is not None else ""
    where_en = f"line {line}: " if line is not None else ""
    stderr.write(f"خطا: {where_fa}{problem.fa}\nerror: {where_en}{problem.en}\n")


def _batch(
    stdin: TextIO, calendar: Calendar, default_target: Target | None
) -> tuple[list[str], list[tuple[int, BadInput]]]:
    answers: list[str] = []
    problems: list[tuple[int, BadInput]] = []
    for number, raw in enumerate(stdin, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        try:
            if len(fields) == 2:
                start, target = _start(fields[0]), _target(fields[1])
            elif len(fields) == 1 and default_target is not None:
                start, target = _start(fields[0]), default_target
            else:
                raise BadInput(
                    f"انتظار «زمان هدف» بود، مثلاً «{_EXAMPLE_TIME} 2bh»، نه «{line}»",
                    f"expected 'FROM TARGET', e.g. '{_EXAMPLE_TIME} 2bh', got {line!r}",
                )
            answers.append(_due(start, target, calendar))
        except BadInput as problem:
            problems.append((number, problem))
    return answers, problems


def main(
    argv: Sequence[str] | None = None,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command; returns the exit status (0, or 2 for bad input)."""
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    stderr = sys.stderr if stderr is None else stderr
    try:
        args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        calendar = _calendar(args.calendar)
        default_target = _target(args.target) if args.target is not None else None
        if args.start is not None:
            if default_target is None:
                raise BadInput("‎--from بدون ‎--target معنا ندارد", "--from needs --target")
            stdout.write(_due(_start(args.start), default_target, calendar) + "\n")
            return EXIT_OK
    except BadInput as problem:
        _report(problem, stderr)
        return EXIT_BAD_INPUT
    except SystemExit as finished:  # --help: argparse has printed it and wants to stop
        return finished.code if isinstance(finished.code, int) else EXIT_OK
    answers, problems = _batch(stdin, calendar, default_target)
    if problems:
        for number, bad_line in problems[:_MAX_REPORTED_ERRORS]:
            _report(bad_line, stderr, number)
        hidden = len(problems) - _MAX_REPORTED_ERRORS
        if hidden > 0:
            stderr.write(
                f"خطا: و {to_persian_digits(str(hidden))} خط نادرست دیگر\n"
                f"error: and {hidden} more bad lines\n"
            )
        return EXIT_BAD_INPUT
    if answers:
        stdout.write("\n".join(answers) + "\n")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
