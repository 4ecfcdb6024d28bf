"""C-1 inbound mail: ingest 5,000 messages (new requests and replies threaded by In-Reply-To)
through `mail_ingest` — parse, thread, the whole intake path, commit — and report messages per
second and the per-message p50/p99. Prints one JSON line.

    python bench/mail_ingest.py                      # SQLite in a throw-away directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pishkhan_bench python bench/mail_ingest.py
    ... --processes 4                                # that many ingesting processes at once

Each process takes its own customers, so a reply always follows its request in one process (as
one mail server delivers one conversation in order). Jobs (notifications) are enqueued as in
production, not run. Each run adds its own tenant (`mail<timestamp>`)."""

import argparse
import json
import multiprocessing
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from _postgres import ensure_database  # noqa: E402 (bench/ is on the path of its scripts)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishkhan.settings")
if "DATABASE_URL" not in os.environ:
    os.environ.setdefault("PISHKHAN_DATA_DIR", tempfile.mkdtemp(prefix="pishkhan-bench-"))

MESSAGES = 5000
REPLY_SHARE = 0.4

SENTENCES = [
    "سلام، از دیروز ایمیل‌های دامنه ما ارسال نمی‌شوند و پیام خطا برمی‌گردد.",
    "سایت ما از صبح امروز در دسترس نیست؛ لطفاً بررسی کنید.",
    "گواهی SSL دامنه تمدید شده ولی مرورگر هنوز هشدار می‌دهد.",
    "فضای دیسک هاست پر شده و نمی‌توانیم فایل بارگذاری کنیم.",
    "پایگاه داده وردپرس خطای اتصال می‌دهد.",
    "لطفاً رکوردهای DNS دامنه را برای سرور جدید تنظیم کنید.",
    "صورت‌حساب این ماه دو بار از حساب ما کسر شده است.",
    "درخواست انتقال دامنه به حساب کاربری دیگر را داریم.",
]


def _mail(*, sender: str, to: str, subject: str, body: str, in_reply_to: str = "") -> tuple:
    message = EmailMessage()
    message["From"] = f"مشتری <{sender}>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now().astimezone())
    message_id = make_msgid(domain="bench.example")
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(body)
    return message.as_bytes(), message_id


def _stream(slug: str, address: str, count: int, process: int, processes: int) -> list[bytes]:
    """New requests and replies of this process's customers, in delivery order."""
    import random

    rng = random.Random(process)
    mine: list[bytes] = []
    threads: list[tuple[str, str, str]] = []  # (sender, subject, last message id)
    for index in range(count):
        if threads and rng.random() < REPLY_SHARE:
            position = rng.randrange(len(threads))
            sender, subject, last = threads[position]
            raw, message_id = _mail(
                sender=sender,
                to=address,
                subject=f"Re: {subject}",
                body=f"{rng.choice(SENTENCES)}\n\n> {rng.choice(SENTENCES)}",
                in_reply_to=last,
            )
            threads[position] = (sender, subject, message_id)
        else:
            sender = f"c{process}-{index}@{slug}.example"
            subject = f"{rng.choice(SENTENCES)[:40]} {index}"
            raw, message_id = _mail(
                sender=sender,
                to=address,
                subject=subject,
                body=" ".join(rng.sample(SENTENCES, 3)),
            )
            threads.append((sender, subject, message_id))
        mine.append(raw)
    return mine


def _work(args) -> tuple[list[float], float, float]:
    """Per-message timings, and when (epoch seconds) the first began and the last ended: the
    rate counts ingest only, not the process's start-up or the making of its mail."""
    slug, mailbox_id, count, process, processes = args
    import django

    django.setup()
    from pishkhan.mail.models import Mailbox
    from pishkhan.mail.services import mail_ingest

    mailbox = Mailbox.objects.select_related("tenant", "department").get(pk=mailbox_id)
    stream = _stream(slug, mailbox.address, count, process, processes)
    timings = []
    began = time.time()
    for raw in stream:
        started = time.perf_counter()
        row = mail_ingest(mailbox=mailbox, raw=raw)
        timings.append(time.perf_counter() - started)
        if row.status == "failed":
            raise SystemExit(f"ingest failed: {row.detail}")
    return timings, began, time.time()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=MESSAGES)
    parser.add_argument("--processes", type=int, default=1)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    call_command("migrate", verbosity=0)
    from pishkhan.accounts.services import staff_user_create
    from pishkhan.core import clock
    from pishkhan.mail.models import InboundMail, Mailbox
    from pishkhan.tenancy.models import Role
    from pishkhan.tenancy.services import membership_grant, tenant_create
    from pishkhan.tickets.services import department_create

    slug = f"mail{int(time.time())}"
    tenant = tenant_create(slug=slug, name="bench")
    owner = staff_user_create(
        email=f"owner@{slug}.example", password=secrets.token_urlsafe(), full_name="o"
    )
    membership_grant(tenant=tenant, user=owner, role=Role.OWNER)
    department = department_create(tenant=tenant, actor=owner, name="پشتیبانی")
    mailbox = Mailbox.objects.create(
        tenant=tenant,
        department=department,
        address=f"support@{slug}.example",
        created_at=clock.now(),
    )
    vendor = connection.vendor
    connection.close()  # children open their own (spawned: no pool shared across a fork)

    per = args.messages // args.processes
    jobs = [(slug, mailbox.pk, per, p, args.processes) for p in range(args.processes)]
    if args.processes == 1:
        results = [_work(jobs[0])]
    else:
        with multiprocessing.get_context("spawn").Pool(args.processes) as pool:
            results = pool.map(_work, jobs)
    elapsed = max(end for _t, _b, end in results) - min(began for _t, began, _e in results)
    timings = sorted(t for chunk, _b, _e in results for t in chunk)
    counts = dict(
        InboundMail.objects.filter(tenant=tenant).values_list("status").annotate(n=Count("pk"))
    )
    print(
        json.dumps(
            {
                "bench": "mail_ingest",
                "database": vendor,
                "processes": args.processes,
                "messages": len(timings),
                "by_status": counts,
                "messages_per_s": round(len(timings) / elapsed, 1),
                "p50_ms": round(statistics.median(timings) * 1000, 2),
                "p99_ms": round(timings[int(len(timings) * 0.99) - 1] * 1000, 2),
                "machine": f"{platform.machine()}, {os.cpu_count()} cpu",
                "python": platform.python_version(),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
