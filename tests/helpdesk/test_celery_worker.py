"""A real Celery worker on the real Redis broker, as in production."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from helpdesk.celery import app, ping
from tickets import services
from tickets.models import Event, EventKind, Ticket

from ..conftest import SLAFactory

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.redis


def start_worker(tmp_path, *args, **env_overrides):
    db = connection.settings_dict
    env = {
        **os.environ,
        "FRONTDESK_VAR_DIR": str(tmp_path / "var"),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **env_overrides,
    }
    if db["ENGINE"].endswith("postgresql"):
        # The worker must read the rows this test commits, in the test database.
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "helpdesk", "worker", "--pool=solo", "--loglevel=warning", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def worker(tmp_path):
    """Start a worker on a queue of its own; yield (queue, mail folder); stop it."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    mail_dir = tmp_path / "mail"
    proc = start_worker(tmp_path, "-Q", queue, EMAIL_URL=f"filemail:///{mail_dir}")
    app.conf.task_always_eager = False
    try:
        yield queue, mail_dir
    finally:
        app.conf.task_always_eager = True
        stop(proc)


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
        wait_for(lambda: mail_dir.exists() and any(mail_dir.iterdir()))
    finally:
        app.conf.task_routes = None
    mails = [p.read_text() for p in mail_dir.iterdir()] if mail_dir.exists() else []
    assert len(mails) == 1, "the worker should have written exactly one e-mail"
    assert f"[#{ticket.number}]" in mails[0] and end_user.email in mails[0]
    assert Ticket.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_beat_runs_the_overdue_sweep_on_a_real_worker(tmp_path, end_user, topic):
    topic.default_sla = SLAFactory(first_response_hours=1, resolution_hours=1)
    topic.save()
    ticket = services.open_ticket(requester=end_user, topic=topic, subject="Late", body="x", notify=False)
    Ticket.objects.filter(pk=ticket.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    queue = f"beat-{uuid.uuid4().hex[:8]}"
    # Beat and worker in one process, the sweep scheduled every second on a queue of this test.
    proc = start_worker(
        tmp_path,
        "--beat",
        "-Q",
        queue,
        "--schedule",
        str(tmp_path / "beat-schedule"),
        OVERDUE_SWEEP_SECONDS="1",
        CELERY_TASK_DEFAULT_QUEUE=queue,
    )
    try:
        assert wait_for(lambda: Ticket.objects.filter(pk=ticket.pk, is_overdue=True).exists(), seconds=45)
    finally:
        stop(proc)
    assert Event.objects.filter(ticket=ticket, kind=EventKind.OVERDUE).count() == 1
