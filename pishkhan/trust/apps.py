from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "pishkhan.trust"
    label = "trust"
