"""Where the chat sockets' database work runs: a few threads of their own ("lanes"), each
keeping its database connection between calls.

Channels' `database_sync_to_async` runs every call of every socket on one shared thread and
closes the connection after each call when CONN_MAX_AGE is 0 (our setting: HTTP requests
take a pooled connection and give it back). For a socket that is a new connection per frame
(on SQLite: open the file and run the PRAGMAs again; measured as a quarter of the database
thread's time under load). A lane keeps its connection and closes it only after an error that
left it unusable.

One socket always uses one lane (chosen by a key, e.g. its channel name), so its calls run in
the order it makes them, as on the one shared thread. SQLite has one lane: it takes one writer
at a time anyway. PostgreSQL has CHAT_DB_LANES (4 unless set), each holding a pooled connection
for good; the settings size the pool for them beside the HTTP threads."""

import threading
import zlib
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import SyncToAsync
from django.conf import settings
from django.db import connections

_lanes: list[ThreadPoolExecutor] = []
_lock = threading.Lock()


def lane_count() -> int:
    return max(1, settings.CHAT_DB_LANES)


def lanes() -> list[ThreadPoolExecutor]:
    if not _lanes:
        with _lock:
            if not _lanes:
                _lanes.extend(
                    ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"chat-db-{n}")
                    for n in range(lane_count())
                )
    return _lanes


def _tidy() -> None:
    """After a call: keep the connection unless an error left it broken (what Django's
    `close_if_unusable_or_obsolete` does, without the age limit)."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is None:
            continue
        if (
            connection.in_atomic_block
            or connection.get_autocommit() != connection.settings_dict.get("AUTOCOMMIT", True)
        ):
            # A call that left a transaction open: never carry it into the next one.
            connection.close()
        elif connection.errors_occurred:
            if connection.is_usable():
                connection.errors_occurred = False
                connection.health_check_done = True
            else:
                connection.close()


def _kept(function):
    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        finally:
            _tidy()

    return run


def run_in_lane(key: str, function, /, *args, **kwargs):
    """Await `function(*args, **kwargs)` on the lane of `key`."""
    pool = lanes()
    lane = pool[zlib.crc32(key.encode()) % len(pool)]
    return SyncToAsync(_kept(function), thread_sensitive=False, executor=lane)(*args, **kwargs)


def release() -> None:
    """Close every lane's connection (tests, before their database is emptied or dropped)."""
    for lane in list(_lanes):
        lane.submit(connections.close_all).result()
