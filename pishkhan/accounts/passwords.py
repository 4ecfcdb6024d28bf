"""Password rules whose messages read as the rest of the product: numbers in Persian digits on
Persian pages. Django's own validators format their numbers with ASCII digits ("دست‌کم 8")."""

from django.contrib.auth import password_validation
from django.utils import translation

from pishkhan.core.persian import to_persian_digits


def _in_page_digits(text: str) -> str:
    return to_persian_digits(text) if (translation.get_language() or "").startswith("fa") else text


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return _in_page_digits(super().get_error_message())

    def get_help_text(self):
        return _in_page_digits(super().get_help_text())
