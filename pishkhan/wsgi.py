"""The WSGI application `pishkhan serve` runs for HTTP (granian: `pishkhan.servers`)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishkhan.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

from pishkhan import collector, lifeline  # noqa: E402

application = get_wsgi_application()

collector.tune_for_server()
lifeline.follow_parent()
