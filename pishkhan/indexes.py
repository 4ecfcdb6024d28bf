"""Index shapes shared by the models, and the migrations that change them."""

from django.db import migrations, models


def only_where_set(prefix: str, *fields: str) -> list[models.Index]:
    """An index per nullable reference holding only the rows where it is set, named
    `<prefix>_<field>_set`. A lookup by a value (the rows pointing at an object, as a removal of
    that object asks) reads it as it would a full index; a row written with the reference
    empty costs it nothing."""
    return [
        models.Index(
            fields=[name],
            condition=models.Q(**{f"{name}__isnull": False}),
            name=f"{prefix}_{name}_set",
        )
        for name in fields
    ]


def key_indexes_dropped(app_label: str, model_name: str, *field_names: str):
    """A migration's database side of `db_index=False` on foreign keys: the keys' own indexes
    dropped, and nothing else. (Altering the fields instead would also drop and re-add each
    foreign key constraint, which PostgreSQL then checks against every row of the table, the
    table locked meanwhile.) Pair it with the fields' AlterField as state operations."""

    def named(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        for name in field_names:
            field = model._meta.get_field(name)
            # The name Django gave the key's index when it made it.
            index = schema_editor._create_index_name(model._meta.db_table, [field.column])
            yield model, field, index

    def drop(apps, schema_editor):
        for model, _field, index in named(apps, schema_editor):
            schema_editor.execute(schema_editor._delete_index_sql(model, index))

    def create(apps, schema_editor):
        for model, field, _index in named(apps, schema_editor):
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))

    return migrations.RunPython(drop, create, elidable=False)


def postgresql_only(forward: list[str], backward: list[str]):
    """A migration's statements run on PostgreSQL alone, in order, and undone by `backward`:
    the word index and its SQL have no counterpart on SQLite, whose search index is its own."""

    def run(statements):
        def apply(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                for statement in statements:
                    schema_editor.execute(statement)

        return apply

    return migrations.RunPython(run(forward), run(backward), elidable=False)
