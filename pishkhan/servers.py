"""The two servers `pishkhan serve` runs, each for what it is fastest at (with REDIS_URL set, as
in production; without it, the ASGI one serves both: see `serve_asgi`).

HTTP is served by granian through its WSGI interface: a request's bytes are read and written
by granian's own (Rust) threads, and Django runs on one of WEB_THREADS Python threads, once per
request. Websockets (live chat) are served by uvicorn running the ASGI application
(`pishkhan.asgi`), on a port of their own.

Until now uvicorn served both: every HTTP request went through its event loop and was handed
to a thread and back (a2wsgi), which cost a web process about 1 ms of CPU a request — a fifth
of a new ticket's. Measured side by side (`bench/api_create.py`, `bench/servers.py`,
BENCHMARKS.md): `/livez` 3,000 → 7,000 requests/s, tickets through the API 11–20 % more a
second. Granian running the same ASGI application did better than uvicorn, but half as well as
through its WSGI interface: the hand-over, more than the HTTP parsing, was the cost.

Browsers are told where the sockets are (`pishkhan.chat.socket_origin`): behind a reverse
proxy, which sends `/ws/` to the socket port, on the page's own origin; talking to `serve`
directly, on the socket port.
"""

from __future__ import annotations

from django.conf import settings

HTTP_APPLICATION = "pishkhan.wsgi:application"
SOCKET_APPLICATION = "pishkhan.asgi:application"


def serve_http(*, host: str, port: int, workers: int) -> None:
    """Serve HTTP until stopped (SIGINT, SIGTERM): `workers` processes, each running requests
    on WEB_THREADS threads."""
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces

    _let_go_of_the_database()
    Granian(
        HTTP_APPLICATION,
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        # HTTP/1.1 only: the proxy talks HTTP/1.1 to its upstream, and browsers speak HTTP/2
        # only over TLS, which the proxy ends. Not looking for HTTP/2 on each connection:
        # `/livez` 6,600–7,300 → 7,000–7,900 requests/s, tickets about 3 % more a second.
        http=HTTPModes.http1,
        workers=workers,
        blocking_threads=settings.WEB_THREADS,
        websockets=False,
        respawn_failed_workers=True,
        log_access=False,
    ).serve()


def _let_go_of_the_database() -> None:
    """Close this process's database connections and pools. Granian forks its worker processes
    from this one: a connection open here (`serve` migrates first) would be inherited by every
    worker, and two processes talking over one connection corrupt each other's statements
    ("prepared statement already exists", answers read by the wrong process)."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
        close_pool = getattr(connection, "close_pool", None)  # PostgreSQL's connection pool
        if close_pool is not None:
            close_pool()


def serve_asgi(*, host: str, port: int, workers: int, log_level: str = "warning") -> None:
    """Serve the ASGI application until stopped: the chat websockets, and HTTP too (slower than
    `serve_http`). `serve` runs it for the sockets beside `serve_http`; without Redis, whose
    channel layer is what lets an HTTP process reach the sockets of another, for both."""
    import uvicorn

    uvicorn.run(
        SOCKET_APPLICATION,
        host=host,
        port=port,
        workers=workers if workers > 1 else None,
        lifespan="off",
        log_level=log_level,
        # Chat frames are a few hundred bytes of JSON: compressing each one for each socket
        # cost a ninth of the server's CPU with 2,000 chats open (and a zlib context per
        # socket) to save a few bytes a frame.
        ws_per_message_deflate=False,
    )
