"""Test-only environment, loaded as a pytest plugin (-p tests.env) before Django starts."""

import os
import tempfile

# Jobs run inline in tests (after commit), so a test sees their effects without a worker.
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="pishkhan-media-"))
os.environ.setdefault("PISHKHAN_DATA_DIR", tempfile.mkdtemp(prefix="pishkhan-data-"))
