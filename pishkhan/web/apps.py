from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "pishkhan.web"
    label = "web"
