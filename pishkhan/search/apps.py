from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "pishkhan.search"
    label = "search"
