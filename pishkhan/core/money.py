"""Amounts as people read them: exact decimals, grouped digits, Persian digits in Persian."""

from decimal import Decimal

from pishkhan.core.persian import to_persian_number

# Currencies the product charges in, with their decimal places and names.
CURRENCIES = {"IRT": (0, "تومان", "Toman"), "USD": (2, "دلار", "USD")}


def format_money(amount: Decimal, currency: str, language: str = "fa") -> str:
    places, name_fa, name_en = CURRENCIES.get(currency, (2, currency, currency))
    text = f"{Decimal(amount):,.{places}f}"
    if language == "fa":
        # The Persian thousands separator (U+066C); the decimal separator is the helper's.
        text = to_persian_number(text.replace(",", "٬"))
        return f"{text} {name_fa}"
    return f"{text} {name_en}"
