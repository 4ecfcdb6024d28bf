"""`pishkhan search-rebuild` as an operator runs it after losing the index."""

import os
import subprocess
import sys
from pathlib import Path


def _run(args, env):
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pishkhan.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_search_rebuild_runs_per_tenant_and_refuses_an_unknown_one(tmp_path: Path):
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
            "boss@acme.ir",
            "--owner-password",
            "ramz-e-mohkam-1405",
        ],
        env,
    )
    assert made.returncode == 0, made.stderr
    # when the operator rebuilds one tenant's index
    done = _run(["search-rebuild", "--tenant", "acme"], env)
    # then it reports what it indexed
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("acme: ") and "ticket 0" in done.stdout
    # and a slug that does not exist is an error, not a silent success
    missing = _run(["search-rebuild", "--tenant", "nobody"], env)
    assert missing.returncode != 0 and "nobody" in missing.stderr
