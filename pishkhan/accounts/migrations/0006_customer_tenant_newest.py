from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_customer_search_text"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["tenant", "created_at", "id"], name="customer_tenant_newest"),
        ),
    ]
