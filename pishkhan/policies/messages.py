"""What a customer reads when a rule stops them, in Persian and in English (T-7 asks for both;
every refusal carries both so each channel can show the customer's language or the pair)."""

from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from pishkhan.core.money import format_money
from pishkhan.core.persian import to_persian_digits

NOT_PERSIAN = _(
    "Support requests are accepted in Persian only. Please write your request in Persian "
    "(addresses, error messages and product names may stay in Latin letters)."
)
DUPLICATE = _(
    "This looks like the same request as your open ticket #%(number)s. Add your message "
    "there, or explain why this is a different request."
)
FINE_OVERDUE = _(
    "Opening new tickets is suspended: a fine of %(amount)s is past its due date. Pay it, "
    "or ask for it to be waived, to open tickets again. Your open tickets are not affected."
)
NOT_PORTAL_ADMIN = _(
    "Only a workspace's owner or portal admin may open tickets with the operator's support."
)
NOT_SERVICE_OWNER = _(
    "Support for %(service)s goes only to its verified owner, and that is not this account."
)
SERVICE_UNVERIFIED = _(
    "Support for %(service)s starts once we have verified you as its owner. Send the "
    "requested documents; we will confirm."
)
SERVICE_REQUIRED = _("Choose which of your verified services this request is about.")


def money(amount: Decimal, currency: str, language: str) -> str:
    return format_money(amount, currency, language)


def both(message, **params) -> tuple[str, str]:
    """The message in Persian and in English, each with its parameters in its own digits.
    A parameter given as a callable of the language is rendered for each."""
    texts = []
    for language in ("fa", "en"):
        with translation.override(language):
            values = {k: (v(language) if callable(v) else v) for k, v in params.items()}
            if language == "fa":
                values = {
                    k: to_persian_digits(str(v)) if isinstance(v, int) else v
                    for k, v in values.items()
                }
            texts.append(str(message) % values if values else str(message))
    return texts[0], texts[1]
