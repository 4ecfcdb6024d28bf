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


def _count(text: str) -> int:
    """A number of processes: a whole number, 1 or more."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of processes (1 or more) / "
            f"«{text}» تعداد پردازه نیست (۱ یا بیشتر)"
        )
    return value


def _port(text: str) -> int:
    """A TCP port: 1 to 65535."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a port (1 to 65535) / «{text}» درگاه نیست (۱ تا ۶۵۵۳۵)"
        )
    return value


def _port_taken(host: str, port: int) -> bool:
    """Whether something already listens on host:port. The HTTP server binds with SO_REUSEPORT,
    so a second `serve` on a taken port would not fail: it would quietly share the port (and
    its requests) with whatever listens there. A probe without SO_REUSEPORT cannot bind then."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        return False  # the server itself says what is wrong with the address
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is no owner
        try:
            probe.bind(address)
        except OSError:
            return True
    return False


def _host_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default=os.environ.get("HOST", "127.0.0.1"),
        help="address to listen on (default: $HOST or 127.0.0.1)",
    )


def _serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="pishkhan serve")
    _host_argument(parser)
    parser.add_argument(
        "--port",
        type=_port,
        default=os.environ.get("PORT", "8000"),
        help="HTTP port (default: $PORT or 8000)",
    )
    parser.add_argument(
        "--workers",
        type=_count,
        default=os.environ.get("WEB_WORKERS", "1"),
        help="HTTP processes (default: $WEB_WORKERS or 1)",
    )
    parser.add_argument(
        "--socket-port",
        type=_port,
        default=os.environ.get("SOCKET_PORT") or None,
        help="port of the chat websockets (default: $SOCKET_PORT or the HTTP port + 1); "
        "with REDIS_URL",
    )
    parser.add_argument(
        "--socket-workers",
        type=_count,
        default=os.environ.get("SOCKET_WORKERS", "1"),
        help="websocket processes (default: $SOCKET_WORKERS or 1)",
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
    for port in (args.port, socket_port) if apart else (args.port,):
        if _port_taken(args.host, port):
            print(
                f"pishkhan serve: {args.host}:{port} is already in use (another pishkhan serve?); "
                "stop what listens there or choose another port (--port, --socket-port).\n"
                f"pishkhan serve: درگاه {args.host}:{port} در دست برنامهٔ دیگری است (پیشخوانی "
                "دیگر؟)؛ آن را متوقف کنید یا درگاه دیگری برگزینید (--port، --socket-port).",
                file=sys.stderr,
            )
            return 2
    if apart:
        # Read by the settings of every process started from here: pages point browsers at it.
        os.environ["SOCKET_PORT"] = str(socket_port)
    if args.demo:
        # Nothing stands in front of a demo: the links its mails carry name this port.
        os.environ.setdefault("PUBLIC_PORT", str(args.port))
        if not os.environ.get("EMAIL_BACKEND") and not os.environ.get("EMAIL_HOST"):
            # The demo's tickets send a few dozen mails at once: printed, they would bury the
            # logins under pages of MIME. They go to files instead (EMAIL_FILE_PATH).
            os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
    _share_metrics_directory()
    _setup()
    from django.core.management import call_command

    if not args.no_migrate:
        call_command("migrate", interactive=False, verbosity=0)
    if args.demo:
        from pishkhan import demo

        demo.run(port=args.port)
        if os.environ.get("EMAIL_BACKEND", "").endswith(".filebased.EmailBackend"):
            from django.conf import settings

            print(f"  Mail the demo sends is written to files in {settings.EMAIL_FILE_PATH}\n")
    children, stop_worker = _KeptChildren(), None
    if not args.no_worker:
        # Embedded mode: a job worker with the web server, so a laptop needs nothing else.
        # Without Redis it is a thread of the one process: its jobs' chat frames (an offer
        # moving on) reach the sockets only there (pishkhan.job_worker).
        if apart:
            children.start("the job worker", "worker")
        else:
            from pishkhan import job_worker

            stop_worker = job_worker.start_thread()
    if apart:
        children.start(
            "the websocket server",
            "sockets",
            "--host",
            args.host,
            "--port",
            str(socket_port),
            "--workers",
            str(args.socket_workers),
        )
    children.watch()
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
        children.stop()
    return 0


class _KeptChildren:
    """`serve`'s own processes beside the HTTP server (the job worker, the websocket server),
    started again when one ends while `serve` runs, as the HTTP server starts its own workers
    again: a crashed socket server must not leave the chat down behind a healthy page."""

    # A process that ends this soon after starting is failing at start: wait before the next
    # try, longer each time (up to the cap), rather than spinning.
    QUICK_END = 10.0
    LONGEST_WAIT = 60.0

    def __init__(self) -> None:
        import threading

        self._commands: dict[str, tuple[str, ...]] = {}
        self._running: dict[str, subprocess.Popen] = {}
        self._started: dict[str, float] = {}
        self._failures: dict[str, int] = {}
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, name: str, *command: str) -> None:
        import time

        self._commands[name] = command
        self._running[name] = _child(*command)
        self._started[name] = time.monotonic()

    def watch(self) -> None:
        import threading

        if self._commands:
            self._thread = threading.Thread(target=self._keep, name="serve-children", daemon=True)
            self._thread.start()

    def _keep(self) -> None:
        import time

        while not self._stopping.wait(1.0):
            for name, process in list(self._running.items()):
                code = process.poll()
                if code is None:
                    continue
                lived = time.monotonic() - self._started[name]
                failures = self._failures[name] = (
                    self._failures.get(name, 0) + 1 if lived < self.QUICK_END else 1
                )
                wait = 0.0 if failures == 1 else min(self.LONGEST_WAIT, 2.0 ** (failures - 1))
                print(
                    f"pishkhan serve: {name} ended (exit status {code}); starting it again"
                    + (f" in {wait:.0f} s" if wait else "")
                    + ".",
                    file=sys.stderr,
                    flush=True,
                )
                if self._stopping.wait(wait):
                    return
                self.start(name, *self._commands[name])

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        for process in self._running.values():
            process.terminate()
        for process in self._running.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _child(*command: str) -> subprocess.Popen:
    """A process of `serve`'s that ends with it, even when `serve` is killed."""
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "pishkhan.cli", *command],
        env={**os.environ, lifeline.PARENT_ENV: str(os.getpid())},
    )


def _sockets(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="pishkhan sockets")
    _host_argument(parser)
    parser.add_argument(
        "--port",
        type=_port,
        default=os.environ.get("SOCKET_PORT") or "8001",
        help="port (default: $SOCKET_PORT or 8001)",
    )
    parser.add_argument(
        "--workers",
        type=_count,
        default=os.environ.get("SOCKET_WORKERS") or "1",
        help="processes (default: $SOCKET_WORKERS or 1)",
    )
    args = parser.parse_args(argv)
    lifeline.follow_parent()
    _setup()
    from pishkhan import servers

    # Its server logs only warnings (each socket's connect would bury the rest): say once where
    # the chat's sockets are, as the HTTP server says where it listens.
    print(
        f"pishkhan sockets: chat websockets on ws://{args.host}:{args.port}/ws/ "
        f"({args.workers} process{'es' if args.workers > 1 else ''})",
        file=sys.stderr,
        flush=True,
    )
    servers.serve_asgi(host=args.host, port=args.port, workers=args.workers)
    return 0


DASHED = {
    "create-tenant": "create_tenant",
    "mail-receive": "mail_receive",
    "mail-poll": "mail_poll",
    "search-rebuild": "search_rebuild",
    "deflection-report": "deflection_report",
    "quality-report": "quality_report",
    "chat-sweep": "chat_sweep",
    "sla-sweep": "sla_sweep",
}

HELP = """usage: pishkhan COMMAND [options]      (pishkhan COMMAND --help for its options)

  serve     run the web server (and a job worker) at http://127.0.0.1:8000;
            with REDIS_URL, its chat websockets on the next port (--socket-port)
            --demo creates the demo tenants first; --workers N; --no-worker;
            --socket-workers N; --no-migrate (production migrates once,
            before starting servers)
  sockets   run only the chat websockets' server (--port, --workers)
  worker    run background jobs
  demo      create the demo tenants with Persian data and print the logins
  migrate   create or update the database tables
  create-tenant  a new workspace and its owner (--slug, --name, --owner-email,
            --host; asks for the owner's password)
  sla-due   print when an SLA target falls due, e.g. --calendar office
            --from 2026-11-25T15:00:00+03:30 --target 2bh (units bh, bd, m);
            without --from it reads 'FROM TARGET' lines from standard input
  holidays  list or correct Iran's official holidays (list, add, remove, clear)
  mail-receive  receive the mailboxes' mail over SMTP (--host, --port 2525,
            --lmtp behind a mail server)
  mail-poll fetch mail from the mailboxes' IMAP servers (--loop SECONDS)
  sla-sweep tell of the SLA clocks come at risk or due (the worker does it too)
  chat-sweep  offer again the waiting chats whose offer ran out (the worker does it too)
  search-rebuild  rebuild the search index for recovery (--tenant SLUG)
  deflection-report  what the help centre's articles saved, as JSON (--tenant SLUG)
  quality-report  satisfaction or review figures as CSV (--tenant SLUG)
  check --deploy  what a production installation still lacks
  any other Django management command (collectstatic, shell, dbshell, ...)"""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"pishkhan {version('pishkhan')}"
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "pishkhan"


def _django_command(name: str, shown: str, rest: list[str]) -> int:
    """Run Django's command `name` as `pishkhan <shown>`: its usage and errors name the
    command as it was typed, and a bad argument is a message and exit status 2, not a
    traceback."""
    _setup()
    from django.core.management import get_commands, load_command_class

    load_command_class(get_commands()[name], name).run_from_argv(["pishkhan", shown, *rest])
    return 0


def _worker(rest: list[str]) -> int:
    lifeline.follow_parent()
    _setup()
    from django.core.management import get_commands, load_command_class

    from pishkhan import job_worker

    command = load_command_class(get_commands()["db_worker"], "db_worker")
    # The arguments first: --help or a mistake must not plan any job. (As on a command line:
    # a mistake is a message and exit status 2, not a CommandError.)
    command._called_from_command_line = True
    command.create_parser("pishkhan", "worker").parse_args(rest)
    job_worker.prepare()
    job_worker.start_chain_keeper()
    command.run_from_argv(["pishkhan", "worker", *rest])
    return 0


def _unknown(command: str) -> int | None:
    """Exit status 2 with a message for a command nobody knows; None for a known one."""
    _setup()  # the apps' own commands are known only once they are loaded
    import difflib

    from django.core.management import get_commands

    known = [*get_commands(), "serve", "sockets", "worker", "demo", "sla-due", *DASHED]
    if command in known:
        return None
    shown = [name for name in known if name not in DASHED.values()]
    close = difflib.get_close_matches(command.replace("_", "-"), shown, n=1)
    maybe = f" Did you mean {close[0]}?" if close else ""
    maybe_fa = f" منظورتان {close[0]} است؟" if close else ""
    print(
        f"pishkhan: unknown command {command!r}.{maybe} See: pishkhan help\n"
        f"pishkhan: فرمان «{command}» شناخته نیست.{maybe_fa} راهنما: pishkhan help",
        file=sys.stderr,
    )
    return 2


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return _main(argv)
    except BrokenPipeError:
        # `pishkhan holidays list | head`: the reader has all it wanted.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _main(argv: list[str]) -> int:
    command = argv[0] if argv else "help"
    rest = argv[1:]
    if command == "serve":
        return _serve(rest)
    if command == "sockets":
        return _sockets(rest)
    if command in ("help", "-h", "--help"):
        print(HELP)
        return 0
    if command in ("version", "--version"):
        print(_version())
        return 0
    if command.startswith("-"):
        print(
            f"pishkhan: {command} is not a command; options come after it: "
            "pishkhan COMMAND [options]. See: pishkhan help\n"
            f"pishkhan: {command} فرمان نیست؛ گزینه‌ها پس از فرمان می‌آیند. راهنما: pishkhan help",
            file=sys.stderr,
        )
        return 2
    if command == "sla-due":
        from pishkhan.sla.due_cli import main as sla_due

        return sla_due(rest)
    if command == "worker":
        return _worker(rest)
    if command == "demo":
        parser = argparse.ArgumentParser(prog="pishkhan demo")
        parser.add_argument(
            "--port",
            type=_port,
            default=8000,
            help="the port the printed links name (default: 8000)",
        )
        args = parser.parse_args(rest)
        _setup()
        from django.core.management import call_command

        from pishkhan import demo

        call_command("migrate", interactive=False, verbosity=0)
        demo.run(port=args.port)
        return 0
    unknown = _unknown(command)
    if unknown is not None:
        return unknown
    # Commands of our own are spelled with dashes on the command line, like `sla-due`.
    if command in DASHED:
        return _django_command(DASHED[command], command, rest)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishkhan.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["pishkhan", command, *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
