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


def test_serve_answers_and_its_worker_ends_with_it(tmp_path: Path):
    import signal
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PISHKHAN_DATA_DIR": str(tmp_path), "MEDIA_ROOT": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "pishkhan.cli", "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/") as page:  # noqa: S310
                    assert "ورود" in page.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.5)
        [worker] = _children(server.pid)
    finally:
        server.send_signal(signal.SIGKILL)  # the harshest end: no chance to clean up
        server.wait()
    deadline = time.monotonic() + 20
    while Path(f"/proc/{worker}").exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not Path(f"/proc/{worker}").exists(), "the job worker outlived its server"


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
