from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "pishkhan.policies"
    label = "policies"

    def ready(self) -> None:
        # The support rules run inside the one intake path and beside the agent actions
        # (tickets.intake); tickets itself never imports this app.
        from pishkhan.policies import checks

        checks.install()
