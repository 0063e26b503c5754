from django.urls import reverse

from tickets import services
from tickets.models import Status
from tickets.selectors import queue_counts, tickets_visible_to

from ..conftest import HelpTopicFactory, make_agent


def test_agent_sees_only_its_departments_tickets(client, agent, other_agent, end_user, topic, other_department):
    mine = services.open_ticket(requester=end_user, topic=topic, subject="In my department", body="x")
    theirs = services.open_ticket(
        requester=end_user, topic=HelpTopicFactory(department=other_department), subject="Elsewhere", body="x"
    )
    client.force_login(agent)
    page = client.get(reverse("tickets:desk")).content.decode()
    assert mine.number in page and theirs.number not in page
    assert list(tickets_visible_to(other_agent)) == [theirs]


def test_all_departments_agent_sees_everything(agent, end_user, topic, other_department):
    boss = make_agent(all_departments=True)
    services.open_ticket(requester=end_user, topic=topic, subject="A", body="x")
    services.open_ticket(requester=end_user, topic=HelpTopicFactory(department=other_department), subject="B", body="x")
    assert tickets_visible_to(boss).count() == 2


def test_queue_counts(agent, end_user, topic):
    t1 = services.open_ticket(requester=end_user, topic=topic, subject="A", body="x")
    t2 = services.open_ticket(requester=end_user, topic=topic, subject="B", body="x")
    t3 = services.open_ticket(requester=end_user, topic=topic, subject="C", body="x")
    services.assign(t1, agent=agent, by=agent)
    services.change_status(t2, to=Status.PENDING, by=agent)
    services.change_status(t3, to=Status.RESOLVED, by=agent)

    counts = queue_counts(agent)

    assert counts == {"open": 1, "unassigned": 1, "mine": 1, "assigned": 1, "overdue": 0, "pending": 1, "closed": 1}


def test_desk_page_queries_do_not_grow_with_tickets(client, agent, end_user, topic, django_assert_max_num_queries):
    services.open_ticket(requester=end_user, topic=topic, subject="A", body="x")
    client.force_login(agent)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("tickets:desk"))
    for i in range(10):
        services.open_ticket(requester=end_user, topic=topic, subject=f"More {i}", body="x")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("tickets:desk"))
