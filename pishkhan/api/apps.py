from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "pishkhan.api"
    label = "api"
