from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "pishkhan.chat"
    label = "chat"

    def ready(self) -> None:
        # Quality scores chats without importing this app: it asks a registry we fill here.
        try:
            from pishkhan.quality.subjects import register_subject
        except ImportError:
            return
        from pishkhan.chat import subjects

        subjects.register(register_subject)
