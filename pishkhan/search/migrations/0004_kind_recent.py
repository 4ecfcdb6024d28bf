"""The newest documents of one kind, in date order: a search of one kind (the queue's tickets,
the help centre's articles) walks these instead of every kind's newest rows."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_fulltext_kind"),
        ("tenancy", "0003_tenant_is_operator_desk_alter_membership_role"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="searchdocument",
            index=models.Index(
                fields=["tenant", "kind", "updated_at", "id"], name="search_doc_kind_recent"
            ),
        ),
    ]
