"""Tags and department names compare as spelled any way (`core.persian.name_key`): Arabic or
Persian letters, ZWNJ, a space or none, kashida, diacritics, letter case.

Tags: each gets its key, and tags of one tenant that share a key become one, the oldest (its
spelling was there first): their tickets carry it instead, once. Then the key is unique per
tenant, in place of the name.

Departments: each gets its key, unique per tenant where set. A department whose name is only
another spelling of an older one's (made before names were compared so) keeps its name and
tickets but no key, since departments cannot be merged here: it is still refused as a new
name, and gets its key when renamed."""

from collections import defaultdict

from django.db import migrations, models

from pishkhan.core.persian import name_key


def forward(apps, schema_editor):
    Tag = apps.get_model("tickets", "Tag")
    TicketTag = apps.get_model("tickets", "TicketTag")
    Department = apps.get_model("tickets", "Department")

    kept: dict[tuple[int, str], int] = {}
    merged: dict[int, list[int]] = defaultdict(list)
    for tag in Tag.objects.order_by("pk").only("pk", "tenant_id", "name"):
        key = (tag.tenant_id, name_key(tag.name))
        if key in kept:
            merged[kept[key]].append(tag.pk)
        else:
            kept[key] = tag.pk
            Tag.objects.filter(pk=tag.pk).update(key=key[1])
    for survivor, others in merged.items():
        # A ticket that has the survivor already loses the other spellings; the rest move.
        has_survivor = TicketTag.objects.filter(tag_id=survivor).values("ticket_id")
        TicketTag.objects.filter(tag_id__in=others, ticket_id__in=has_survivor).delete()
        for other in others:
            moved = TicketTag.objects.filter(tag_id=other)
            has_survivor = TicketTag.objects.filter(tag_id=survivor).values("ticket_id")
            moved.exclude(ticket_id__in=has_survivor).update(tag_id=survivor)
        TicketTag.objects.filter(tag_id__in=others).delete()  # the same ticket twice among them
        Tag.objects.filter(pk__in=others).delete()

    taken: set[tuple[int, str]] = set()
    for department in Department.objects.order_by("pk").only("pk", "tenant_id", "name"):
        key = (department.tenant_id, name_key(department.name))
        if key not in taken:
            taken.add(key)
            Department.objects.filter(pk=department.pk).update(name_key=key[1])
    if schema_editor.connection.vendor == "postgresql":
        # The deletions' deferred foreign key checks run now: PostgreSQL alters no table
        # with checks pending, and the constraints below alter these tables.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0008_queue_by_priority")]

    operations = [
        migrations.AddField(
            model_name="department",
            name="name_key",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AddField(
            model_name="tag",
            name="key",
            field=models.TextField(default=""),
            preserve_default=False,
        ),
        migrations.RunPython(forward, migrations.RunPython.noop, elidable=False),
        migrations.RemoveConstraint(model_name="tag", name="tag_unique_name"),
        migrations.AddConstraint(
            model_name="tag",
            constraint=models.UniqueConstraint(fields=("tenant", "key"), name="tag_unique_key"),
        ),
        migrations.AddConstraint(
            model_name="department",
            constraint=models.UniqueConstraint(
                condition=models.Q(("name_key", ""), _negated=True),
                fields=("tenant", "name_key"),
                name="department_unique_name_key",
            ),
        ),
    ]
