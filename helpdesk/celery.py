import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

app = Celery("helpdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="helpdesk.ping", ignore_result=False)
def ping() -> str:
    """Health check: proves a worker takes tasks from the broker."""
    return "pong"
