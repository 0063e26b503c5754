"""The desk's queue counts come from rows the database keeps (tickets/queuecounts.py); whatever
writes a ticket, they must say what the queues list."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tickets import queuecounts, services
from tickets.models import QueueCount, Status, Team, Ticket
from tickets.queues import QUEUES
from tickets.selectors import queue_counts, queue_tickets

from ..conftest import HelpTopicFactory, SLAFactory, make_agent


def listed(agent) -> dict[str, int]:
    """How many tickets each queue lists: what the counts must match."""
    return {key: queue_tickets(agent, queue=key, filters={}).count() for key, _ in QUEUES}


def open_(requester, topic, subject="Help"):
    return services.open_ticket(requester=requester, topic=topic, subject=subject, body="x", notify=False)


@pytest.fixture
def agents(agent, other_agent, other_department):
    """Agents whose desks overlap differently: by department, by team, by assignment, all."""
    team_member = make_agent(other_department, full_name="Tess Team")
    boss = make_agent(all_departments=True, full_name="Bo Boss")
    return [agent, other_agent, team_member, boss]


def assert_counts_match(agents):
    for someone in agents:
        assert queue_counts(someone) == listed(someone), someone.full_name


def test_counts_follow_every_kind_of_change(
    agents, agent, other_agent, end_user, topic, other_department, time_machine
):
    team_member = agents[2]
    team = Team.objects.create(name="Field")
    team.members.add(team_member.agent_profile)
    elsewhere = HelpTopicFactory(department=other_department)
    topic.default_sla = SLAFactory(resolution_hours=2)
    topic.save()
    start = timezone.now()

    a, b, c, d = (open_(end_user, topic, s) for s in "ABCD")
    e = open_(end_user, elsewhere, "E")
    assert_counts_match(agents)

    services.assign(a, agent=agent, by=agent)
    services.assign(b, team=team, by=agent)  # now on the team member's desk too
    services.assign(e, agent=other_agent, by=other_agent)
    services.transfer(c, department=other_department, by=agent)
    services.change_status(d, to=Status.PENDING, by=agent)
    assert_counts_match(agents)

    time_machine.move_to(start + timedelta(hours=5))
    assert_counts_match(agents)  # past due, not yet swept
    services.sweep_overdue()
    assert_counts_match(agents)  # swept: now counted from the overdue flag
    services.set_sla(a, sla=SLAFactory(resolution_hours=100), by=agent)  # due again later
    services.change_status(b, to=Status.RESOLVED, by=agent)
    services.change_status(e, to=Status.CLOSED, by=other_agent)
    assert_counts_match(agents)

    services.change_status(e, to=Status.OPEN, by=other_agent)  # reopened
    Ticket.objects.filter(pk=d.pk).update(status=Status.CLOSED)  # a write no service makes
    Ticket.objects.filter(pk=c.pk).delete()
    open_(agent, elsewhere, "The agent's own laptop")  # requested by the agent, outside their desk
    assert_counts_match(agents)
    assert queue_counts(agent)["open"] == 2  # a, and the agent's own ticket


def test_set_sla_with_a_later_due_date_takes_a_ticket_out_of_overdue(agent, end_user, topic, time_machine):
    topic.default_sla = SLAFactory(resolution_hours=1)
    topic.save()
    ticket = open_(end_user, topic)
    time_machine.move_to(timezone.now() + timedelta(hours=3))
    services.sweep_overdue()
    assert queue_counts(agent)["overdue"] == 1

    services.set_sla(ticket, sla=SLAFactory(resolution_hours=48), by=agent)

    ticket.refresh_from_db()
    assert not ticket.is_overdue
    assert queue_counts(agent)["overdue"] == 0 == listed(agent)["overdue"]


def test_compacting_leaves_one_row_per_bucket_and_the_same_counts(agents, agent, end_user, topic):
    tickets = [open_(end_user, topic, f"T{i}") for i in range(6)]
    for ticket in tickets[:3]:
        services.assign(ticket, agent=agent, by=agent)
    services.change_status(tickets[3], to=Status.RESOLVED, by=agent)
    before = {someone.pk: queue_counts(someone) for someone in agents}
    rows = QueueCount.objects.count()

    removed = queuecounts.compact()

    # Three buckets are left: open unassigned, open assigned to the agent, resolved.
    assert QueueCount.objects.count() == 3 == rows - removed
    assert {someone.pk: queue_counts(someone) for someone in agents} == before
    assert_counts_match(agents)


def test_rebuild_recounts_from_the_tickets(agents, agent, end_user, topic):
    services.assign(open_(end_user, topic), agent=agent, by=agent)
    open_(end_user, topic)
    QueueCount.objects.all().delete()  # lost, e.g. a bulk load with triggers off
    assert queue_counts(agent)["open"] == 0

    queuecounts.rebuild()

    assert queue_counts(agent)["open"] == 2
    assert_counts_match(agents)


def test_the_desk_shows_the_counts(client, agent, end_user, topic):
    services.assign(open_(end_user, topic), agent=agent, by=agent)
    open_(end_user, topic)
    client.force_login(agent)
    response = client.get(reverse("tickets:desk"))
    counts = {label: count for _key, label, count, _at_least in response.context["queues"]}
    assert counts["Open"] == 2 and counts["Unassigned"] == 1 and counts["My tickets"] == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_compaction_keep_the_counts_exact(agents, agent, end_user, topic):
    tickets = [open_(end_user, topic, f"T{i}") for i in range(40)]
    barrier = threading.Barrier(5)
    errors = []

    def work(share):
        try:
            barrier.wait()
            for ticket in share:
                services.assign(ticket, agent=agent, by=agent)
                services.change_status(ticket, to=Status.RESOLVED, by=agent)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    def compact_meanwhile():
        try:
            barrier.wait()
            for _ in range(20):
                queuecounts.compact()
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(tickets[i::4],)) for i in range(4)]
    threads.append(threading.Thread(target=compact_meanwhile))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert queue_counts(agent)["closed"] == 40
    assert_counts_match(agents)


def test_a_sweep_far_behind_shows_a_lower_bound_and_the_list_still_has_every_ticket(
    client, agent, end_user, topic, time_machine, monkeypatch
):
    from tickets import selectors

    monkeypatch.setattr(selectors, "UNMARKED_LIMIT", 2)
    topic.default_sla = SLAFactory(resolution_hours=1)
    topic.save()
    for subject in "ABC":
        open_(end_user, topic, subject)
    time_machine.move_to(timezone.now() + timedelta(hours=3))  # three past due, none swept
    client.force_login(agent)

    counts = queue_counts(agent)
    page = client.get(reverse("tickets:desk"), {"queue": "overdue"}).content.decode()

    assert counts["overdue"] == 2 and counts.at_least == {"overdue"}
    assert 'title="At least 2: the overdue check is catching up">2+</span>' in page
    assert listed(agent)["overdue"] == 3
    services.sweep_overdue()
    assert queue_counts(agent)["overdue"] == 3 and not queue_counts(agent).at_least


@pytest.mark.django_db(transaction=True)
def test_flushing_the_database_leaves_no_stale_counts(end_user, topic):
    open_(end_user, topic)
    call_command("flush", "--no-input")
    assert not QueueCount.objects.exists()


def test_migrate_puts_back_triggers_a_table_rebuild_dropped(agent, end_user, topic):
    open_(end_user, topic)
    on = " ON tickets_ticket" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER tickets_queuecount_insert{on}")
    open_(end_user, topic)  # not counted: no trigger
    assert queue_counts(agent)["open"] == 1

    call_command("migrate", verbosity=0)
    open_(end_user, topic)

    assert queue_counts(agent)["open"] == 3 == listed(agent)["open"]
