"""Notifications end to end: a real Celery worker, a real Redis broker, a real SMTP server.

Each test runs its own Redis on a free port (so it can take the broker down) and an SMTP
server on 127.0.0.1; the worker runs in another process against the test database.
"""

import asyncio
import os
import signal
from datetime import timedelta
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from helpdesk.celery import app
from tickets import outbox, services
from tickets.models import Notification, Status

from ..conftest import SLAFactory, make_agent
from ..real_services import Collector, free_port, start_redis, start_worker, stop, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SECRET = "NOTE-ONLY-91c2"


class StallingCollector(Collector):
    """Holds the first message in DATA (as a slow server would) until told to stop stalling."""

    stall = False

    async def handle_DATA(self, server, session, envelope):
        while self.stall:
            await asyncio.sleep(0.1)
            if getattr(self, "dropped", False):
                return "451 Try again"
        return await super().handle_DATA(server, session, envelope)


def _use_broker(url):
    app.conf.broker_url = url
    app._pool = None  # connections are pooled per broker: drop the old ones
    app.amqp._producer_pool = None


@pytest.fixture
def stack(tmp_path):
    """Private Redis + SMTP server + the app publishing to that Redis; workers started by the test."""
    port = free_port()
    redis = start_redis(port)
    url = f"redis://127.0.0.1:{port}/0"
    handler = StallingCollector()
    smtp = Controller(handler, hostname="127.0.0.1", port=free_port())
    smtp.start()
    saved = app.conf.broker_url
    _use_broker(url)
    app.conf.task_always_eager = False
    env = {"REDIS_URL": url, "CELERY_BROKER_URL": url, "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}"}
    workers = []

    def worker():
        proc = start_worker(tmp_path, **env)
        workers.append(proc)
        return proc

    try:
        yield SimpleNamespace(port=port, redis=redis, smtp=handler, worker=worker)
    finally:
        for proc in workers:
            if proc.poll() is None:
                stop(proc)
        app.conf.task_always_eager = True
        _use_broker(saved)
        handler.stall = False
        smtp.stop()
        if redis.poll() is None:
            stop(redis)


def all_sent():
    return not Notification.objects.exclude(state=Notification.State.SENT).exists()


def test_every_notification_kind_arrives_once_at_the_right_people_without_notes(stack, end_user, topic, agent):
    colleague = make_agent(topic.department, email="colleague@example.com")
    topic.default_sla = SLAFactory(first_response_hours=1, resolution_hours=1)
    topic.save()
    stack.worker()

    ticket = services.open_ticket(requester=end_user, topic=topic, subject="Printer", body="Jammed")
    services.assign(ticket, agent=colleague, by=agent)
    services.add_note(ticket, author=agent, body=SECRET)
    services.reply(ticket, author=colleague, body="Open tray 2.")
    services.add_message(ticket, author=end_user, body="Done, still jammed")
    services.sweep_overdue(now=timezone.now() + timedelta(hours=2))
    services.change_status(ticket, to=Status.RESOLVED, by=colleague)
    outbox.notify("guest_link", ticket=ticket, to=[end_user.email])

    assert wait_for(lambda: Notification.objects.count() == 8 and all_sent(), seconds=60)
    for _, content in stack.smtp.messages:
        assert SECRET not in content
    sent_to = sorted(sorted(recipients) for recipients, _ in stack.smtp.messages)
    assert sent_to == sorted(Notification.objects.values_list("recipients", flat=True))
    assert dict(Notification.objects.values_list("kind", "recipients")) == {
        "ticket_opened": [end_user.email],
        "new_ticket_alert": sorted([agent.email, colleague.email]),
        "assigned": [colleague.email],
        "response": [end_user.email],
        "message_alert": [colleague.email],
        "overdue": [colleague.email],
        "resolved": [end_user.email],
        "guest_link": [end_user.email],
    }


def test_broker_down_at_submission_the_mail_goes_out_when_it_is_back(stack, client, end_user, topic):
    stop(stack.redis)
    client.force_login(end_user)
    response = client.post("/tickets/new/", {"help_topic": topic.pk, "subject": "Broker down", "message": "x"})
    assert response.status_code == 302
    row = Notification.objects.get(kind="ticket_opened")
    assert row.state == Notification.State.PENDING

    stack.redis = start_redis(stack.port)
    _use_broker(f"redis://127.0.0.1:{stack.port}/0")
    stack.worker()
    outbox.retry_due()  # what beat's retry_notifications does every minute
    assert wait_for(all_sent, seconds=60)
    assert [r for r, _ in stack.smtp.messages] == [[end_user.email]]


def test_a_worker_killed_mid_send_sends_once_after_restart(stack, end_user, topic):
    stack.smtp.stall = True
    first = stack.worker()
    ticket = services.open_ticket(requester=end_user, topic=topic, subject="Killed", body="x")
    row = ticket.notifications.get(kind="ticket_opened")
    assert wait_for(lambda: Notification.objects.filter(pk=row.pk, state=Notification.State.SENDING).exists())
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    stack.smtp.dropped = True
    stack.smtp.stall = False
    assert stack.smtp.messages == []

    stack.worker()
    outbox.retry_due(now=timezone.now() + outbox.STALE_CLAIM + timedelta(seconds=1))
    assert wait_for(lambda: Notification.objects.filter(pk=row.pk, state=Notification.State.SENT).exists(), seconds=60)
    assert [r for r, _ in stack.smtp.messages] == [[end_user.email]]
