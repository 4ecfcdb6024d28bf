"""Demo data: two tenants side by side with Persian content from the seed policies.

Safe to run again: existing demo tenants are left as they are and the logins printed."""

from django.db import transaction

from pishkhan.accounts.models import Customer, User
from pishkhan.accounts.ownership import service_register, service_verify
from pishkhan.accounts.services import customer_search_text, customer_signup, staff_user_create
from pishkhan.chat.demo import seed_chat
from pishkhan.deflection.demo import seed_deflection
from pishkhan.knowledge.demo import seed_hosting_articles
from pishkhan.policies.selectors import violation_list
from pishkhan.policies.services import fine_charge
from pishkhan.quality.demo import seed_quality
from pishkhan.sla.selectors import calendar_get_by_name
from pishkhan.sla.services import department_policy_set, policy_create, sla_defaults_ensure
from pishkhan.tenancy.models import ApiToken, Role, Tenant, hash_token
from pishkhan.tenancy.services import membership_grant, tenant_create
from pishkhan.tickets.intake import PolicyRefusal
from pishkhan.tickets.models import Department, Priority, Severity, Status
from pishkhan.tickets.services import (
    canned_reply_create,
    department_create,
    ticket_add_note,
    ticket_mark_not_a_fault,
    ticket_mark_out_of_scope,
    ticket_mark_restored,
    ticket_reply,
    ticket_submit,
    ticket_update,
)

PASSWORD = "pishkhan-demo-1405"
# A fixed token so the README's curl examples work on every laptop; demo data only.
DEMO_TOKENS = {"demo": "pk_demo_hosting_local_only", "homino": "pk_demo_homino_local_only"}


def _staff(email: str, name: str, language: str = "fa") -> User:
    user = User.objects.filter(email=email, home_tenant__isnull=True).first()
    return user or staff_user_create(
        email=email, password=PASSWORD, full_name=name, language=language
    )


def _hosting() -> None:
    tenant = tenant_create(
        slug="demo", name="میزبان نمونه — پشتیبانی", hosts=["127.0.0.1", "localhost"]
    )
    owner = _staff("owner@demo.example", "مریم احمدی")
    agent = _staff("agent@demo.example", "رضا کریمی")
    viewer = _staff("viewer@demo.example", "Sara Viewer", language="en")
    membership_grant(tenant=tenant, user=owner, role=Role.OWNER)
    membership_grant(tenant=tenant, user=agent, role=Role.AGENT)
    membership_grant(tenant=tenant, user=viewer, role=Role.READ_ONLY)
    ApiToken.objects.create(
        tenant=tenant,
        user=owner,
        name="demo",
        token_hash=hash_token(DEMO_TOKENS["demo"]),
        last_four=DEMO_TOKENS["demo"][-4:],
    )

    technical = department_create(
        tenant=tenant,
        actor=owner,
        name="پشتیبانی فنی",
        name_en="Technical support",
        description="مشکلات سرور، شبکه و ماژول‌های شرکت",
        fields=[
            {
                "key": "domain",
                "label_fa": "دامنه سرویس",
                "label_en": "Service domain",
                "kind": "domain",
                "required": True,
            },
            {
                "key": "server_ip",
                "label_fa": "آی‌پی سرور",
                "label_en": "Server IP",
                "kind": "ip",
                "required": True,
            },
        ],
    )
    department_create(
        tenant=tenant,
        actor=owner,
        name="مالی",
        name_en="Billing",
        description="صورتحساب، پرداخت و تمدید",
        fields=[
            {
                "key": "invoice",
                "label_fa": "شماره فاکتور",
                "label_en": "Invoice number",
                "kind": "number",
                "required": True,
            }
        ],
    )
    department_create(tenant=tenant, actor=owner, name="مشاوره فروش", name_en="Sales")
    # [002 r10, r17]: servers are watched round the clock, a first answer within the hour.
    sla_defaults_ensure(tenant=tenant)
    servers = policy_create(
        tenant=tenant,
        actor=owner,
        name="سرورها — شبانه‌روزی",
        calendar=calendar_get_by_name(tenant=tenant, name="24x7"),
        targets=[
            {
                "severity": Severity.CRITICAL,
                "first_response": "60m",
                "restore": "240m",
                "resolution": "3bd",
            },
            {
                "severity": Severity.MAJOR,
                "first_response": "180m",
                "restore": "2bd",
                "resolution": "6bd",
            },
            {"severity": Severity.BUG, "first_response": "8bh", "restore": "3bd"},
            {"severity": Severity.OTHER, "first_response": "2bd", "restore": "8bd"},
        ],
        raise_priority=True,
    )
    department_policy_set(tenant=tenant, actor=owner, department=technical, policy=servers)
    canned_reply_create(
        tenant=tenant,
        actor=agent,
        title="درخواست اطلاعات تکمیلی",
        body="لطفاً نام دامنه، آی‌پی سرور و شرح کامل مشکل را ارسال کنید تا بررسی شود.",
    )

    customer_user = customer_signup(
        tenant=tenant, name="علی رضایی", email="customer@demo.example", password=PASSWORD
    )
    customer = Customer.objects.get(user=customer_user)
    first = ticket_submit(
        tenant=tenant,
        customer=customer,
        department=technical,
        actor=customer_user,
        subject="سرور مجازی از دسترس خارج شده است",
        body="از ساعت ۸ صبح امروز سایت بالا نمی‌آید و به سرور دسترسی ندارم. لطفاً بررسی کنید.",
        fields={"domain": "example.ir", "server_ip": "185.8.172.10"},
        priority=Priority.URGENT,
        severity=Severity.CRITICAL,
    )
    ticket_update(tenant=tenant, ticket=first, actor=agent, assignee=agent, tags=["سرور"])
    ticket_add_note(
        tenant=tenant,
        ticket=first,
        actor=agent,
        body="سرور به علت اتمام فضای دیسک متوقف شده؛ با واحد شبکه هماهنگ شد.",
    )
    ticket_reply(
        tenant=tenant,
        ticket=first,
        actor=agent,
        body="سلام، سرور شما دوباره راه‌اندازی شد. لطفاً بررسی و نتیجه را اعلام کنید.",
    )
    ticket_mark_restored(tenant=tenant, ticket=first, actor=agent)
    ticket_submit(
        tenant=tenant,
        customer=customer,
        department=technical,
        actor=customer_user,
        subject="نصب مجدد ماژول پرداخت",
        body="ماژول درگاه پرداخت پس از به‌روزرسانی از کار افتاده، امکان نصب مجدد هست؟",
        fields={"domain": "shop.example.ir", "server_ip": "185.8.172.11"},
        severity=Severity.BUG,
    )
    for n in range(3):
        name, email = f"مشتری نمونه {n + 1}", f"walkin{n + 1}@demo.example"
        walk_in = Customer.objects.create(
            tenant=tenant,
            name=name,
            email=email,
            search_text=customer_search_text(name=name, email=email),
        )
        ticket = ticket_submit(
            tenant=tenant,
            customer=walk_in,
            department=technical,
            actor=owner,
            channel="phone",
            subject=f"کندی سایت — گزارش شماره {n + 1}",
            body="سایت در ساعات شلوغ بسیار کند است.",
            fields={"domain": f"site{n + 1}.example.ir", "server_ip": f"10.0.0.{n + 1}"},
            priority=Priority.IMPORTANT if n else Priority.NORMAL,
        )
        if n == 1:
            # [003 4.2.4]: the slowness was the customer's own script, not a software fault.
            ticket_mark_not_a_fault(
                tenant=tenant,
                ticket=ticket,
                actor=agent,
                minutes=40,
                note="کندی از اسکریپت خود مشتری بود، نه از نرم‌افزار",
            )
        if n == 2:
            ticket_update(tenant=tenant, ticket=ticket, actor=owner, status=Status.RESOLVED)
    _hosting_rules(tenant=tenant, owner=owner, agent=agent, customer=customer, technical=technical)
    _hosting_mail(tenant=tenant, owner=owner, agent=agent, technical=technical)
    # The help centre's articles from the hosting policy [002], then what customers did with
    # them before filing requests (T-11).
    seed_hosting_articles(tenant=tenant, owner=owner, agent=agent)
    seed_deflection(tenant=tenant, customer=customer)
    # A finished chat in Persian (C-2).
    seed_chat(tenant=tenant, owner=owner, agent=agent, department=technical)
    # A scorecard, answered satisfaction surveys and a review (C-3, C-4).
    seed_quality(
        tenant=tenant,
        owner=owner,
        agent=agent,
        department=technical,
        fields={"domain": "shop.example.ir", "server_ip": "185.8.172.10"},
    )


def _demo_mail(*, sender: str, name: str, subject: str, body: str, headers=None) -> bytes:
    from email.message import EmailMessage
    from email.utils import format_datetime, make_msgid

    from pishkhan.core import clock

    message = EmailMessage()
    message["From"] = f"{name} <{sender}>"
    message["To"] = "support@demo.localhost"
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain="mail.example.ir")
    for key, value in (headers or {}).items():
        message[key] = value
    message.set_content(body)
    return message.as_bytes()


def _hosting_mail(*, tenant, owner, agent, technical) -> None:
    """A connected mailbox and what it received: a mailed request short of the required
    fields (asked for by mail, T-6), the customer's answer threaded onto it, and a vacation
    notice that made no ticket."""
    from pishkhan.mail.services import mail_ingest, mailbox_create

    mailbox = mailbox_create(
        tenant=tenant,
        actor=owner,
        address="support@demo.localhost",
        department=technical,
    )
    sender = "nasrin@example.ir"
    first = mail_ingest(
        mailbox=mailbox,
        raw=_demo_mail(
            sender=sender,
            name="نسرین کاظمی",
            subject="ایمیل‌های دامنه برگشت می‌خورند",
            body="سلام، از دیروز ایمیل‌هایی که از دامنه ما ارسال می‌شوند با خطای ۵۵۰ برمی‌گردند.\n"
            "لطفاً بررسی کنید.\n\n-- \nنسرین کاظمی",
        ),
    )
    ticket = first.ticket
    mail_ingest(
        mailbox=mailbox,
        raw=_demo_mail(
            sender=sender,
            name="نسرین کاظمی",
            subject=f"پاسخ: [#{ticket.number}] {ticket.subject}",
            body="دامنه: nasrin-shop.ir\nنشانی IP سرور: 185.8.172.20\n\n"
            "> لطفاً اطلاعات خواسته‌شده را بفرستید.",
        ),
    )
    mail_ingest(
        mailbox=mailbox,
        raw=_demo_mail(
            sender="hamed@example.ir",
            name="حامد",
            subject="پاسخ خودکار: خارج از دفتر",
            body="تا پایان هفته در مرخصی هستم.",
            headers={"Auto-Submitted": "auto-replied"},
        ),
    )
    ticket_reply(
        tenant=tenant,
        ticket=ticket,
        actor=agent,
        body="سلام، رکورد SPF دامنه اصلاح شد؛ لطفاً دوباره امتحان کنید.",
    )


def _hosting_rules(*, tenant, owner, agent, customer, technical) -> None:
    """The support rules at work [002]: a verified owner, a follow-up, an honest priority, a
    request refused for its language and fined, work outside the scope billed."""
    finance = _staff("finance@demo.example", "حسین مالی")
    membership_grant(tenant=tenant, user=finance, role=Role.FINANCE)
    domain = service_register(
        tenant=tenant, customer=customer, actor=agent, kind="domain", identifier="example.ir"
    )
    service_verify(
        tenant=tenant,
        service=domain,
        actor=agent,
        note="کارت ملی و ایمیل ثبت‌شده در سامانه فروش با مالک دامنه مطابقت داشت",
    )
    service_register(
        tenant=tenant, customer=customer, actor=agent, kind="hosting", identifier="shop-gold-12"
    )
    earlier = ticket_submit(
        tenant=tenant,
        customer=customer,
        department=technical,
        actor=customer.user,
        subject="گواهی SSL دامنه منقضی شده",
        body="گواهی امنیتی دامنه example.ir دیروز منقضی شد و مرورگر هشدار می‌دهد.",
        fields={"domain": "example.ir", "server_ip": "185.8.172.10"},
    )
    ticket_update(tenant=tenant, ticket=earlier, actor=agent, status=Status.CLOSED)
    ticket_submit(
        tenant=tenant,
        customer=customer,
        department=technical,
        actor=customer.user,
        subject="پیگیری: گواهی SSL دامنه منقضی شده",
        body="گواهی تمدید شد ولی زیردامنه mail.example.ir هنوز گواهی قدیمی را نشان می‌دهد.",
        fields={"domain": "example.ir", "server_ip": "185.8.172.10"},
        follow_up_of=earlier,
    )
    visitor = Customer.objects.create(
        tenant=tenant,
        name="John Smith",
        email="john@demo.example",
        search_text=customer_search_text(name="John Smith", email="john@demo.example"),
    )
    try:
        ticket_submit(
            tenant=tenant,
            customer=visitor,
            department=technical,
            actor=owner,
            channel="phone",
            subject="Website is down",
            body="Hello, our website has been down since this morning. Please check.",
            fields={"domain": "smith.example.com", "server_ip": "10.0.0.9"},
        )
    except PolicyRefusal:
        pass  # [002 r1]: refused, and recorded as a violation for the finance unit
    refused = violation_list(tenant=tenant, customer=visitor).first()
    fine_charge(tenant=tenant, violation=refused, actor=finance, note="درخواست به زبان غیرفارسی")
    urgent = ticket_submit(
        tenant=tenant,
        customer=customer,
        department=technical,
        actor=customer.user,
        subject="تغییر رنگ دکمه‌های قالب وردپرس",
        body="لطفاً رنگ دکمه‌های قالب سایت را آبی کنید. فوری است!",
        fields={"domain": "example.ir", "server_ip": "185.8.172.10"},
        priority=Priority.URGENT,
    )
    ticket_update(
        tenant=tenant,
        ticket=urgent,
        actor=agent,
        priority=Priority.NORMAL,
        reason="سرویس قطع یا مختل نیست؛ درخواست تغییر ظاهر است",  # [002 r14]
    )
    ticket_mark_out_of_scope(
        tenant=tenant,
        ticket=urgent,
        actor=agent,
        note="تغییر قالب سیستم مدیریت محتوا در حیطه پشتیبانی نیست",  # [002 r5]
    )
    ticket_reply(
        tenant=tenant,
        ticket=urgent,
        actor=agent,
        body="این کار به عنوان خدمت اضافه و با هزینه انجام شد.",
        minutes=30,
    )


def _marketplace() -> None:
    tenant = tenant_create(slug="homino", name="خدمات منزل نمونه")
    owner = _staff("owner@homino.example", "نرگس محمدی")
    membership_grant(tenant=tenant, user=owner, role=Role.OWNER)
    ApiToken.objects.create(
        tenant=tenant,
        user=owner,
        name="demo",
        token_hash=hash_token(DEMO_TOKENS["homino"]),
        last_four=DEMO_TOKENS["homino"][-4:],
    )
    complaints = department_create(
        tenant=tenant,
        actor=owner,
        name="واحد رسیدگی به شکایات",
        name_en="Complaints",
        fields=[
            {
                "key": "order",
                "label_fa": "شماره سفارش",
                "label_en": "Order number",
                "kind": "number",
                "required": True,
            }
        ],
    )
    user = customer_signup(
        tenant=tenant, name="زهرا حسینی", email="customer@homino.example", password=PASSWORD
    )
    ticket_submit(
        tenant=tenant,
        customer=Customer.objects.get(user=user),
        department=complaints,
        actor=user,
        subject="تأخیر متخصص در زمان انجام خدمت",
        body="متخصص دو ساعت دیرتر از زمان توافق‌شده مراجعه کرد.",
        fields={"order": "۴۵۱۲"},
    )


def _operator_desk() -> None:
    """The operator's own support desk [003 4.2.6]: the demo tenants' owners sign in there with
    their own logins, as its customers; only owners and portal admins may open tickets."""
    tenant = tenant_create(slug="operator", name="پشتیبانی پیشخوان", is_operator_desk=True)
    department_create(
        tenant=tenant,
        actor=None,
        name="حساب و اشتراک",
        name_en="Account and subscription",
        description="اشتراک، صندلی‌ها، صورتحساب و دامنهٔ اختصاصی محیط کاری",
    )


def run(*, port: int = 8000) -> None:
    with transaction.atomic():
        if not Tenant.objects.filter(slug="demo").exists():
            _hosting()
        if not Tenant.objects.filter(slug="homino").exists():
            _marketplace()
        if not Tenant.objects.filter(slug="operator").exists():
            _operator_desk()
    assert Department.objects.exists()
    base = f"http://127.0.0.1:{port}" if port else "http://127.0.0.1"
    print(
        f"""
Pishkhan demo is ready.

  Tenant "demo" (hosting support):   {base}/   or  http://demo.localhost:{port}/
    agent workspace:  {base}/agent/
      owner   owner@demo.example     {PASSWORD}
      agent   agent@demo.example     {PASSWORD}
      read-only viewer@demo.example  {PASSWORD}
      finance finance@demo.example   {PASSWORD}
    customer portal:  {base}/
      customer customer@demo.example {PASSWORD}
    mail:  pishkhan mail-receive, then mail support@demo.localhost at 127.0.0.1:2525
           (e.g. swaks --server 127.0.0.1:2525 --to support@demo.localhost)
    API:  curl -H "Authorization: Bearer {DEMO_TOKENS["demo"]}" {base}/api/v1/tickets
    API docs: {base}/api/docs

  Tenant "homino" (home services):   http://homino.localhost:{port}/
      owner    owner@homino.example     {PASSWORD}
      customer customer@homino.example  {PASSWORD}

  The operator's support desk:       http://operator.localhost:{port}/
      tenants' owners and portal admins sign in with their own logins (e.g. owner@demo.example)
"""
    )
