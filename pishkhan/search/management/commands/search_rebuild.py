from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from pishkhan.search.registry import sources
from pishkhan.search.services import index_rebuild
from pishkhan.tenancy.models import Tenant


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the tickets, messages, customers and articles, for "
        "recovery (the index is otherwise kept in the same transaction as every change)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="the slug of one tenant (default: every tenant)")
        parser.add_argument(
            "--kind", action="append", help="only this kind of document (repeatable)"
        )

    def handle(self, *args, tenant=None, kind=None, **options):
        tenants = Tenant.objects.order_by("pk")
        if tenant:
            tenants = tenants.filter(slug=tenant)
            if not tenants.exists():
                raise CommandError(f"no tenant with the slug {tenant!r}")
        unknown = set(kind or ()) - set(sources())
        if unknown:
            raise CommandError(f"unknown kind: {', '.join(sorted(unknown))}")
        for one in tenants:
            # One transaction per tenant: searches see the old index until the new one is whole.
            with transaction.atomic():
                counts = index_rebuild(tenant=one, kinds=kind)
            summary = ", ".join(f"{k} {n}" for k, n in sorted(counts.items()))
            self.stdout.write(f"{one.slug}: {summary}")
