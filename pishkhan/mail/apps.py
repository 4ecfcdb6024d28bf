from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "pishkhan.mail"
    label = "mail"
