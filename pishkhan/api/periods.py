"""A report's period given badly, answered in the API's error shape in both languages (the
reports of service levels, deflection, satisfaction and quality share it)."""

from django.http import HttpResponse

from pishkhan.api.errors import error_response
from pishkhan.core.persian import to_persian_digits
from pishkhan.sla.reports import MAX_PERIOD_DAYS, PeriodError

# Persian and English pairs, not gettext: see api.errors for why.
PERIOD_MESSAGES = {
    "bad_date": (
        "تاریخ را به شکل YYYY-MM-DD (میلادی) یا ۱۴۰۵/۰۹/۰۱ (شمسی) وارد کنید.",
        "Give the date as YYYY-MM-DD (Gregorian) or 1405/09/01 (Jalali).",
    ),
    "reversed": (
        "تاریخ پایان باید پس از تاریخ شروع باشد.",
        "The end date must not be before the start date.",
    ),
    "too_long": (
        "بازهٔ گزارش حداکثر {days} روز است.",
        "A report covers at most {days} days.",
    ),
}


def period_error(request, exc: PeriodError) -> HttpResponse:
    fa, en = PERIOD_MESSAGES[exc.code]
    fa, en = (
        fa.format(days=to_persian_digits(str(MAX_PERIOD_DAYS))),
        en.format(days=MAX_PERIOD_DAYS),
    )
    field = "from" if exc.field == "from" else "to"
    english = (request.LANGUAGE_CODE or "fa").startswith("en")
    return error_response(
        request,
        status=400,
        code="invalid",
        message="invalid",
        fields={field: [en if english else fa]},
    )
