"""Before the deadline sweep, each clock's moments were told by a job planned for it. A moment
that passed more than a day before this upgrade and is still marked untold is one whose job
failed, or that a job backend unable to wait never told: the first sweep would now tell (mail,
escalate) all of them at once, on tickets long past it. They are marked told, not told."""

from datetime import timedelta

from django.db import migrations
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone


def mark_old_moments_told(apps, schema_editor):
    clocks = apps.get_model("sla", "SlaClock").objects.filter(status="running")
    before = timezone.now() - timedelta(days=1)
    clocks.filter(breach_notified_at__isnull=True, due_at__lt=before).update(
        breach_notified_at=F("due_at"),
        breached_at=Coalesce("breached_at", "due_at"),
        at_risk_notified_at=Coalesce("at_risk_notified_at", "due_at"),
    )
    clocks.filter(at_risk_notified_at__isnull=True, at_risk_at__lt=before).update(
        at_risk_notified_at=F("at_risk_at")
    )


class Migration(migrations.Migration):
    dependencies = [("sla", "0003_clocks_untold_moments")]

    operations = [migrations.RunPython(mark_old_moments_told, migrations.RunPython.noop)]
