"""The `pishkhan` command: serve, worker, demo, migrate, and every Django command."""

import argparse
import os
import subprocess
import sys

from pishkhan import lifeline


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishkhan.settings")
    import django

    django.setup()


def _share_metrics_directory() -> None:
    """The web workers and the job worker that `serve` starts keep their metrics in one
    directory, so `/metrics` of any of them reports all (prometheus_client's multiprocess mode).
    An operator who runs the processes separately sets PROMETHEUS_MULTIPROC_DIR to one directory
    per host and empties it before starting them."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    import atexit
    import shutil
    import tempfile

    directory = tempfile.mkdtemp(prefix="pishkhan-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    atexit.register(shutil.rmtree, directory, ignore_errors=True)


def _serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="pishkhan serve")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_WORKERS", "1")),
        help="HTTP processes",
    )
    parser.add_argument(
        "--socket-port",
        type=int,
        default=int(os.environ["SOCKET_PORT"]) if os.environ.get("SOCKET_PORT") else None,
        help="port of the chat websockets (default: the HTTP port + 1); with REDIS_URL",
    )
    parser.add_argument(
        "--socket-workers",
        type=int,
        default=int(os.environ.get("SOCKET_WORKERS", "1")),
        help="websocket processes",
    )
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="do not start a background job worker beside the web server",
    )
    parser.add_argument("--demo", action="store_true", help="create the demo tenants first")
    parser.add_argument(
        "--no-migrate",
        action="store_true",
        help="do not migrate at start (production migrates once, before starting servers)",
    )
    args = parser.parse_args(argv)
    socket_port = args.socket_port or args.port + 1
    # The chat's channel layer crosses processes only through Redis (settings): without it, a
    # message an HTTP request publishes (an agent ends a chat) would never reach the sockets
    # of another process, so one process serves both, as on a laptop.
    apart = bool(os.environ.get("REDIS_URL"))
    if not apart and args.workers > 1:
        # Each process would hold its own chats' sockets: a visitor and the agent answering
        # would often be in different processes and never hear each other.
        print(
            "pishkhan serve: --workers above 1 needs REDIS_URL (the chat's channel layer "
            "between processes); without it one process serves everything.\n"
            "pishkhan serve: بیش از یک پردازه (--workers) به REDIS_URL نیاز دارد؛ "
            "بدون آن یک پردازه همه‌چیز را پاسخ می‌دهد.",
            file=sys.stderr,
        )
        return 2
    if apart:
        # Read by the settings of every process started from here: pages point browsers at it.
        os.environ["SOCKET_PORT"] = str(socket_port)
    if args.demo:
        # Nothing stands in front of a demo: the links its mails carry name this port.
        os.environ.setdefault("PUBLIC_PORT", str(args.port))
    _share_metrics_directory()
    _setup()
    from django.core.management import call_command

    if not args.no_migrate:
        call_command("migrate", interactive=False, verbosity=0)
    if args.demo:
        from pishkhan import demo

        demo.run(port=args.port)
    children, stop_worker = [], None
    if not args.no_worker:
        # Embedded mode: a job worker with the web server, so a laptop needs nothing else.
        # Without Redis it is a thread of the one process: its jobs' chat frames (an offer
        # moving on) reach the sockets only there (pishkhan.job_worker).
        if apart:
            children.append(_child("worker"))
        else:
            from pishkhan import job_worker

            stop_worker = job_worker.start_thread()
    if apart:
        children.append(
            _child(
                "sockets",
                "--host",
                args.host,
                "--port",
                str(socket_port),
                "--workers",
                str(args.socket_workers),
            )
        )
    from pishkhan import servers

    # The HTTP server's worker processes are started by it from this one, with this setting.
    os.environ[lifeline.PARENT_ENV] = str(os.getpid())
    try:
        if apart:
            servers.serve_http(host=args.host, port=args.port, workers=args.workers)
        else:
            servers.serve_asgi(
                host=args.host, port=args.port, workers=args.workers, log_level="info"
            )
    finally:
        if stop_worker is not None:
            stop_worker()
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=10)
    return 0


def _child(*command: str) -> subprocess.Popen:
    """A process of `serve`'s that ends with it, even when `serve` is killed."""
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "pishkhan.cli", *command],
        env={**os.environ, lifeline.PARENT_ENV: str(os.getpid())},
    )


def _sockets(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="pishkhan sockets")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SOCKET_PORT") or "8001"))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("SOCKET_WORKERS") or "1"))
    args = parser.parse_args(argv)
    lifeline.follow_parent()
    _setup()
    from pishkhan import servers

    servers.serve_asgi(host=args.host, port=args.port, workers=args.workers)
    return 0


DASHED = {
    "mail-receive": "mail_receive",
    "mail-poll": "mail_poll",
    "search-rebuild": "search_rebuild",
    "deflection-report": "deflection_report",
    "quality-report": "quality_report",
    "chat-sweep": "chat_sweep",
    "sla-sweep": "sla_sweep",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else "help"
    rest = argv[1:]
    if command == "serve":
        return _serve(rest)
    if command == "sockets":
        return _sockets(rest)
    # Commands of our own are spelled with dashes on the command line, like `sla-due`.
    command = DASHED.get(command, command)
    argv = [command, *rest]
    if command == "sla-due":
        from pishkhan.sla.due_cli import main as sla_due

        return sla_due(rest)
    if command == "worker":
        lifeline.follow_parent()
        _setup()
        from django.core.management import call_command

        from pishkhan import job_worker

        job_worker.prepare()
        job_worker.start_chain_keeper()
        call_command("db_worker", *rest)
        return 0
    if command == "demo":
        parser = argparse.ArgumentParser(prog="pishkhan demo")
        parser.add_argument("--port", type=int, default=8000)
        args = parser.parse_args(rest)
        _setup()
        from django.core.management import call_command

        from pishkhan import demo

        call_command("migrate", interactive=False, verbosity=0)
        demo.run(port=args.port)
        return 0
    if command in ("help", "-h", "--help"):
        print(
            "usage: pishkhan COMMAND [options]\n\n"
            "  serve     run the web server (and a job worker) at http://127.0.0.1:8000;\n"
            "            with REDIS_URL, its chat websockets on the next port (--socket-port)\n"
            "            --demo creates the demo tenants first; --workers N; --no-worker;\n"
            "            --socket-workers N; --no-migrate (production migrates once,\n"
            "            before starting servers)\n"
            "  sockets   run only the chat websockets' server (--port, --workers)\n"
            "  worker    run background jobs\n"
            "  demo      create the demo tenants with Persian data and print the logins\n"
            "  migrate   create or update the database tables\n"
            "  sla-due   print when an SLA target falls due, e.g. --calendar office\n"
            "            --from 2026-11-25T15:00:00+03:30 --target 2bh (units bh, bd, m);\n"
            "            without --from it reads 'FROM TARGET' lines from standard input\n"
            "  mail-receive  receive the mailboxes' mail over SMTP (--host, --port 2525,\n"
            "            --lmtp behind a mail server)\n"
            "  mail-poll fetch mail from the mailboxes' IMAP servers (--loop SECONDS)\n"
            "  sla-sweep tell of the SLA clocks come at risk or due (the worker does it too)\n"
            "  search-rebuild  rebuild the search index for recovery (--tenant SLUG)\n"
            "  deflection-report  what the help centre's articles saved, as JSON (--tenant SLUG)\n"
            "  any other Django management command (createsuperuser, check, shell, ...)"
        )
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishkhan.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["pishkhan", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
