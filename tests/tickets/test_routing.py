from tickets import services
from tickets.models import Event, EventKind, Priority, RoutingRule

from ..conftest import DepartmentFactory, SLAFactory, make_agent


def test_help_topic_sets_department_priority_sla_and_auto_assignment(end_user, topic, agent):
    sla = SLAFactory(first_response_hours=2, resolution_hours=10)
    topic.default_priority = Priority.HIGH
    topic.default_sla = sla
    topic.auto_assign_agent = agent
    topic.save()

    ticket = services.open_ticket(requester=end_user, topic=topic, subject="Broken", body="x")

    assert (ticket.department, ticket.priority, ticket.sla, ticket.assignee) == (
        topic.department,
        Priority.HIGH,
        sla,
        agent,
    )
    assert (ticket.due_at - ticket.created_at).total_seconds() == 10 * 3600
    assert (ticket.first_response_due_at - ticket.created_at).total_seconds() == 2 * 3600


def test_department_default_sla_applies_when_the_topic_has_none(end_user, topic):
    topic.department.default_sla = SLAFactory()
    topic.department.save()
    ticket = services.open_ticket(requester=end_user, topic=topic, subject="Broken", body="x")
    assert ticket.sla == topic.department.default_sla


def test_matching_rules_apply_in_order_and_are_recorded(end_user, topic):
    network = DepartmentFactory(name="Network")
    RoutingRule.objects.create(name="VPN to network", order=1, match_subject_words="vpn, wifi", set_department=network)
    RoutingRule.objects.create(
        name="Example is VIP", order=2, match_email_domain="example.com", set_priority=Priority.EMERGENCY
    )

    ticket = services.open_ticket(requester=end_user, topic=topic, subject="VPN keeps dropping", body="x")

    assert ticket.department == network
    assert ticket.priority == Priority.EMERGENCY
    routed = list(Event.objects.filter(ticket=ticket, kind=EventKind.ROUTED).values_list("new_value", "detail"))
    assert routed == [("VPN to network", "department → Network"), ("Example is VIP", "priority → Emergency")]


def test_rules_that_do_not_match_change_nothing(end_user, topic):
    RoutingRule.objects.create(name="Other domain", match_email_domain="corp.test", set_priority=Priority.LOW)
    RoutingRule.objects.create(name="Printer words", match_subject_words="printer", set_priority=Priority.LOW)
    RoutingRule.objects.create(name="Inactive", is_active=False, set_priority=Priority.LOW)

    ticket = services.open_ticket(requester=end_user, topic=topic, subject="Laptop is slow", body="x")

    assert ticket.priority == Priority.NORMAL
    assert not Event.objects.filter(ticket=ticket, kind=EventKind.ROUTED).exists()


def test_stop_processing_skips_later_rules(end_user, topic, department):
    agent = make_agent(department)
    RoutingRule.objects.create(name="First", order=1, set_assignee=agent, stop_processing=True)
    RoutingRule.objects.create(name="Second", order=2, set_priority=Priority.LOW)

    ticket = services.open_ticket(requester=end_user, topic=topic, subject="Anything", body="x")

    assert ticket.assignee == agent
    assert ticket.priority == Priority.NORMAL


def test_opening_a_ticket_records_a_created_event_and_the_first_message(end_user, topic):
    ticket = services.open_ticket(requester=end_user, topic=topic, subject="Slow", body="Very slow.")
    assert ticket.events.filter(kind=EventKind.CREATED, actor=end_user).count() == 1
    entry = ticket.entries.get()
    assert (entry.kind, entry.body, entry.author) == ("message", "Very slow.", end_user)
