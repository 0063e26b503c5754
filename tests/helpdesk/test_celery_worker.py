"""A real Celery worker on the real Redis broker, as in production."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from helpdesk.celery import app, ping
from tickets import services
from tickets.models import Ticket

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.redis


@pytest.fixture
def worker(tmp_path):
    """Start a worker on a queue of its own; yield (queue, mail folder); stop it."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    mail_dir = tmp_path / "mail"
    db = connection.settings_dict
    env = {
        **os.environ,
        "FRONTDESK_VAR_DIR": str(tmp_path / "var"),
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    if db["ENGINE"].endswith("postgresql"):
        # The worker must read the rows this test commits, in the test database.
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "helpdesk", "worker", "-Q", queue, "--pool=solo", "--loglevel=warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    app.conf.task_always_eager = False
    try:
        yield queue, mail_dir
    finally:
        app.conf.task_always_eager = True
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_a_task_round_trips_through_a_real_worker(worker):
    queue, _ = worker
    result = ping.apply_async(queue=queue)
    # disable_sync_subtasks: earlier eager tasks in this process leave Celery thinking it is inside one.
    assert result.get(timeout=30, disable_sync_subtasks=False) == "pong"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_new_ticket_mail_is_sent_by_the_worker_after_commit(worker, end_user, topic):
    queue, mail_dir = worker
    app.conf.task_routes = {"tickets.tasks.*": {"queue": queue}}
    try:
        ticket = services.open_ticket(requester=end_user, topic=topic, subject="Printer jam", body="Paper stuck.")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (mail_dir.exists() and any(mail_dir.iterdir())):
            time.sleep(0.2)
    finally:
        app.conf.task_routes = None
    mails = [p.read_text() for p in mail_dir.iterdir()] if mail_dir.exists() else []
    assert len(mails) == 1, "the worker should have written exactly one e-mail"
    assert f"[#{ticket.number}]" in mails[0] and end_user.email in mails[0]
    assert Ticket.objects.count() == 1
