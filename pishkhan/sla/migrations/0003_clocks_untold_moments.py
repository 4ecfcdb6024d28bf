"""The deadline sweep's indexes: running clocks whose at-risk or due moment nobody was told of
(one job per clock at its moment before)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("sla", "0002_clock_keys_served_by_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="slaclock",
            index=models.Index(
                condition=models.Q(
                    ("at_risk_at__isnull", False),
                    ("at_risk_notified_at__isnull", True),
                    ("status", "running"),
                ),
                fields=["at_risk_at"],
                name="slaclock_risk_untold",
            ),
        ),
        migrations.AddIndex(
            model_name="slaclock",
            index=models.Index(
                condition=models.Q(
                    ("breach_notified_at__isnull", True),
                    ("due_at__isnull", False),
                    ("status", "running"),
                ),
                fields=["due_at"],
                name="slaclock_breach_untold",
            ),
        ),
    ]
