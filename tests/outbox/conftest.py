"""A real SMTP server (aiosmtpd) on a loopback port, with Django's SMTP backend pointed at it:
what the tests read is what a customer's mail server would have received."""

import pytest

from tests.smtp import SmtpServer


@pytest.fixture
def smtp(settings):
    server = SmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stored_jobs(settings, transactional_db):
    """Jobs stored in the database, run by `db_worker --batch`, so `run_after` is honoured."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
