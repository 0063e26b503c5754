"""The outbox: every e-mail is a row written with its change, delivered once, retried when it fails."""

from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from tickets import outbox, services, tasks
from tickets.models import Notification

from ..real_services import Collector, free_port

State = Notification.State


@pytest.fixture
def smtp(settings):
    def start(refuse=False):
        handler = Collector(refuse)
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        started.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        return handler

    started = []
    yield start
    for controller in started:
        controller.stop()


def test_rows_are_written_in_the_same_transaction_as_the_change(end_user, topic):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.open_ticket(requester=end_user, topic=topic, subject="Rolled back", body="x")
        raise RuntimeError
    assert Notification.objects.count() == 0

    ticket = services.open_ticket(requester=end_user, topic=topic, subject="Kept", body="x")
    assert set(ticket.notifications.values_list("kind", flat=True)) == {"ticket_opened"}


def test_new_ticket_alerts_the_department(end_user, topic, agent):
    ticket = services.open_ticket(requester=end_user, topic=topic, subject="Alert", body="x")
    alert = ticket.notifications.get(kind="new_ticket_alert")
    assert alert.recipients == [agent.email]


def test_a_row_is_sent_once_however_often_delivery_runs(end_user, topic, mailoutbox):
    ticket = services.open_ticket(requester=end_user, topic=topic, subject="Once", body="x")
    row = ticket.notifications.get(kind="ticket_opened")
    assert outbox.deliver(row.pk) is True
    assert outbox.deliver(row.pk) is False
    assert outbox.retry_due() == 0
    row.refresh_from_db()
    assert row.state == State.SENT and row.attempts == 1
    assert len(mailoutbox) == 1


def test_delivered_mail_threads_by_ticket_and_marks_automatic_mail(end_user, topic, agent, mailoutbox):
    ticket = services.open_ticket(requester=end_user, topic=topic, subject="Headers", body="x")
    entry = services.reply(ticket, author=agent, body="Human answer")
    for row in Notification.objects.filter(kind__in=["ticket_opened", "response"]):
        outbox.deliver(row.pk)
    opened, response = sorted(mailoutbox, key=lambda m: "Human answer" in m.body)
    for message in (opened, response):
        assert message.extra_headers["References"] == f"<ticket-{ticket.number}@127.0.0.1>"
        assert f"[#{ticket.number}]" in message.subject
    assert opened.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "Auto-Submitted" not in response.extra_headers
    assert opened.extra_headers["Message-ID"] != response.extra_headers["Message-ID"]
    assert entry.body in response.body


def test_an_internal_note_can_never_be_queued_for_the_requester(ticket, agent):
    note = services.add_note(ticket, author=agent, body="secret")
    with pytest.raises(ValueError):
        outbox.notify("response", ticket=ticket, to=[ticket.requester.email], entry=note)
    assert not Notification.objects.filter(entry=note).exists()


def test_broker_down_at_submission_the_ticket_is_kept_and_mail_goes_out_later(
    client, end_user, topic, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.deliver_notifications, "delay", broker_down)
    client.force_login(end_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/tickets/new/", {"help_topic": topic.pk, "subject": "Broker down", "message": "x"})
    assert response.status_code == 302
    row = Notification.objects.get(kind="ticket_opened")
    assert row.state == State.PENDING and mailoutbox == []

    monkeypatch.undo()
    assert outbox.retry_due() >= 1
    row.refresh_from_db()
    assert row.state == State.SENT and len(mailoutbox) == 1


def test_a_send_whose_worker_died_is_sent_again_after_the_claim_goes_stale(ticket, mailoutbox):
    row = ticket.notifications.get(kind="ticket_opened")
    Notification.objects.filter(pk=row.pk).update(state=State.SENDING, claimed_at=timezone.now(), attempts=1)
    assert outbox.retry_due() == 0
    assert outbox.retry_due(now=timezone.now() + outbox.STALE_CLAIM + timedelta(seconds=1)) == 1
    row.refresh_from_db()
    assert row.state == State.SENT and len(mailoutbox) == 1


def test_real_smtp_server_receives_the_mail(ticket, smtp):
    server = smtp()
    row = ticket.notifications.get(kind="ticket_opened")
    assert outbox.deliver(row.pk)
    [(recipients, content)] = server.messages
    assert recipients == [ticket.requester.email]
    assert f"[#{ticket.number}]" in content and ticket.get_absolute_url() in content


def test_smtp_refusal_is_recorded_and_retried_with_back_off_then_fails(ticket, smtp, settings):
    smtp(refuse=True)
    row = ticket.notifications.get(kind="ticket_opened")
    now = timezone.now()
    assert outbox.deliver(row.pk, now=now) is False
    row.refresh_from_db()
    assert row.state == State.PENDING and row.attempts == 1
    assert "550" in row.last_error or "Recipient" in row.last_error
    assert row.next_attempt_at == now + timedelta(minutes=1)
    for _ in range(2, outbox.MAX_ATTEMPTS + 1):
        now += timedelta(hours=1)
        outbox.deliver(row.pk, now=now)
    row.refresh_from_db()
    assert row.state == State.FAILED and row.attempts == outbox.MAX_ATTEMPTS


def test_invalid_requester_address_is_recorded_not_crashing(end_user, topic, smtp):
    smtp()
    end_user.email = "no-at-sign"
    end_user.save()
    ticket = services.open_ticket(requester=end_user, topic=topic, subject="Bad address", body="x")
    row = ticket.notifications.get(kind="ticket_opened")
    assert outbox.deliver(row.pk) is False
    row.refresh_from_db()
    assert row.state == State.PENDING and row.last_error
