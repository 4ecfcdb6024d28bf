"""The widget's words, translated here (the project's catalogue) and handed to the script with
its config, so the script carries no language of its own and stays small."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

STRINGS = {
    "launcher": _("Chat with us"),
    "title": _("Online support"),
    "close": _("Close"),
    "name": _("Your name"),
    "email": _("Email (optional)"),
    "phone": _("Phone (optional)"),
    "email_plain": _("Email"),
    "phone_plain": _("Phone"),
    "department": _("Department"),
    "first_message": _("How can we help?"),
    "start": _("Start chat"),
    "message": _("Write a message…"),
    "send": _("Send"),
    "attach": _("Attach a file"),
    "you": _("You"),
    "waiting": _("Waiting for an agent to join…"),
    "typing": _("%(name)s is typing…"),
    "agent": _("Agent"),
    "pending": _("Sending…"),
    "sent": _("Sent"),
    "read": _("Read"),
    "reconnecting": _("Connection lost; reconnecting…"),
    "end": _("End chat"),
    "ended": _("This chat has ended."),
    "new_chat": _("Start a new chat"),
    "rate": _("How was this chat?"),
    "rate_comment": _("Comment (optional)"),
    "rate_send": _("Send rating"),
    "rate_thanks": _("Thank you for your rating."),
    "transcript": _("Email me the transcript"),
    "transcript_sent": _("The transcript is on its way to %(email)s."),
    "offline_title": _("Leave us a message"),
    "offline_intro": _(
        "No one is available to chat right now. Leave a message and we will answer you."
    ),
    "subject": _("Subject"),
    "body": _("Message"),
    "submit": _("Send"),
    "offline_done": _("Your request is registered as ticket %(number)s. We will answer you soon."),
    "required": _("This field is required."),
    "contact_needed": _("Give an email or a phone number so that we can answer you."),
    "failed": _("Something went wrong. Please try again."),
    "welcome_back": _("Welcome back, %(name)s."),
    "file": _("File"),
}


def strings(language: str) -> dict[str, str]:
    with translation.override(language):
        return {key: str(value) for key, value in STRINGS.items()}
