from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "pishkhan.ops"
    label = "ops"

    def ready(self) -> None:
        from pishkhan import begin_with_first
        from pishkhan.ops import checks  # noqa: F401 - registers the deploy checks

        begin_with_first.install()
