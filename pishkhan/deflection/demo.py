"""Demo figures for the deflection report (T-11): a few new-request visits over the tenant's
published articles, and searches that found nothing. Call after the help centre's articles and
a customer's tickets exist; safe to call again (an existing record is left as it is)."""

from pishkhan.deflection import services
from pishkhan.deflection.models import SearchLog, Visit
from pishkhan.knowledge import selectors as knowledge
from pishkhan.tickets import selectors as tickets

# What customers typed that the help centre had no article for; two spellings of one search
# (Arabic ي/ك and Persian ی/ک) count once in the report.
EMPTY_SEARCHES = (
    ("help_centre", "گواهی SSL رایگان"),
    ("help_centre", "گواهي SSL رايگان"),
    ("help_centre", "انتقال دامنه به ایران"),
    ("agent", "بازگردانی نسخه پشتیبان"),
)


def seed_deflection(*, tenant, customer) -> None:
    if Visit.objects.for_tenant(tenant).exists() or SearchLog.objects.for_tenant(tenant).exists():
        return
    articles = knowledge.article_list_published(tenant=tenant, staff=False, limit=3)
    if articles:
        ids = [a.pk for a in articles]
        # Three customers' requests the first article answered, one it did not.
        for n in range(3):
            key = f"demo-visit-deflected-{n:02d}"
            services.visit_show(
                tenant=tenant, customer=customer, key=key, query=articles[0].title, article_ids=ids
            )
            services.visit_open(tenant=tenant, customer=customer, key=key, article_id=ids[0])
        key = "demo-visit-submitted-00"
        services.visit_show(
            tenant=tenant, customer=customer, key=key, query=articles[-1].title, article_ids=ids
        )
        services.visit_open(tenant=tenant, customer=customer, key=key, article_id=ids[-1])
        ticket = tickets.ticket_list_for_customer(tenant=tenant, customer=customer).first()
        if ticket is not None:
            services.visit_submit(tenant=tenant, customer=customer, key=key, ticket=ticket)
    for source, query in EMPTY_SEARCHES:
        services.search_record(tenant=tenant, source=source, query=query, results=0)
