"""Issue 8's anchor, measured on this machine: tickets created through the REST API of
django-helpdesk 2.6.1 (an established Python help desk) under gunicorn on PostgreSQL, at
concurrency 8, and in the same run a trivial JSON view of that same server (no database, as our
`/livez`); the ratio of the two is what its ticket creation costs over its bare stack, to set
beside bench/api_create.py's. Prints one JSON line.

    .venv/bin/python bench/anchor_helpdesk.py
    ... --seconds 20 --concurrency 8 --workers 2 --threads 1

The anchor is installed in a throw-away virtualenv under the system's temp directory (reused by
later runs while its pins are unchanged), with every package pinned below: it is never a
dependency of the product. Each run generates a minimal Django project for it in a temp
directory (settings written out in full, none read from the environment; DEBUG off; persistent
database connections), drops and recreates the database `helpdesk_bench`, migrates, and makes a
superuser with a DRF token and one queue. Each request authenticates by that token
(`Authorization: Token ...`: one read of the token and its user, no password hash) and is a
`POST /helpdesk/api/tickets/` with Persian text from the duplicate corpus and a submitter
address of its own. django-helpdesk creates the ticket and its first follow-up and e-mails
the submitter from the queue's templates in the request; the e-mail backend is Django's locmem,
so each message is rendered and built but never leaves the process.

The load comes from `wrk` (Debian package `wrk`), as in api_create.py. `--workers` and
`--threads` choose gunicorn's setup (sync workers, or gthread with more than one thread). On 2
cores, in 5-second runs taking turns, 2 sync workers were the fastest (median 73 tickets/s of
four runs), ahead of 3 sync workers (61), 4 (59 of three) and 2 gthread workers of 4 threads
(50 of three): more processes or threads than cores only add contention, as a creation is
mostly Python. So 2 sync workers are the default. PostgreSQL at 127.0.0.1:5432, user postgres,
trust auth, as for the other bench scripts."""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

# The load, the server's readiness and the Persian texts as api_create.py has them.
from api_create import (  # noqa: E402
    LIVEZ_LUA,
    _cpu_now,
    _free_port,
    _lua_string,
    _texts,
    _wait_ready,
    _wrk,
    counting_script,
)

DATABASE = "postgres://postgres@127.0.0.1:5432/helpdesk_bench"
HELPDESK = "2.6.1"

# Everything the anchor's environment holds, each pinned: what pip resolved for
# django-helpdesk 2.6.1 with djangorestframework, gunicorn and psycopg.
PINS = [
    f"django-helpdesk=={HELPDESK}",
    "Django==5.2.20",
    "djangorestframework==3.18.3",
    "gunicorn==27.0.1",
    "psycopg==3.3.9",
    "psycopg-binary==3.3.9",
    "asgiref==3.13.0",
    "beautifulsoup4==4.15.0",
    "certifi==2026.10.19.post1",
    "charset-normalizer==3.5.3",
    "django-cleanup==9.0.0",
    "django-model-utils==5.0.0",
    "email-reply-parser==0.5.12",
    "idna==3.21",
    "Markdown==3.11.4",
    "nh3==0.3.8",
    "oauthlib==4.0.1",
    "requests==2.34.2",
    "requests-oauthlib==2.0.0",
    "soupsieve==4.1.4",
    "sqlparse==0.6.1",
    "typing_extensions==4.16.0",
    "urllib3==2.8.0",
]
VERSIONS = ["django-helpdesk", "Django", "djangorestframework", "gunicorn", "psycopg"]

SETTINGS = '''"""Settings of a throw-away project serving django-helpdesk for a benchmark."""

SECRET_KEY = %(secret)r
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "benchsite.urls"
WSGI_APPLICATION = "benchsite.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": %(name)r,
        "USER": %(user)r,
        "HOST": %(host)r,
        "PORT": %(port)r,
        "CONN_MAX_AGE": None,
    }
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = "helpdesk@example.com"
SITE_ID = 1
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
MEDIA_ROOT = %(media)r
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
LOGIN_URL = "helpdesk:login"

HELPDESK_API_ENABLED = True
HELPDESK_TEAMS_MODE_ENABLED = False  # teams need pinax-teams, which nothing here uses
'''

URLS = """from django.http import JsonResponse
from django.urls import include, path


def livez(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("livez", livez),
    path("helpdesk/", include("helpdesk.urls")),
]
"""

WSGI = """import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")
application = get_wsgi_application()
"""

# Run with the anchor's Python: the superuser, its token and the queue; prints them as JSON.
SETUP = """import json

import django

django.setup()
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from helpdesk.models import Queue

user = get_user_model().objects.create_superuser("bench", "bench@example.com", None)
token = Token.objects.create(user=user)
queue = Queue.objects.create(
    title="پشتیبانی فنی", slug="support", email_address="support@example.com"
)
print(json.dumps({"token": token.key, "queue": queue.pk}))
"""

VERSIONS_SCRIPT = """import json
import sys
from importlib.metadata import version

print(json.dumps({name: version(name) for name in sys.argv[1:]}))
"""

REQUEST_LUA = r"""
local bodies = {%(bodies)s}

function request()
  local i = offset + tid + step * counter
  counter = counter + 1
  local body = string.format(bodies[(i %% #bodies) + 1], i, i)
  return wrk.format("POST", "/helpdesk/api/tickets/", nil, body)
end
"""


def _environment(rebuild: bool) -> Path:
    """The anchor's virtualenv: made once under the temp directory, kept while PINS match."""
    home = Path(tempfile.gettempdir()) / f"pishkhan-anchor-helpdesk-{HELPDESK}"
    python = home / "bin" / "python"
    marker = home / "pins.txt"
    wanted = "\n".join(PINS) + "\n"
    if not rebuild and python.exists() and marker.exists() and marker.read_text() == wanted:
        return python
    shutil.rmtree(home, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(home)], check=True)  # noqa: S603
    subprocess.run(  # noqa: S603
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PINS],
        check=True,
    )
    marker.write_text(wanted)
    return python


def _versions(python: Path) -> dict[str, str]:
    done = subprocess.run(  # noqa: S603
        [str(python), "-c", VERSIONS_SCRIPT, *VERSIONS],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def _recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _project(site: Path, url: str) -> None:
    """A minimal Django project serving django-helpdesk: settings, urls, wsgi."""
    parts = urllib.parse.urlsplit(url)
    package = site / "benchsite"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    settings = SETTINGS % {
        "secret": secrets.token_urlsafe(40),
        "name": parts.path.lstrip("/"),
        "user": parts.username or "postgres",
        "host": parts.hostname or "127.0.0.1",
        "port": str(parts.port or 5432),
        "media": str(site / "media"),
    }
    (package / "settings.py").write_text(settings, encoding="utf-8")
    (package / "urls.py").write_text(URLS, encoding="utf-8")
    (package / "wsgi.py").write_text(WSGI, encoding="utf-8")
    (site / "setup_bench.py").write_text(SETUP, encoding="utf-8")


def _body_templates(queue_id: int) -> list[str]:
    """JSON bodies with `%d` for the request's index in the title and the submitter's address
    (printf, in Lua)."""
    templates = []
    for subject, body in _texts():
        encoded = json.dumps(
            {
                "queue": queue_id,
                "title": subject[:150] + " ",
                "description": body,
                "submitter_email": "SUBMITTER",
                "priority": 3,
            },
            ensure_ascii=False,
        )
        encoded = encoded.replace("%", "%%")
        encoded = encoded.replace(' ", "description"', ' #%d", "description"', 1)
        encoded = encoded.replace('"SUBMITTER"', '"c%d@customers.example"', 1)
        templates.append(encoded)
    return templates


def _rows(url: str) -> dict[str, int]:
    """What the run left in the database: tickets, follow-ups, and follow-ups whose e-mail to
    the submitter was sent (to the locmem backend)."""
    import psycopg

    with psycopg.connect(url) as conn:
        tickets, followups, mailed = conn.execute(
            "SELECT (SELECT count(*) FROM helpdesk_ticket), count(*),"
            " count(*) FILTER (WHERE email_recipients::text <> '[]') FROM helpdesk_followup"
        ).fetchone()
    return {"tickets": tickets, "followups": followups, "mailed": mailed}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20, help="length of each measured run")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (more than 1: gthread)"
    )
    parser.add_argument("--database", default=DATABASE, help="dropped and recreated")
    parser.add_argument("--rebuild", action="store_true", help="reinstall the anchor's virtualenv")
    parser.add_argument("--server-log", help="write gunicorn's output to this file")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (Debian package `wrk`)")

    python = _environment(args.rebuild)
    versions = _versions(python)
    site = Path(tempfile.mkdtemp(prefix="pishkhan-anchor-site-"))
    _project(site, args.database)
    _recreate_database(args.database)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchsite.settings", "PYTHONPATH": str(site)}
    subprocess.run(  # noqa: S603
        [str(python), "-m", "django", "migrate", "--verbosity", "0"], cwd=site, env=env, check=True
    )
    setup = subprocess.run(  # noqa: S603
        [str(python), "setup_bench.py"], cwd=site, env=env, capture_output=True, check=True
    )
    made = json.loads(setup.stdout)

    templates = ",\n".join(_lua_string(t) for t in _body_templates(made["queue"]))
    create_script = site / "create.lua"
    create_script.write_text(counting_script(REQUEST_LUA % {"bodies": templates}), encoding="utf-8")
    livez_script = site / "livez.lua"
    livez_script.write_text(LIVEZ_LUA, encoding="utf-8")

    if args.threads > 1:
        layout = ["--worker-class", "gthread", "--threads", str(args.threads)]
        server_name = f"{args.workers} gthread workers x {args.threads} threads"
    else:
        layout = ["--worker-class", "sync"]
        server_name = f"{args.workers} sync workers"
    log = open(args.server_log, "wb") if args.server_log else subprocess.DEVNULL  # noqa: SIM115
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603
        [
            str(python),
            "-m",
            "gunicorn",
            "benchsite.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            *layout,
            "--log-level",
            "warning",
        ],
        cwd=site,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    headers = [f"Authorization: Token {made['token']}", "Content-Type: application/json"]
    steps = min(2, args.concurrency)

    def creations(seconds: float, first: int) -> dict:
        # Each request's index from `first` on: the warm-up's titles and addresses stay apart.
        return _wrk(
            create_script,
            base,
            seconds=seconds,
            concurrency=args.concurrency,
            headers=headers,
            args=(first, steps),
        )

    try:
        _wait_ready(base, server)
        # Every worker loads its code and opens its connection before the clock runs.
        warm = max(2.0, args.workers * 1.5)
        _wrk(livez_script, base + "/livez", seconds=warm, concurrency=args.concurrency, headers=[])
        warmed = creations(warm, 10_000_000)
        cpu_before = _cpu_now(server.pid)
        created = creations(args.seconds, 0)
        cpu_after = _cpu_now(server.pid)
        livez = _wrk(
            livez_script,
            base + "/livez",
            seconds=args.seconds,
            concurrency=args.concurrency,
            headers=[],
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(site, ignore_errors=True)

    rows = _rows(args.database)
    if not created["created"] or created["created"] * 2 < created["requests"]:
        raise SystemExit(
            f"most creations failed: {created['created']} of {created['requests']} answered 201"
            f" ({created['other']} other, {created['failed']} 5xx); run with --server-log"
        )
    answered = warmed["created"] + created["created"]
    if rows["tickets"] < answered or rows["followups"] < answered:
        raise SystemExit(
            f"{rows['tickets']} tickets and {rows['followups']} follow-ups in the database,"
            f" {answered} creations answered 201"
        )

    cpu_per_ticket = None
    if cpu_before is not None and created["created"]:
        web_ms, database_ms = (
            (after - before) * 1000 / created["created"]
            for before, after in zip(cpu_before, cpu_after, strict=True)
        )
        cpu_per_ticket = {"web": round(web_ms, 2), "database": round(database_ms, 2) or None}
    tickets_per_s = created["created"] / created["seconds"]
    trivial_per_s = livez["requests"] / livez["seconds"]
    print(
        json.dumps(
            {
                "bench": "anchor_helpdesk",
                "helpdesk": versions["django-helpdesk"],
                "django": versions["Django"],
                "djangorestframework": versions["djangorestframework"],
                "psycopg": versions["psycopg"],
                "server": f"gunicorn {versions['gunicorn']}, {server_name}",
                "concurrency": args.concurrency,
                "seconds": args.seconds,
                "tickets_per_s": round(tickets_per_s, 1),
                "p50_ms": round(created["p50_us"] / 1000, 2),
                "p99_ms": round(created["p99_us"] / 1000, 2),
                "trivial_per_s": round(trivial_per_s, 1),
                "trivial_p50_ms": round(livez["p50_us"] / 1000, 2),
                "trivial_errors": livez["errors"],
                "ratio": round(trivial_per_s / tickets_per_s, 1) if tickets_per_s else None,
                "created": created["created"],
                "failed": created["other"] + created["failed"],
                "socket_errors": created["errors"],
                "tickets_in_db": rows["tickets"],
                "followups_in_db": rows["followups"],
                "followups_mailed": rows["mailed"],
                "cpu_ms_per_ticket": cpu_per_ticket,
                "machine": f"{platform.machine()}, {os.cpu_count()} cpu",
                "python": platform.python_version(),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
