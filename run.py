#!/usr/bin/env python3
"""Run Pishkhan from a fresh clone with nothing but Python 3.11.

    python3 run.py [serve options]   install, migrate, create the demo tenants, serve on :8000
    python3 run.py test [pytest ...] install the dev tools, run the suite on SQLite and PostgreSQL
    python3 run.py lock [--upgrade]  regenerate requirements.lock and requirements-dev.lock

Standard library only: this file runs before anything else is installed.
"""

from __future__ import annotations  # readable errors on older Pythons, too

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
PYTHON = BIN / "python"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/pishkhan"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"


def sh(*cmd, **kwargs) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kwargs)  # noqa: S603


def apt_install(package: str) -> bool:
    """Install a Debian package if we may (root, with apt-get); True when it got installed."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        sh("apt-get", "update", "-q", env=env)
        sh("apt-get", "install", "-y", "-q", package, env=env)
    except subprocess.CalledProcessError:
        return False
    return True


def ensure_venv() -> None:
    if PYTHON.exists():
        return
    try:
        import ensurepip  # noqa: F401  Debian ships it separately, in python3-venv
    except ImportError:
        if not apt_install(f"python3.{sys.version_info.minor}-venv"):
            sys.exit(
                "run.py: Python's venv module is incomplete; install the python3-venv "
                "package (Debian/Ubuntu) and run again."
            )
    print(f"Creating {VENV.name} ...", flush=True)
    venv.create(VENV, with_pip=True)


def install(lock: str) -> None:
    """Install the pinned, hash-checked dependencies, then Pishkhan itself (editable).

    A stamp in .venv records what was installed, so a second start is instant; editing the lock
    file or pyproject.toml changes the stamp and triggers a new install."""
    ensure_venv()
    digest = hashlib.sha256()
    for name in (lock, "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    stamp = VENV / f".install-stamp-{lock}"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    pip = [PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    sh(*pip, "--require-hashes", "-r", ROOT / lock)
    # --no-deps: every dependency came from the lock, with hashes; only our own code is new.
    sh(*pip, "--no-deps", "-e", ROOT)
    stamp.write_text(digest.hexdigest())


def serve(args: list[str]) -> int:
    install("requirements.lock")
    os.execv(BIN / "pishkhan", ["pishkhan", "serve", "--demo", *args])  # noqa: S606


def ensure_chromium() -> None:
    """The browser tests drive the system Chromium; Playwright may not download its own."""
    found = shutil.which("chromium", path=f"/usr/bin:{os.environ.get('PATH', '')}")
    if not found and apt_install("chromium"):
        found = shutil.which("chromium", path=f"/usr/bin:{os.environ.get('PATH', '')}")
    if found:
        os.environ.setdefault("CHROMIUM_PATH", found)  # read by tests/e2e
    else:
        print(
            "NOTE: Chromium was not found; the browser (e2e) tests need it. Install the "
            "`chromium` package (Debian/Ubuntu: sudo apt-get install chromium).",
            flush=True,
        )


def ensure_dovecot() -> None:
    """The IMAP tests start their own throw-away Dovecot; only the program must be installed."""
    path = f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin"
    if not shutil.which("dovecot", path=path):
        apt_install("dovecot-imapd")
    if not shutil.which("dovecot", path=path):
        print(
            "NOTE: Dovecot was not found; the IMAP tests (tests/mail) need it and will fail. "
            "Install the `dovecot-imapd` package (Debian/Ubuntu: sudo apt-get install "
            "dovecot-imapd); its system service need not run.",
            flush=True,
        )


def postgres_unreachable(url: str) -> str | None:
    """Why PostgreSQL at `url` cannot be reached, or None when it answers on its port."""
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5432
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as error:
        return f"nothing answers at {host}:{port} ({error.strerror or error})"
    return None


def redis_unreachable(url: str) -> str | None:
    """Why Redis at `url` cannot be reached, or None when it answers PING."""
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    try:
        with socket.create_connection((host, port), timeout=3) as conn:
            conn.sendall(b"PING\r\n")
            if not conn.recv(16).startswith(b"+PONG"):
                return f"{host}:{port} does not answer PING"
    except OSError as error:
        return f"nothing answers at {host}:{port} ({error.strerror or error})"
    return None


def run_suite(
    label: str, database_url: str | None, args: list[str], redis_url: str | None = None
) -> tuple[str, bool]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    if database_url:
        env["DATABASE_URL"] = database_url
    if redis_url:
        env["REDIS_URL"] = redis_url
    print(f"\n=== tests on {label} ===", flush=True)
    started = time.monotonic()
    # Two xdist workers: browser tests mostly wait, and each worker costs a few seconds of
    # setup (its own test database), so more than two does not pay on a CI box. The caller's
    # args come last, so `-n 0` (one process, for debugging) wins.
    workers = "2" if (os.cpu_count() or 1) > 1 else "0"
    pytest = subprocess.run([PYTHON, "-m", "pytest", "-n", workers, *args], env=env)  # noqa: S603
    took = f"{time.monotonic() - started:.0f}s"
    # Exit status 5 means no tests were collected: a broken suite, not a pass.
    if pytest.returncode == 0:
        return f"{label}: passed ({took})", True
    return f"{label}: FAILED (pytest exit status {pytest.returncode}, {took})", False


def test(args: list[str]) -> int:
    install("requirements-dev.lock")
    ensure_chromium()
    ensure_dovecot()
    in_ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    pg_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    # Checked before the SQLite run so a missing server is reported at once, not after minutes.
    pg_problem = postgres_unreachable(pg_url)
    if pg_problem and in_ci:
        print(f"ERROR: PostgreSQL is required in CI but {pg_problem}.", flush=True)
    # The embedded parts (SQLite, in-memory channel layer and cache) in one run, the production
    # parts (PostgreSQL, Redis for the channel layer and the cache) in the other.
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    redis_problem = redis_unreachable(redis_url)
    if redis_problem:
        print(f"{'ERROR' if in_ci else 'note'}: Redis: {redis_problem}.", flush=True)
    results = [run_suite("SQLite", None, args)]
    if pg_problem is None:
        label = "PostgreSQL + Redis" if redis_problem is None else "PostgreSQL"
        results.append(run_suite(label, pg_url, args, redis_url if redis_problem is None else None))
    elif in_ci:
        results.append((f"PostgreSQL: FAILED ({pg_problem})", False))
    else:
        # A laptop without PostgreSQL can still run the embedded (SQLite) suite.
        results.append((f"PostgreSQL: skipped ({pg_problem}; start it or set DATABASE_URL)", True))
    if redis_problem and in_ci:
        results.append((f"Redis: FAILED ({redis_problem})", False))
    print("\n=== summary ===")
    for line, _ok in results:
        print(line)
    return 0 if all(ok for _line, ok in results) else 1


def lock(args: list[str]) -> int:
    ensure_venv()
    if not (BIN / "uv").exists():
        sh(PYTHON, "-m", "pip", "install", "-q", "uv")
    # Resolved for the machines we run on (Linux, Python 3.11), with hashes. uv keeps the pins
    # already in a lock unless told `--upgrade` (or `--upgrade-package NAME`), passed through.
    flags = ["--python-version", "3.11", "--python-platform", "linux", "--generate-hashes",
             "--custom-compile-command", "python3 run.py lock", "--quiet", *args]  # fmt: skip
    sh(BIN / "uv", "pip", "compile", "pyproject.toml", *flags, "-o", "requirements.lock")
    sh(BIN / "uv", "pip", "compile", "pyproject.toml", "--extra", "dev", *flags,
       "-o", "requirements-dev.lock")  # fmt: skip
    return 0


def main() -> int:
    if sys.version_info[:2] != (3, 11):
        # pyproject.toml pins Python 3.11; use it if it is installed beside another python3.
        other = shutil.which("python3.11")
        if other:
            os.execv(other, [other, __file__, *sys.argv[1:]])  # noqa: S606
        sys.exit(f"run.py: Pishkhan needs Python 3.11 (this is {sys.version.split()[0]}).")
    os.chdir(ROOT)  # the embedded database and uploads live in ./var beside this file
    command, *args = sys.argv[1:] or ["serve"]
    commands = {"serve": serve, "test": test, "lock": lock}
    if command not in commands:  # `python3 run.py --port 8001` means serve
        command, args = "serve", sys.argv[1:]
    return commands[command](args)


if __name__ == "__main__":
    sys.exit(main())
