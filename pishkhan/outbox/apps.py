from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "pishkhan.outbox"
    label = "outbox"
