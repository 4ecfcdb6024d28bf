"""`pishkhan check --deploy` is clean for production as docs/deploy.md sets it up, and speaks up
for what a laptop install leaves unsafe."""

import os
import secrets
import subprocess
import sys

# Variables a test sets itself rather than inherit from the test run; the browser tests' async
# escape hatch is the test run's own and would (rightly) fail the deploy check.
OWN = {"SECRET_KEY", "HTTPS", "DEBUG", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _check(tmp_path, **env):
    inherited = {k: v for k, v in os.environ.items() if k not in OWN}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pishkhan.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env={**inherited, "PISHKHAN_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_documented_production_settings_pass_the_deploy_check(tmp_path):
    done = _check(
        tmp_path,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/pishkhan",
        REDIS_URL="redis://127.0.0.1:6379/0",
        SECRET_KEY=secrets.token_urlsafe(50),
        HTTPS="1",
    )
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_a_laptop_install_is_told_what_production_needs(tmp_path):
    done = _check(tmp_path)
    assert done.returncode != 0
    # The embedded secret key, SQLite, plain HTTP and cookies sent over it.
    for problem in ("pishkhan.E001", "pishkhan.W001", "security.W008", "security.W012"):
        assert problem in done.stderr, problem
    # One variable sets what Django's four warnings ask for: the check names it.
    assert "set HTTPS=1" in done.stderr
