"""`pishkhan sla-due` as a user or a script runs it: a real subprocess of `python -m pishkhan.cli`.

2026-11-25 is Wednesday 4 Azar 1405 and 2026-11-26 Thursday 5 Azar (checked with jdatetime in
`test_example_dates_are_the_weekdays_the_examples_assume`); there is no holiday from 4 to 10 Azar.
"""

import os
import re
import subprocess
import sys
from datetime import date

import jdatetime  # type: ignore[import-untyped]

ISO_TEHRAN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+03:30$")


def sla_due(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pishkhan.cli", "sla-due", *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONUTF8": "1"},
        timeout=60,
        check=False,
    )


def test_example_dates_are_the_weekdays_the_examples_assume():
    assert jdatetime.date.fromgregorian(date=date(2026, 11, 25)).strftime("%Y/%m/%d %A") == (
        "1405/09/04 Wednesday"
    )
    assert jdatetime.date.fromgregorian(date=date(2026, 11, 26)).strftime("%Y/%m/%d %A") == (
        "1405/09/05 Thursday"
    )


def test_prints_the_due_time_in_iso_8601_with_the_tehran_offset():
    # Given a request on Thursday 5 Azar 1405 at 15:00 (the weekend) with a 2bh target
    result = sla_due(
        "--calendar", "office", "--from", "2026-11-26T15:00:00+03:30", "--target", "2bh"
    )
    # Then the clock starts on Saturday at 08:00 and the answer is Saturday 10:00, +03:30
    assert result.returncode == 0, result.stderr
    assert result.stdout == "2026-11-28T10:00:00+03:30\n"
    assert ISO_TEHRAN.match(result.stdout.strip())
    assert result.stderr == ""


def test_wednesday_afternoon_two_business_hours_is_saturday_nine():
    result = sla_due(
        "--calendar", "office", "--from", "2026-11-25T15:00:00+03:30", "--target", "2bh"
    )
    assert result.stdout == "2026-11-28T09:00:00+03:30\n"


def test_accepts_any_offset_and_answers_in_tehran_time():
    # 11:30Z is 15:00 in Tehran; office is the default calendar
    result = sla_due("--from", "2026-11-25T11:30:00Z", "--target", "2bh")
    assert result.stdout == "2026-11-28T09:00:00+03:30\n"


def test_business_days_and_minutes_and_round_the_clock():
    assert sla_due("--from", "2026-11-28T10:00:00+03:30", "--target", "3bd").stdout == (
        "2026-12-01T10:00:00+03:30\n"
    )
    minutes = sla_due(
        "--calendar", "24x7", "--from", "2026-11-27T23:00:00+03:30", "--target", "90m"
    )
    assert minutes.stdout == "2026-11-28T00:30:00+03:30\n"
    support = sla_due(
        "--calendar", "support", "--from", "2026-11-25T16:30:00+03:30", "--target", "1bh"
    )
    assert support.stdout == "2026-11-28T09:30:00+03:30\n"


def test_batch_reads_pairs_from_standard_input_and_answers_line_by_line():
    # Given FROM TARGET pairs, with a comment and a blank line among them
    pairs = (
        "# request time, target\n"
        "2026-11-25T15:00:00+03:30 2bh\n"
        "\n"
        "2026-11-28T10:00:00+03:30 3bd\n"
        "2026-11-26T15:00:00+03:30   8BH\n"
        "2026-03-21T10:00:00+03:30 2bh\n"
    )
    result = sla_due("--calendar", "office", stdin=pairs)
    # Then there is one due time per pair, in order (the last one waits out Nowruz 1405)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "2026-11-28T09:00:00+03:30",
        "2026-12-01T10:00:00+03:30",
        "2026-11-28T16:00:00+03:30",
        "2026-03-25T10:00:00+03:30",
    ]


def test_batch_lines_may_omit_the_target_when_one_is_given():
    result = sla_due(
        "--target", "2bh", stdin="2026-11-25T15:00:00+03:30\n2026-11-26T15:00:00+03:30 1bh\n"
    )
    assert result.stdout.splitlines() == ["2026-11-28T09:00:00+03:30", "2026-11-28T09:00:00+03:30"]


def test_unknown_calendar_is_refused_in_persian_and_english():
    result = sla_due(
        "--calendar", "weekend", "--from", "2026-11-25T15:00:00+03:30", "--target", "2bh"
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "تقویم «weekend» وجود ندارد" in result.stderr
    assert "unknown calendar 'weekend'; known calendars: office, support, 24x7" in result.stderr


def test_bad_target_is_refused_in_persian_and_english():
    result = sla_due("--from", "2026-11-25T15:00:00+03:30", "--target", "2hours")
    assert result.returncode == 2
    assert "هدف «2hours» نامعتبر است" in result.stderr
    assert "bad target '2hours'" in result.stderr


def test_time_without_offset_is_refused():
    # A naive time could be Tehran or UTC: three and a half hours of SLA depend on it
    result = sla_due("--from", "2026-11-25T15:00:00", "--target", "2bh")
    assert result.returncode == 2
    assert "اختلاف با UTC ندارد" in result.stderr
    assert "has no UTC offset" in result.stderr


def test_malformed_time_is_refused():
    result = sla_due("--from", "25/11/2026 15:00", "--target", "2bh")
    assert result.returncode == 2
    assert "ISO 8601 نیست" in result.stderr
    assert "is not ISO 8601" in result.stderr


def test_from_without_target_is_refused():
    result = sla_due("--from", "2026-11-25T15:00:00+03:30")
    assert result.returncode == 2
    assert "--from needs --target" in result.stderr


def test_unknown_option_is_refused_in_both_languages():
    result = sla_due("--calendar", "office", "--frm", "2026-11-25T15:00:00+03:30")
    assert result.returncode == 2
    assert "گزینه‌های فرمان نادرست است" in result.stderr
    assert "bad arguments" in result.stderr


def test_batch_reports_every_bad_line_by_number_and_prints_nothing():
    # Given a batch with bad lines 2 and 4 (line 3 is fine)
    lines = (
        "2026-11-25T15:00:00+03:30 2bh\n"
        "2026-11-25T15:00:00 2bh\n"
        "2026-11-28T10:00:00+03:30 3bd\n"
        "2026-11-25T15:00:00+03:30 2xx\n"
    )
    result = sla_due("--calendar", "office", stdin=lines)
    # Then both are reported with their line numbers, in Persian and English, and no partial
    # answer is printed
    assert result.returncode == 2
    assert result.stdout == ""
    assert "line 2: time '2026-11-25T15:00:00' has no UTC offset" in result.stderr
    assert "line 4: bad target '2xx'" in result.stderr
    assert "خط ۲:" in result.stderr and "خط ۴:" in result.stderr
    assert "line 1" not in result.stderr and "line 3" not in result.stderr


def test_batch_line_with_too_many_fields_is_refused():
    result = sla_due(stdin="2026-11-25T15:00:00+03:30 2bh extra\n")
    assert result.returncode == 2
    assert "line 1: expected 'FROM TARGET'" in result.stderr


def test_help_lists_the_command_and_its_units():
    listing = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pishkhan.cli", "help"], capture_output=True, text=True, check=True
    ).stdout
    assert "sla-due" in listing
    usage = sla_due("--help")
    assert usage.returncode == 0
    assert "--calendar" in usage.stdout and "bd = business days" in usage.stdout


def test_command_does_not_start_django():
    # The engine needs no database; keeping Django out keeps the command instant in batch jobs.
    probe = (
        "import sys\n"
        "from pishkhan.cli import main\n"
        "main(['sla-due', '--from', '2026-11-25T15:00:00+03:30', '--target', '2bh'])\n"
        "print('django' in sys.modules)\n"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == ["2026-11-28T09:00:00+03:30", "False"]
