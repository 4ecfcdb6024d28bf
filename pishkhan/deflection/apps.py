from django.apps import AppConfig


class DeflectionConfig(AppConfig):
    name = "pishkhan.deflection"
    label = "deflection"
