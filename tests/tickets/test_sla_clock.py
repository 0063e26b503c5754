"""Due dates follow the ticket's SLA: business hours, pausing while pending, reopening, escalation."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tickets import services
from tickets.models import EventKind, Priority, Status, Ticket

from ..conftest import ScheduleFactory, SLAFactory

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def office_sla(topic):
    sla = SLAFactory(name="Office", first_response_hours=1, resolution_hours=2, schedule=ScheduleFactory())
    topic.default_sla = sla
    topic.save()
    return sla


@pytest.fixture
def round_the_clock(topic):
    sla = SLAFactory(name="24x7", first_response_hours=1, resolution_hours=4)
    topic.default_sla = sla
    topic.save()
    return sla


def open_at(moment, end_user, topic, time_machine):
    time_machine.move_to(moment, tick=False)
    return services.open_ticket(requester=end_user, topic=topic, subject="Clock", body="x")


def test_due_dates_count_business_hours_only(office_sla, end_user, topic, time_machine):
    friday_4pm = datetime(2026, 12, 4, 16, 0, tzinfo=BERLIN)
    ticket = open_at(friday_4pm, end_user, topic, time_machine)
    assert ticket.first_response_due_at == datetime(2026, 12, 4, 17, 0, tzinfo=BERLIN)
    assert ticket.due_at == datetime(2026, 12, 7, 10, 0, tzinfo=BERLIN)


def test_time_spent_pending_does_not_count(round_the_clock, end_user, topic, agent, time_machine):
    start = datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN)
    ticket = open_at(start, end_user, topic, time_machine)
    time_machine.move_to(start + timedelta(hours=1), tick=False)
    services.change_status(ticket, to=Status.PENDING, by=agent)
    time_machine.move_to(start + timedelta(hours=3), tick=False)
    ticket = services.change_status(ticket, to=Status.OPEN, by=agent)
    assert ticket.due_at == start + timedelta(hours=6)
    assert ticket.first_response_due_at == start + timedelta(hours=3)
    assert ticket.paused_at is None
    assert ticket.events.filter(kind=EventKind.DUE, detail="clock paused while pending").exists()


def test_pending_over_a_weekend_only_adds_the_business_time(office_sla, end_user, topic, agent, time_machine):
    friday_4pm = datetime(2026, 12, 4, 16, 0, tzinfo=BERLIN)
    ticket = open_at(friday_4pm, end_user, topic, time_machine)
    time_machine.move_to(friday_4pm + timedelta(minutes=30), tick=False)
    services.change_status(ticket, to=Status.PENDING, by=agent)
    time_machine.move_to(datetime(2026, 12, 7, 9, 30, tzinfo=BERLIN), tick=False)  # Monday 9:30
    ticket = services.change_status(ticket, to=Status.OPEN, by=agent)
    # Paused 16:30–17:00 Friday and 9:00–9:30 Monday: one business hour.
    assert ticket.due_at == datetime(2026, 12, 7, 11, 0, tzinfo=BERLIN)


def test_a_pending_ticket_is_never_overdue(round_the_clock, end_user, topic, agent, time_machine):
    start = timezone.now()
    ticket = open_at(start, end_user, topic, time_machine)
    services.change_status(ticket, to=Status.PENDING, by=agent)
    time_machine.move_to(start + timedelta(hours=10), tick=False)
    assert services.sweep_overdue() == 0
    assert not Ticket.objects.overdue().exists()


def test_reopening_restarts_the_resolution_clock_and_ends_an_override(
    round_the_clock, end_user, topic, agent, time_machine
):
    start = datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN)
    ticket = open_at(start, end_user, topic, time_machine)
    services.override_due(ticket, due_at=start + timedelta(days=9), reason="vendor", by=agent)
    services.change_status(ticket, to=Status.RESOLVED, by=agent)
    time_machine.move_to(start + timedelta(days=2), tick=False)
    services.add_message(ticket, author=end_user, body="It broke again")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.due_at == start + timedelta(days=2, hours=4)
    assert not ticket.due_is_manual


def test_escalation_raises_priority_and_alerts_the_manager(
    round_the_clock, end_user, topic, agent, admin_user, time_machine, mailoutbox, django_capture_on_commit_callbacks
):
    round_the_clock.escalate_when_overdue = True
    round_the_clock.save()
    topic.department.manager = admin_user
    topic.department.save()
    start = timezone.now()
    ticket = open_at(start, end_user, topic, time_machine)
    services.assign(ticket, agent=agent, by=agent)
    time_machine.move_to(start + timedelta(hours=5), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_overdue()
    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH
    assert ticket.events.filter(kind=EventKind.PRIORITY, detail="escalated: overdue").count() == 1
    overdue_mail = [m for m in mailoutbox if "Overdue" in m.subject]
    assert sorted(overdue_mail[0].to) == sorted([agent.email, admin_user.email])


def test_a_ticket_keeps_its_dates_when_its_sla_is_deleted(round_the_clock, end_user, topic, time_machine):
    ticket = open_at(timezone.now(), end_user, topic, time_machine)
    due = ticket.due_at
    topic.default_sla = None
    topic.save()
    round_the_clock.delete()
    ticket.refresh_from_db()
    assert ticket.sla is None and ticket.due_at == due
