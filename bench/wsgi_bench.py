"""WSGI entry point for the benchmark: the project's application under bench.settings_bench."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
