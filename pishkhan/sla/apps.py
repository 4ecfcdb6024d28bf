from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "pishkhan.sla"
    label = "sla"

    def ready(self) -> None:
        # Clocks start, pause and stop inside the ticket services' transactions.
        from pishkhan.sla.services import on_ticket_event
        from pishkhan.tickets import events

        events.subscribe(on_ticket_event)
