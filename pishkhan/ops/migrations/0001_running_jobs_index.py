"""The job table's running rows, by task: whether a self-renewing job's round is running
(`jobs.round_alive`, asked by every worker each minute and by `/healthz`) reads them without
reading the finished jobs, which are most of the table. The table is django-tasks-db's; the
index is ours, so it lives here. Built beside the table's traffic on PostgreSQL
(CONCURRENTLY, outside a transaction): every submission writes a job, and a plain build would
hold them while it reads the whole table."""

from django.db import migrations

COLUMNS = "ON django_tasks_database_dbtaskresult (task_path, started_at) WHERE status = 'RUNNING'"


def create(apps, schema_editor):
    how = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE INDEX {how}IF NOT EXISTS tasks_db_running_by_task {COLUMNS}")


def drop(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS tasks_db_running_by_task")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("django_tasks_database", "0021_conditional_partial_index_ordering")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
