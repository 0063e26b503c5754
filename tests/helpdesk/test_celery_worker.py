"""A real Celery worker on the real Redis broker, as in production."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from helpdesk.celery import app, ping
from tickets import services
from tickets.models import Event, EventKind, Ticket

from ..conftest import SLAFactory
from ..real_services import start_worker, stop, wait_for

pytestmark = pytest.mark.redis


@pytest.fixture
def worker(tmp_path):
    """Start a worker on a queue of its own; yield the queue; stop it."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    proc = start_worker(tmp_path, "-Q", queue)
    app.conf.task_always_eager = False
    try:
        yield queue
    finally:
        app.conf.task_always_eager = True
        stop(proc)


def test_a_task_round_trips_through_a_real_worker(worker):
    result = ping.apply_async(queue=worker)
    # disable_sync_subtasks: earlier eager tasks in this process leave Celery thinking it is inside one.
    assert result.get(timeout=30, disable_sync_subtasks=False) == "pong"


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
