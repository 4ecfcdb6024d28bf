"""Deploy checks of our own, beside Django's (`pishkhan check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.checks import Warning as CheckWarning


@register(Tags.security, deploy=True)
def secret_key_is_not_the_embedded_one(app_configs, **kwargs):
    # Django's own check accepts it (long enough, varied enough), yet every copy of the code
    # knows it: sessions and password-reset links would be forgeable.
    if settings.SECRET_KEY_IS_EMBEDDED:
        return [
            Error(
                "SECRET_KEY is the embedded laptop key; set SECRET_KEY in the environment.",
                hint="python3 -c 'import secrets; print(secrets.token_urlsafe(50))'",
                id="pishkhan.E001",
            )
        ]
    return []


@register(Tags.database, deploy=True)
def production_runs_on_postgresql(app_configs, **kwargs):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return [
            CheckWarning(
                "The database is SQLite: fine for one process on a laptop; production runs on "
                "PostgreSQL (DATABASE_URL).",
                id="pishkhan.W001",
            )
        ]
    if not settings.REDIS_URL:
        return [
            CheckWarning(
                "No REDIS_URL: chat and the cache stay inside each process, so several web "
                "processes cannot reach each other's chats.",
                id="pishkhan.W002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def served_over_https(app_configs, **kwargs):
    # Django's own warnings (security.W004, W008, W012, W016) name settings an operator never
    # sets here: all four follow from one variable.
    if not settings.HTTPS:
        return [
            CheckWarning(
                "HTTPS is not set: behind a proxy that ends TLS, set HTTPS=1 (secure cookies, "
                "redirect to HTTPS, HSTS); the security.W004, W008, W012 and W016 warnings "
                "follow from it.",
                id="pishkhan.W003",
            )
        ]
    return []
