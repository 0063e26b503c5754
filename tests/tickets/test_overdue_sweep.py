import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tickets import services
from tickets.models import Event, EventKind, Status, Ticket

from ..conftest import SLAFactory


@pytest.fixture
def late_ticket(end_user, topic):
    topic.default_sla = SLAFactory(first_response_hours=1, resolution_hours=2)
    topic.save()
    return services.open_ticket(requester=end_user, topic=topic, subject="Late", body="x")


def later(hours):
    return timezone.now() + timedelta(hours=hours)


def test_sweep_marks_a_ticket_past_due_once_with_one_event_and_one_alert(
    late_ticket, agent, mailoutbox, django_capture_on_commit_callbacks
):
    services.assign(late_ticket, agent=agent, by=agent)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_overdue(now=later(3)) == 1
        assert services.sweep_overdue(now=later(4)) == 0
    late_ticket.refresh_from_db()
    assert late_ticket.is_overdue
    assert Event.objects.filter(ticket=late_ticket, kind=EventKind.OVERDUE).count() == 1
    assert [m.to for m in mailoutbox] == [[agent.email]]
    assert "Overdue" in mailoutbox[0].subject


def test_unassigned_overdue_ticket_alerts_the_department(
    late_ticket, agent, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    late_ticket.department.manager = admin_user
    late_ticket.department.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_overdue(now=later(3))
    assert sorted(mailoutbox[0].to) == sorted([agent.email, admin_user.email])


def test_sweep_leaves_tickets_not_yet_due_resolved_or_without_sla(late_ticket, end_user, topic, agent):
    services.sweep_overdue(now=later(1))
    resolved = services.open_ticket(requester=end_user, topic=topic, subject="Done", body="x")
    services.change_status(resolved, to=Status.RESOLVED, by=agent)
    topic.default_sla = None
    topic.save()
    services.open_ticket(requester=end_user, topic=topic, subject="No SLA", body="x")
    assert services.sweep_overdue(now=later(1)) == 0
    assert services.sweep_overdue(now=later(3)) == 1
    assert list(Ticket.objects.filter(is_overdue=True)) == [late_ticket]


def test_no_overdue_alerts_plan_marks_but_sends_nothing(late_ticket, mailoutbox, django_capture_on_commit_callbacks):
    late_ticket.sla.disable_overdue_alerts = True
    late_ticket.sla.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_overdue(now=later(3))
    late_ticket.refresh_from_db()
    assert late_ticket.is_overdue and mailoutbox == []


def test_overdue_queue_is_right_between_sweeps(late_ticket, agent, time_machine):
    from tickets.selectors import queue_counts

    time_machine.move_to(later(3))
    late_ticket.refresh_from_db()
    assert not late_ticket.is_overdue
    assert queue_counts(agent)["overdue"] == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_mark_each_ticket_exactly_once(end_user, topic, agent, mailoutbox):
    topic.default_sla = SLAFactory(first_response_hours=1, resolution_hours=1)
    topic.save()
    tickets = [services.open_ticket(requester=end_user, topic=topic, subject=f"T{i}", body="x") for i in range(40)]
    mailoutbox.clear()
    barrier = threading.Barrier(4)
    results = []

    def sweep():
        try:
            barrier.wait()
            results.append(services.sweep_overdue(now=later(2)))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sum(results) == 40
    assert Event.objects.filter(kind=EventKind.OVERDUE).count() == 40
    assert Event.objects.filter(kind=EventKind.OVERDUE).values("ticket").distinct().count() == len(tickets)
    assert len(mailoutbox) == 40


def test_a_ticket_without_sla_but_with_a_due_date_set_by_hand_is_swept(
    ticket, agent, mailoutbox, django_capture_on_commit_callbacks
):
    services.assign(ticket, agent=agent, by=agent)
    services.override_due(ticket, due_at=later(1), reason="promised by Friday", by=agent)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_overdue(now=later(2)) == 1
    assert [m.to for m in mailoutbox if "Overdue" in m.subject] == [[agent.email]]


def test_a_large_sweep_sends_every_alert_once_in_batched_deliveries(
    end_user, topic, agent, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    from tickets import tasks

    topic.default_sla = SLAFactory(first_response_hours=1, resolution_hours=1)
    topic.save()
    for i in range(250):
        services.open_ticket(requester=end_user, topic=topic, subject=f"T{i}", body="x", notify=False)
    batches = []
    deliver = tasks.deliver_notifications.delay
    monkeypatch.setattr(tasks.deliver_notifications, "delay", lambda ids: batches.append(ids) or deliver(ids))

    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_overdue(now=later(2)) == 250

    assert [len(ids) for ids in batches] == [100, 100, 50]
    assert len(mailoutbox) == 250
    assert len({m.subject for m in mailoutbox}) == 250  # one per ticket, none twice
