from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "pishkhan.mail"
    label = "mail"

    def ready(self) -> None:
        # Our mail says "reply to the mailbox you wrote to": the outbox sits below the tickets
        # and cannot know mailboxes, so this app tells it (as policies plug into intake).
        from pishkhan.mail.selectors import reply_address
        from pishkhan.outbox.addresses import register_reply_address

        register_reply_address(reply_address)
