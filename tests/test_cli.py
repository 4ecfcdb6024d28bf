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
