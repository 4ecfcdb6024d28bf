from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "pishkhan.knowledge"
    label = "knowledge"

    def ready(self) -> None:
        # The search rebuild asks each app for its documents; published articles are ours.
        from pishkhan.knowledge.services import published_documents
        from pishkhan.search.registry import register_source

        register_source("article", published_documents)
