from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "pishkhan.tenancy"
    label = "tenancy"
