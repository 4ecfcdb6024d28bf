from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "pishkhan.search"
    label = "search"

    def ready(self) -> None:
        # The index changes inside the transaction of the change it records.
        from django.db.models.signals import post_delete, post_save

        from pishkhan.accounts.models import Customer
        from pishkhan.search import handlers, sources
        from pishkhan.search.registry import register_source
        from pishkhan.tickets import events

        events.subscribe(handlers.on_ticket_event)
        post_save.connect(handlers.on_customer_saved, sender=Customer, dispatch_uid="search")
        post_delete.connect(handlers.on_customer_deleted, sender=Customer, dispatch_uid="search")
        register_source("ticket", sources.tickets)
        register_source("message", sources.messages)
        register_source("customer", sources.customers)
