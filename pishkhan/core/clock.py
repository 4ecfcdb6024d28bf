"""The one clock. Code asks `now()` instead of calling datetime.now() so that tests can freeze
time (time-machine) and every timestamp is aware and in UTC."""

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(tz=UTC)
