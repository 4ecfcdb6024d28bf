"""Test-only environment, loaded as a pytest plugin (-p tests.env) before Django starts."""

import os
import tempfile
import uuid

# Jobs run inline in tests (after commit), so a test sees their effects without a worker.
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="pishkhan-media-"))
os.environ.setdefault("PISHKHAN_DATA_DIR", tempfile.mkdtemp(prefix="pishkhan-data-"))
# With Redis as the cache and channel layer, each test process keeps its keys and groups apart:
# test databases start their ids at 1 in every process, so a key or group named by an id
# (a tenant's agents) would otherwise be shared between processes.
# Set, not defaulted: the workers of one run inherit the environment of the process that
# started them, and each needs a prefix of its own.
os.environ["REDIS_KEY_PREFIX"] = f"test-{os.getpid()}-{uuid.uuid4().hex[:8]}-"

# Property tests: no per-example deadline (a loaded two-core CI machine is slow at random
# moments), and in CI a fixed example sequence, so a run fails for the code, not for the dice.
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("pishkhan", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", parent=settings.get_profile("pishkhan"), derandomize=True, print_blob=True
)
settings.load_profile("ci" if os.environ.get("CI") else "pishkhan")
