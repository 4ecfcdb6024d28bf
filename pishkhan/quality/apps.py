from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "pishkhan.quality"
    label = "quality"

    def ready(self) -> None:
        # Tickets are the first subject a survey or a review can be about; chat registers its
        # own kind from its AppConfig, so quality never imports chat.
        from pishkhan.quality import ticket_subject
        from pishkhan.tickets import events

        ticket_subject.register()
        events.subscribe(ticket_subject.on_ticket_event)
