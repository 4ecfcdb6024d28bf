from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "pishkhan.search"
    label = "search"

    def ready(self) -> None:
        # The index changes inside the transaction of the change it records.
        from pishkhan.accounts import events as customer_events
        from pishkhan.search import handlers, sources
        from pishkhan.search.registry import register_source
        from pishkhan.tickets import events

        events.subscribe(handlers.on_ticket_event)
        customer_events.subscribe(handlers.on_customer_changed)
        register_source("ticket", sources.tickets)
        register_source("message", sources.messages)
        register_source("customer", sources.customers)
