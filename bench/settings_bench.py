"""Settings for the benchmark: the project's own, plus a URLconf with the floor view.

The bench never adds a URL to the app; it serves helpdesk.urls plus one path of its own.
"""

from helpdesk.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_bench"
# django.test.Client (query counting in-process) talks to "testserver".
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405
