"""The default policy was named after the requirement table it starts from, «پیش‌فرض (جدول
S-2)», a reference that means nothing to the people who use it: it is «استاندارد» (standard) now,
where the workspace has not renamed it and has no other policy of that name."""

from django.db import migrations

OLD = "پیش‌فرض (جدول S-2)"
NEW = "استاندارد"


def rename(apps, schema_editor):
    policies = apps.get_model("sla", "SlaPolicy").objects
    taken = policies.filter(name=NEW).values("tenant_id")
    policies.filter(name=OLD).exclude(tenant_id__in=taken).update(name=NEW)


def restore(apps, schema_editor):
    policies = apps.get_model("sla", "SlaPolicy").objects
    taken = policies.filter(name=OLD).values("tenant_id")
    policies.filter(name=NEW, is_default=True).exclude(tenant_id__in=taken).update(name=OLD)


class Migration(migrations.Migration):
    dependencies = [("sla", "0004_old_moments_told")]

    operations = [migrations.RunPython(rename, restore)]
