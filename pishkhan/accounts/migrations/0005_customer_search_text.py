"""Customers are searched as their names compare: `search_text` holds the name and email as
`core.persian.name_key` gives them and the phone in ASCII digits (as
accounts.services.customer_search_text writes it), filled here for the customers already kept.

PostgreSQL: a trigram index over it behind the tenant, so "part of a name" (`LIKE '%…%'`) is a
look-up rather than a read of the tenant's every customer (200,000 at the largest we measure).
Its pending list is kept small for the reason search 0007 gives. SQLite: no such index; its
tenants are small. Run in steps that commit on their own (below), so the upgrade does not hold
the table."""

from django.db import migrations, models

from pishkhan.core.persian import name_key
from pishkhan.indexes import postgresql_only

BATCH = 2000

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS customer_search_trgm ON accounts_customer "
    "USING gin (tenant_id, search_text gin_trgm_ops) WITH (gin_pending_list_limit = 128)",
]
BACKWARD = ["DROP INDEX IF EXISTS customer_search_trgm"]


def _search_text(customer) -> str:
    # The rule as it was when this migration was written (customer_search_text), kept here so
    # that a later change to it does not change what this migration did.
    parts = (name_key(customer.name or ""), name_key(customer.email or ""), customer.phone or "")
    return "\n".join(p for p in parts if p)


def fill(apps, schema_editor):
    Customer = apps.get_model("accounts", "Customer")
    last = 0
    while True:
        chunk = list(
            Customer.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "name", "email", "phone")[:BATCH]
        )
        if not chunk:
            return
        for customer in chunk:
            customer.search_text = _search_text(customer)
        Customer.objects.bulk_update(chunk, ["search_text"])
        last = chunk[-1].pk


class Migration(migrations.Migration):
    # Not one transaction: adding the column would hold the customers table's strongest lock
    # until the last batch and the index were done (about a minute at 200,000 customers, every
    # ticket page and submission waiting). Each step commits on its own instead: the column
    # (a moment), each batch of the fill, then the index built beside the table's traffic.
    atomic = False

    dependencies = [("accounts", "0004_customer_email_failing_since_customer_email_failure")]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="search_text",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        postgresql_only(FORWARD, BACKWARD),
    ]
