"""The `pishkhan` command as a newcomer runs it: demo data, then a worker that delivers the
notifications the demo's tickets queued."""

import os
import subprocess
import sys
from pathlib import Path


def _run(args, env, timeout=180):
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pishkhan.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_demo_then_worker_delivers_queued_mail(tmp_path: Path):
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "PISHKHAN_DATA_DIR": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    env.pop("DATABASE_URL", None)
    demo = _run(["demo"], env)
    assert demo.returncode == 0, demo.stderr
    assert "customer@demo.example" in demo.stdout and "/agent/" in demo.stdout
    assert not mail_dir.exists()  # nothing is sent inside the request; the worker sends it

    again = _run(["demo"], env)  # safe to run twice
    assert again.returncode == 0, again.stderr

    worker = _run(["worker", "--batch", "--no-startup-delay"], env)
    assert worker.returncode == 0, worker.stderr
    sent = "".join(p.read_text() for p in mail_dir.iterdir())
    assert "customer@demo.example" in sent


def test_help_lists_the_commands():
    out = subprocess.run(
        [sys.executable, "-m", "pishkhan.cli", "help"],  # noqa: S603
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for command in ("serve", "worker", "demo", "migrate"):
        assert command in out


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _visitor_says_hello(socket_port: int, page_port: int) -> dict:
    """A chat visitor's socket on the demo workspace, through the socket server: its first
    frame back."""
    import json
    import socket

    from websockets.sync.client import connect

    raw = socket.create_connection(("127.0.0.1", socket_port), timeout=10)
    with connect(
        f"ws://demo.localhost:{socket_port}/ws/chat/visitor/",
        sock=raw,
        origin=f"http://demo.localhost:{page_port}",
        open_timeout=10,
    ) as visitor:
        visitor.send(json.dumps({"type": "hello", "name": "مهمان", "language": "fa"}))
        return json.loads(visitor.recv(timeout=10))


def _wait_for_login_page(port: int, deadline: float) -> None:
    import time
    import urllib.request

    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/") as page:  # noqa: S310
                assert "ورود" in page.read().decode()
            return
        except OSError:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.5)


def _widget_socket(port: int) -> str:
    """Where the demo workspace's widget is told to open its socket."""
    import json
    import urllib.request

    asked = urllib.request.Request(  # noqa: S310
        f"http://127.0.0.1:{port}/chat/widget/config/",
        headers={"Host": f"demo.localhost:{port}"},
    )
    with urllib.request.urlopen(asked) as answer:  # noqa: S310
        return json.loads(answer.read())["socket"]


def _apart_env(tmp_path: Path) -> dict:
    """`serve` on SQLite with Redis: HTTP, the sockets and the worker in processes apart."""
    env = {
        **os.environ,
        "PISHKHAN_DATA_DIR": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path),
        # The channel layer that carries chat frames between its HTTP and socket processes.
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14",
        "REDIS_KEY_PREFIX": f"cli-{tmp_path.name}:",
    }
    env.pop("DATABASE_URL", None)
    return env


def _start_serve(env: dict, *args: str) -> subprocess.Popen:
    """`pishkhan serve --demo` with `args`, once its login page answers."""
    import time

    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "pishkhan.cli", "serve", "--demo", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_login_page(int(args[args.index("--port") + 1]), time.monotonic() + 90)
    except BaseException:
        server.kill()
        server.wait()
        raise
    return server


def test_serve_with_redis_answers_http_and_sockets_apart_and_its_processes_end_with_it(
    tmp_path: Path,
):
    import signal
    import time

    port, socket_port = _free_port(), _free_port()
    server = _start_serve(
        _apart_env(tmp_path),
        "--port",
        str(port),
        "--socket-port",
        str(socket_port),
        "--workers",
        "2",
    )
    try:
        deadline = time.monotonic() + 90
        # A page served straight to the browser sends the widget to the socket server's port
        # of the same host.
        socket = _widget_socket(port)
        assert socket == f"ws://demo.localhost:{socket_port}/ws/chat/visitor/"
        while True:
            try:
                welcome = _visitor_says_hello(socket_port, port)
                break
            except OSError:
                assert time.monotonic() < deadline, "socket server did not start"
                time.sleep(0.5)
        assert welcome["type"] == "welcome" and welcome["visitor"]
        # The job worker, the socket server and the two HTTP processes (the second HTTP
        # process may still be on its way on a busy machine).
        children = _children(server.pid)
        while len(children) < 4 and time.monotonic() < deadline:
            time.sleep(0.5)
            children = _children(server.pid)
        assert len(children) == 4
    finally:
        server.send_signal(signal.SIGKILL)  # the harshest end: no chance to clean up
        server.wait()
    deadline = time.monotonic() + 20
    while any(Path(f"/proc/{child}").exists() for child in children):
        assert time.monotonic() < deadline, "a process outlived the server that started it"
        time.sleep(0.5)


def test_serve_without_redis_serves_http_sockets_and_jobs_from_one_process(tmp_path: Path):
    """The in-memory channel layer reaches only its own process's sockets: on a laptop one
    process answers both, on one port, and runs the jobs, so what a job tells a chat is heard.
    An offer nobody answers moves on by a job: here the only agent online is asked again."""
    import json
    import signal
    import socket
    import time

    from websockets.sync.client import connect

    port = _free_port()
    env = {
        **os.environ,
        "PISHKHAN_DATA_DIR": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path),
        # As a laptop runs it: jobs wait in the database for the worker.
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "SOCKET_PORT"):
        env.pop(name, None)
    server = _start_serve(env, "--port", str(port))
    try:
        assert _widget_socket(port) == f"ws://demo.localhost:{port}/ws/chat/visitor/"
        assert _children(server.pid) == []
        # The owner gives agents the shortest time to accept an offer.
        assert _chat_settings_change(port, {"offer_seconds": 5})["offer_seconds"] == 5
        cookie = _staff_session(port, "agent@demo.example")
        origin = f"http://demo.localhost:{port}"
        with (
            connect(
                f"ws://demo.localhost:{port}/ws/chat/agent/",
                sock=socket.create_connection(("127.0.0.1", port), timeout=10),
                origin=origin,
                additional_headers={"Cookie": cookie},
                open_timeout=10,
            ) as agent,
            connect(
                f"ws://demo.localhost:{port}/ws/chat/visitor/",
                sock=socket.create_connection(("127.0.0.1", port), timeout=10),
                origin=origin,
                open_timeout=10,
            ) as visitor,
        ):
            assert json.loads(agent.recv(timeout=10))["type"] == "ready"
            agent.send(json.dumps({"type": "presence", "status": "online"}))
            visitor.send(json.dumps({"type": "hello", "name": "مهمان", "language": "fa"}))
            assert json.loads(visitor.recv(timeout=10))["type"] == "welcome"
            visitor.send(json.dumps({"type": "start", "text": "سلام، سفارش من کی می‌رسد؟"}))
            offers = []
            deadline = time.monotonic() + 60
            while len(offers) < 2:
                assert time.monotonic() < deadline, f"the offer was not made again: {offers}"
                frame = json.loads(agent.recv(timeout=60))
                if frame["type"] == "offer":
                    offers.append(frame["chat"])
            # The first offer at the start, the second by the job once five seconds passed.
            assert offers[0] == offers[1]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _chat_settings_change(port: int, change: dict) -> dict:
    import json
    import urllib.request

    from pishkhan.demo import DEMO_TOKENS

    asked = urllib.request.Request(  # noqa: S310
        f"http://127.0.0.1:{port}/api/v1/chat-settings",
        data=json.dumps(change).encode(),
        method="PATCH",
        headers={
            "Host": f"demo.localhost:{port}",
            "Authorization": f"Bearer {DEMO_TOKENS['demo']}",
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(asked) as answer:  # noqa: S310
        return json.loads(answer.read())


def _staff_session(port: int, email: str) -> str:
    """A staff member signed in on the demo workspace: the Cookie header of the session."""
    import http.cookiejar
    import re
    import urllib.parse
    import urllib.request

    from pishkhan.demo import PASSWORD

    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    host = {"Host": f"demo.localhost:{port}"}
    login = f"http://127.0.0.1:{port}/login/"
    with browser.open(urllib.request.Request(login, headers=host)) as page:  # noqa: S310
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "email": email, "password": PASSWORD}
    ).encode()
    with browser.open(urllib.request.Request(login, data=form, headers=host)):  # noqa: S310
        pass
    cookies = {cookie.name: cookie.value for cookie in jar}
    assert "sessionid" in cookies, "not signed in"
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def test_serve_refuses_several_processes_without_redis_and_changes_nothing(tmp_path: Path):
    env = {**os.environ, "PISHKHAN_DATA_DIR": str(tmp_path), "MEDIA_ROOT": str(tmp_path)}
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    refused = _run(["serve", "--workers", "2", "--port", str(_free_port())], env, timeout=60)
    assert refused.returncode == 2
    assert "REDIS_URL" in refused.stderr and "پردازه" in refused.stderr
    assert list(tmp_path.iterdir()) == []  # not even migrated


def test_create_tenant_gives_a_workspace_its_owner(tmp_path: Path):
    env = {**os.environ, "PISHKHAN_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    assert _run(["migrate"], env).returncode == 0
    made = _run(
        [
            "create_tenant",
            "--slug",
            "acme",
            "--name",
            "آکمه",
            "--owner-email",
            "Boss@Acme.ir",
            "--owner-password",
            "ramz-e-mohkam-1405",
            "--host",
            "support.acme.ir",
        ],
        env,
    )
    assert made.returncode == 0, made.stderr
    assert "acme" in made.stdout and "boss@acme.ir" in made.stdout
    again = _run(
        ["create_tenant", "--slug", "acme", "--name", "x", "--owner-email", "boss@acme.ir"], env
    )
    assert again.returncode != 0 and "slug" in again.stderr.lower()
    # A second workspace for the same owner, given a password: theirs is kept, and they are told
    second = _run(
        [
            "create-tenant",
            "--slug",
            "acme-shop",
            "--name",
            "فروشگاه آکمه",
            "--owner-email",
            "boss@acme.ir",
            "--owner-password",
            "another-pass-1405",
        ],
        env,
    )
    assert second.returncode == 0, second.stderr
    assert "--owner-password was not used" in second.stdout and "به کار نرفت" in second.stdout


def test_help_names_every_command_as_it_is_typed():
    out = _run(["help"], os.environ).stdout
    for command in ("create-tenant", "holidays", "quality-report", "chat-sweep", "check --deploy"):
        assert command in out, command
    version = _run(["--version"], os.environ)
    assert version.returncode == 0 and version.stdout.startswith("pishkhan ")  # not Django's
    usage = _run(["create-tenant", "--help"], os.environ)
    assert usage.returncode == 0 and "usage: pishkhan create-tenant" in usage.stdout
    usage = _run(["worker", "--help"], os.environ)
    assert usage.returncode == 0 and "usage: pishkhan worker" in usage.stdout


def test_a_mistake_on_the_command_line_is_told_plainly(tmp_path: Path):
    """Exit status 2 and what was wrong: never a traceback, never a server started anyway."""
    env = {
        **os.environ,
        "PISHKHAN_DATA_DIR": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",  # the worker's, as installed
    }
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    told = {
        ("nonsense",): "فرمان «nonsense» شناخته نیست",
        ("mail_recieve",): "Did you mean mail-receive?",
        ("--port", "8000"): "options come after it",
        ("serve", "--workers", "0"): "تعداد پردازه نیست",
        ("serve", "--port", "abc"): "'abc' is not a port",
        ("sockets", "--port", "70000"): "درگاه نیست",
        ("demo", "--port", "0"): "is not a port",
        ("worker", "--interval", "abc"): "pishkhan worker: error: argument --interval",
        ("worker", "--bogus"): "unrecognized arguments: --bogus",
        ("mail-receive", "--port", "abc"): "pishkhan mail-receive: error:",
        ("create-tenant", "--slug", "x"): "required: --name, --owner-email",
    }
    for args, message in told.items():
        done = _run(list(args), env, timeout=60)
        assert done.returncode == 2, (args, done.stderr)
        assert message in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr, (args, done.stderr)
    assert not list(tmp_path.glob("*.sqlite3"))  # nothing migrated, no job planned


def test_serve_refuses_a_port_already_in_use_instead_of_sharing_it(tmp_path: Path):
    """The HTTP server binds with SO_REUSEPORT: a second installation on a taken port would
    quietly get half of the first one's requests."""
    import socket

    env = {**os.environ, "PISHKHAN_DATA_DIR": str(tmp_path), "MEDIA_ROOT": str(tmp_path)}
    env["REDIS_URL"] = env.get("REDIS_URL") or "redis://127.0.0.1:6379/9"  # never reached
    env.pop("DATABASE_URL", None)
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for args in (
            ["--port", str(port)],
            ["--port", str(_free_port()), "--socket-port", str(port)],
        ):
            refused = _run(["serve", *args], env, timeout=60)
            assert refused.returncode == 2, refused.stderr
            assert f"127.0.0.1:{port} is already in use" in refused.stderr
            assert f"درگاه 127.0.0.1:{port}" in refused.stderr
    assert list(tmp_path.iterdir()) == []  # refused before migrating


def test_the_demo_writes_its_mail_to_files_and_leaves_the_logins_readable(tmp_path: Path):
    import signal
    import time

    port = _free_port()
    env = {
        **os.environ,
        "PISHKHAN_DATA_DIR": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "SOCKET_PORT", "EMAIL_BACKEND", "EMAIL_HOST"):
        env.pop(name, None)
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "pishkhan.cli", "serve", "--demo", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 90
            _wait_for_login_page(port, deadline)
            mail = tmp_path / "mail"
            while not (mail.exists() and any(mail.iterdir())):
                assert time.monotonic() < deadline, "the demo's mail was not written"
                time.sleep(0.5)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    printed = log.read_text()
    assert "owner@demo.example" in printed
    assert f"Mail the demo sends is written to files in {mail}" in printed
    assert "Content-Type:" not in printed
    assert "customer@demo.example" in "".join(p.read_text() for p in mail.iterdir())


def test_create_tenant_tells_each_mistake_under_its_option_in_english_and_persian(tmp_path: Path):
    env = {**os.environ, "PISHKHAN_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    assert _run(["migrate"], env).returncode == 0
    owner = ["--owner-email", "boss@acme.ir", "--owner-password", "ramz-e-mohkam-1405"]
    made = _run(
        ["create-tenant", "--slug", "acme", "--name", "آکمه", *owner, "--host", "support.acme.ir"],
        env,
    )
    assert made.returncode == 0, made.stderr
    told = {
        ("--slug", "acme", "--name", "x", *owner): (
            "--slug: A workspace with the slug acme exists.",
            "--slug: محیط کاری با شناسهٔ acme از قبل وجود دارد.",
        ),
        ("--slug", "b2", "--name", "x", *owner, "--host", "https://support.b2.ir/"): (
            "--host: “https://support.b2.ir/” is not a host name",
            "«https://support.b2.ir/» نام میزبان نیست",
        ),
        ("--slug", "b3", "--name", "x", *owner, "--host", "Support.Acme.ir"): (
            "--host: support.acme.ir already serves another workspace.",
            "support.acme.ir از قبل نشانی محیط کاری دیگری است.",
        ),
        (
            "--slug",
            "b4",
            "--name",
            "x",
            "--owner-email",
            "new@b4.ir",
            "--owner-password",
            "short",
        ): (
            "--owner-password: This password is too short.",
            "--owner-password: این گذرواژه کوتاه است",
        ),
    }
    for args, (english, persian) in told.items():
        done = _run(["create-tenant", *args], env)
        assert done.returncode == 1, (args, done.stderr)
        assert english in done.stderr and persian in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr, (args, done.stderr)
    script = (
        "from pishkhan.tenancy.models import Domain, Tenant; "
        "print(*Tenant.objects.values_list('slug', flat=True), "
        "*Domain.objects.values_list('host', flat=True))"
    )
    listed = _run(["shell", "--no-imports", "-c", script], env)
    assert listed.stdout.split() == ["acme", "support.acme.ir"], listed.stdout


def test_serve_starts_its_websocket_server_again_when_it_dies(tmp_path: Path):
    import signal
    import time

    port, socket_port = _free_port(), _free_port()
    server = _start_serve(
        _apart_env(tmp_path), "--port", str(port), "--socket-port", str(socket_port)
    )

    def sockets_child() -> int | None:
        # Any of serve's threads may have started it (the keeper starts it again).
        for children in Path(f"/proc/{server.pid}/task").glob("*/children"):
            for child in children.read_text().split():
                command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
                if b"sockets" in command:
                    return int(child)
        return None

    def answers(deadline: float) -> dict:
        while True:
            try:
                return _visitor_says_hello(socket_port, port)
            except Exception:  # refused, or closed by a server still starting
                assert time.monotonic() < deadline, "the socket server did not answer"
                time.sleep(0.5)

    try:
        assert answers(time.monotonic() + 90)["type"] == "welcome"
        first = sockets_child()
        assert first is not None
        # when the websocket server dies of something
        os.kill(first, signal.SIGKILL)
        # then serve starts another, and visitors are welcomed again
        assert answers(time.monotonic() + 60)["type"] == "welcome"
        second = sockets_child()
        assert second is not None and second != first
        assert server.poll() is None
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def test_the_socket_server_says_where_it_listens(tmp_path: Path):
    port = _free_port()
    env = {**os.environ, "PISHKHAN_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    sockets = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "pishkhan.cli", "sockets", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = sockets.stderr.readline()
    finally:
        sockets.kill()
        sockets.wait()
    assert f"ws://127.0.0.1:{port}/ws/" in first
