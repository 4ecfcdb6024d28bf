"""The customer list's own index, newest first within the tenant (accounts.selectors
.customer_list). Built beside the table's traffic on PostgreSQL (CONCURRENTLY, outside a
transaction), so an upgrade does not stop submissions while it reads every customer."""

from django.db import migrations, models

INDEX = models.Index(fields=["tenant", "created_at", "id"], name="customer_tenant_newest")


def create(apps, schema_editor):
    model = apps.get_model("accounts", "Customer")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS customer_tenant_newest "
            "ON accounts_customer (tenant_id, created_at, id)"
        )
    else:
        schema_editor.add_index(model, INDEX)


def drop(apps, schema_editor):
    schema_editor.remove_index(apps.get_model("accounts", "Customer"), INDEX)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("accounts", "0005_customer_search_text"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="customer", index=INDEX)],
            database_operations=[migrations.RunPython(create, drop, elidable=False)],
        )
    ]
