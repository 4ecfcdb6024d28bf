"""Demo knowledge base of the hosting company: articles written from its support policy [002],
in Persian, with one English translation and one internal article for agents."""

from pishkhan.knowledge.models import Category
from pishkhan.knowledge.services import article_create, category_create

CATEGORIES = [
    ("tickets", "ارسال تیکت و قوانین پشتیبانی", "Tickets and support rules"),
    ("dns", "دامنه و DNS", "Domains and DNS"),
    ("ssl", "گواهی SSL و امنیت", "SSL and security"),
    ("hours", "ساعات کاری و زمان پاسخ", "Hours and response times"),
]

PROPER_TICKET = """<p>پیش از ارسال تیکت، بخش آموزش و مقالات را بخوانید؛ بیشتر پرسش‌ها همین‌جا پاسخ
داده شده‌اند. اگر راه حل مناسبی پیدا نکردید، تیکت (درخواست پشتیبانی) بفرستید.</p>
<h2>یک تیکت درست</h2>
<ol>
<li>درخواست را به زبان و با حروف فارسی از سیستم پشتیبانی بفرستید، نه با تلفن واحد فروش یا فرم
تماس با ما.</li>
<li>واحد درست را انتخاب کنید و اطلاعات خواسته‌شدهٔ آن واحد (مانند دامنهٔ سرویس و آی‌پی سرور)
را دقیق و کامل بنویسید؛ تیکتی که اطلاعاتش ناقص یا اشتباه باشد بدون پاسخ بسته می‌شود.</li>
<li>برای هر درخواست یک تیکت تازه باز کنید و تیکت‌های قدیمی و بسته‌شده را دوباره باز نکنید.</li>
<li>برای یک درخواست، چند تیکت جداگانه نفرستید.</li>
<li>اهمیت تیکت را مطابق اهمیت واقعی آن انتخاب کنید.</li>
</ol>
<p>رعایت نکردن این قوانین ممکن است به جریمهٔ نقدی برای هر تیکت بینجامد.</p>"""

PROPER_TICKET_EN = """<p>Before you open a ticket, read the knowledge base: most questions are
answered there. If you find no solution, send a ticket (support request).</p>
<h2>A proper ticket</h2>
<ol>
<li>Write it in Persian, through the support system — not by calling the sales line or the
contact form.</li>
<li>Choose the right department and fill in what it asks for (such as the service's domain and
the server's IP) exactly; a ticket with missing or wrong details is closed unanswered.</li>
<li>Open a new ticket for each request; do not reopen old or closed tickets.</li>
<li>Do not open several tickets for the same request.</li>
<li>Choose the ticket's priority by its real importance.</li>
</ol>
<p>Breaking these rules may lead to a fine per ticket.</p>"""

SCOPE = """<p>پشتیبانی فقط شامل ماژول‌های طراحی‌شده توسط شرکت و مشکلات مربوط به آپتایم شبکه و
سرورها است.</p>
<h2>آنچه پشتیبانی نمی‌شود</h2>
<ul>
<li>مشکلات سیستم‌های مدیریت محتوا (CMS) مانند وردپرس و جوملا</li>
<li>مشکلات موجود در سایت یا سرور خود مشتری</li>
</ul>
<p>نصب و راه‌اندازی ماژول‌های شرکت فقط یک بار رایگان است؛ نصب دوباره و هر خدمتی خارج از حیطهٔ
پشتیبانی هزینه دارد. اگر به مدیریت یا رفع مشکل سایت یا سرور خود نیاز دارید، پس از طرح مشکل و
هماهنگی، بستهٔ مدیریت یا عیب‌یابی بخرید و درخواست را به صورت تیکت بفرستید.</p>"""

PRIORITY = """<p>اهمیت هر تیکت را با توجه به اهمیت واقعی آن انتخاب کنید:</p>
<ul>
<li><strong>ضروری:</strong> قطع شدن سرور یا سرویس.</li>
<li><strong>مهم:</strong> مشکلاتی که باعث اختلال در سرویس شده‌اند.</li>
<li><strong>معمولی:</strong> همهٔ تیکت‌های مالی و فروش و هر تیکتی که در دو دستهٔ قبل نیست.</li>
</ul>
<p>انتخاب اهمیت نادرست تخلف است و ممکن است جریمه داشته باشد.</p>"""

HOURS = """<p>مشاوره فروش و پشتیبانی تلفنی از شنبه تا چهارشنبه، ساعت ۹ تا ۱۷ ارائه می‌شود. خارج از
ساعات اداری و در روزهای تعطیل، پشتیبانی از راه سیستم پشتیبانی سایت انجام می‌شود.</p>
<h2>زمان پاسخ به تیکت‌ها</h2>
<ul>
<li>در ساعات اداری: به طور میانگین ۱ ساعت</li>
<li>در ساعات غیراداری و روزهای تعطیل: به طور میانگین ۳ ساعت</li>
</ul>
<p>تکنسین‌ها همهٔ سرورها را به صورت ۲۴ ساعته پایش می‌کنند. اگر پورتال کاربران در مناسبت‌های
خاص یا هنگام به‌روزرسانی در دسترس نباشد، راه‌های جایگزین اعلام می‌شود.</p>"""

OWNER = """<p>پشتیبانی و خدمات پس از فروش فقط به <strong>مالک اصلی سرویس</strong> تعلق می‌گیرد، پس
از تأیید اطلاعات و هویتی که در سیستم فروش ثبت شده است.</p>
<p>اطلاعات مشتریان و سرویس‌ها نزد شرکت محفوظ می‌ماند و فقط با نامهٔ مراجع قضایی در اختیار
دیگران قرار می‌گیرد.</p>"""

DNS = """<p>برای اتصال دامنه به هاست، رکوردهای DNS را در پنل دامنه تنظیم کنید:</p>
<ul>
<li><strong>A:</strong> نام دامنه را به آی‌پی سرور اشاره می‌دهد.</li>
<li><strong>CNAME:</strong> یک زیردامنه (مانند www) را به نام دیگری اشاره می‌دهد.</li>
<li><strong>MX:</strong> سرور ایمیل دامنه را مشخص می‌کند.</li>
<li><strong>NS:</strong> سرورهای نامی که رکوردهای دامنه را نگه می‌دارند.</li>
</ul>
<p>نمونهٔ رکورد A:</p>
<pre><code>example.ir.    3600    IN    A    185.8.172.10</code></pre>
<p>تغییر رکوردها ممکن است تا ۴۸ ساعت طول بکشد تا همه‌جا دیده شود. اگر پس از این زمان دامنه
باز نشد، تیکتی با دامنهٔ سرویس و آی‌پی سرور به واحد پشتیبانی فنی بفرستید.</p>"""

SSL = """<p>برای فعال کردن گواهی SSL رایگان روی هاست:</p>
<ol>
<li>مطمئن شوید رکورد A دامنه و زیردامنهٔ www به آی‌پی هاست اشاره می‌کند.</li>
<li>در کنترل پنل هاست بخش SSL را باز کنید و برای دامنه گواهی رایگان صادر کنید.</li>
<li>پس از صدور، نشانی‌های http را به https هدایت کنید.</li>
</ol>
<p>اگر سایت شما روی یک سیستم مدیریت محتوا است، نشانی سایت را در تنظیمات آن هم به https تغییر
دهید؛ مشکلات خود CMS در حیطهٔ پشتیبانی نیست.</p>"""

FINE = """<p>در صورت نقض هر یک از قوانین پشتیبانی (مانند انتخاب اهمیت نادرست، تیکت تکراری یا
بازکردن تیکت بسته‌شده)، واحد مالی می‌تواند برای هر تیکت جریمهٔ نقدی اعمال کند.</p>
<p>تا جریمه پرداخت نشود، ارائهٔ خدمات پشتیبانی به مشترک معلق می‌ماند.</p>"""

INTERNAL = """<p>ویژهٔ کارشناسان. وقتی درخواستی خارج از حیطهٔ پشتیبانی است:</p>
<ol>
<li>تیکت را «خارج از حیطهٔ پشتیبانی» علامت بزنید و زمان کار را ثبت کنید.</li>
<li>خرید یا فعال بودن بستهٔ مدیریت و عیب‌یابی به تنهایی آغاز کار نیست؛ مشتری باید درخواست را
به صورت تیکت بفرستد.</li>
<li>اگر برای رفع مشکل سرور مشتری مراجعه به دیتاسنتر لازم شد، هزینهٔ ایاب و ذهاب به عهدهٔ
مشتری است؛ پیش از رفتن هماهنگ کنید.</li>
</ol>"""


def seed_hosting_articles(*, tenant, owner, agent) -> None:
    """The hosting company's help centre. Safe to call again: an existing knowledge base is
    left as it is."""
    if Category.objects.for_tenant(tenant).exists():
        return
    categories = {
        key: category_create(
            tenant=tenant, actor=owner, name=name, name_en=name_en, position=position
        )
        for position, (key, name, name_en) in enumerate(CATEGORIES)
    }

    def write(key, title, body, **values):
        return article_create(
            tenant=tenant,
            actor=values.pop("actor", agent),
            category=categories[key],
            title=title,
            body=body,
            publish=values.pop("publish", True),
            **values,
        )

    proper = write("tickets", "چگونه یک تیکت درست ارسال کنیم؟", PROPER_TICKET, actor=owner)
    write(
        "tickets",
        "How to open a proper ticket",
        PROPER_TICKET_EN,
        language="en",
        translation=proper,
        actor=owner,
    )
    write("tickets", "پشتیبانی شامل چه مواردی می‌شود؟", SCOPE)
    write("tickets", "انتخاب درست اهمیت تیکت: ضروری، مهم یا معمولی", PRIORITY)
    write("tickets", "چه کسی می‌تواند پشتیبانی دریافت کند؟", OWNER)
    write("tickets", "جریمهٔ نقدی و تعلیق پشتیبانی", FINE)
    write("hours", "ساعات پاسخ‌گویی و زمان پاسخ به تیکت‌ها", HOURS)
    write("dns", "تنظیم رکوردهای DNS دامنه", DNS)
    write("ssl", "فعال کردن گواهی SSL رایگان روی هاست", SSL)
    write(
        "tickets",
        "راهنمای داخلی: درخواست‌های خارج از حیطهٔ پشتیبانی",
        INTERNAL,
        visibility="internal",
    )
    # A draft shows authors how publication works; readers never see it.
    write(
        "ssl",
        "هدایت خودکار http به https",
        "<p>این مقاله در حال نوشته شدن است.</p>",
        publish=False,
    )
