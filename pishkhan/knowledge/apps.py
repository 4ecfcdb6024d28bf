from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "pishkhan.knowledge"
    label = "knowledge"
