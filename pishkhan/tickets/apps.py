from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "pishkhan.tickets"
    label = "tickets"
