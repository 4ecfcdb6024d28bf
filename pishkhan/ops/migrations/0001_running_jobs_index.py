"""The job table's running rows, by task: whether a self-renewing job's round is running
(`jobs.round_alive`, asked by every worker each minute and by `/healthz`) reads them without
reading the finished jobs, which are most of the table. The table is django-tasks-db's; the
index is ours, so it lives here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("django_tasks_database", "0021_conditional_partial_index_ordering")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX tasks_db_running_by_task "
            "ON django_tasks_database_dbtaskresult (task_path, started_at) "
            "WHERE status = 'RUNNING'",
            "DROP INDEX tasks_db_running_by_task",
        )
    ]
