import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AgentProfile
from tickets import services
from tickets.models import Event, EventKind, Priority, Status, Team, Ticket
from tickets.selectors import queue_counts, tickets_visible_to

from ..conftest import HelpTopicFactory, SLAFactory, make_agent

DESK = reverse("tickets:desk")
BULK = reverse("tickets:bulk")


def open_(end_user, topic, subject, body="x"):
    return services.open_ticket(requester=end_user, topic=topic, subject=subject, body=body, notify=False)


def numbers_on(response) -> list[str]:
    """The ticket numbers listed, in order (each row has one checkbox named "tickets")."""
    html = response.content.decode()
    return [part.split('"', 1)[0] for part in html.split('name="tickets" value="')[1:]]


def test_agent_sees_only_its_departments_tickets(client, agent, other_agent, end_user, topic, other_department):
    mine = services.open_ticket(requester=end_user, topic=topic, subject="In my department", body="x")
    theirs = services.open_ticket(
        requester=end_user, topic=HelpTopicFactory(department=other_department), subject="Elsewhere", body="x"
    )
    client.force_login(agent)
    page = client.get(reverse("tickets:desk")).content.decode()
    assert mine.number in page and theirs.number not in page
    assert list(tickets_visible_to(other_agent)) == [theirs]


def test_an_agents_departments_and_teams_are_read_together_once(agent, department, other_department):
    team = Team.objects.create(name="Laptops")
    team.members.add(agent.agent_profile)
    profile = AgentProfile.objects.get(user=agent)

    with CaptureQueriesContext(connection) as captured:
        seen = (profile.department_ids, profile.team_ids, profile.department_ids)

    assert seen == ([department.pk], [team.pk], [department.pk])
    assert len(captured) == 1


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


# --- the queues ----------------------------------------------------------------------------


@pytest.fixture
def desk_tickets(agent, department, end_user, topic, time_machine):
    """One ticket per situation, reached through the services. `late` is past its due date."""
    colleague = make_agent(department, full_name="Carl Colleague")
    start = timezone.now()
    time_machine.move_to(start - timedelta(days=3))
    topic.default_sla = SLAFactory(resolution_hours=24)
    topic.save()
    late = open_(end_user, topic, "Late one")
    topic.default_sla = None
    topic.save()
    time_machine.move_to(start)
    made = {
        "late": late,
        "new": open_(end_user, topic, "Brand new"),
        "mine": open_(end_user, topic, "Mine to do"),
        "colleague": open_(end_user, topic, "Colleague's"),
        "waiting": open_(end_user, topic, "Waiting on requester"),
        "resolved": open_(end_user, topic, "Fixed"),
        "closed": open_(end_user, topic, "Done and dusted"),
    }
    services.assign(made["mine"], agent=agent, by=agent)
    services.assign(made["colleague"], agent=colleague, by=agent)
    services.assign(made["waiting"], agent=colleague, by=agent)
    services.change_status(made["waiting"], to=Status.PENDING, by=agent)
    services.change_status(made["resolved"], to=Status.RESOLVED, by=agent)
    services.change_status(made["closed"], to=Status.CLOSED, by=agent)
    return made


QUEUE_CONTENTS = {
    "open": {"late", "new", "mine", "colleague"},
    "unassigned": {"late", "new"},
    "mine": {"mine"},
    "assigned": {"mine", "colleague", "waiting"},
    "overdue": {"late"},
    "pending": {"waiting"},
    "closed": {"resolved", "closed"},
}


@pytest.mark.parametrize("queue", QUEUE_CONTENTS)
def test_each_queue_lists_its_tickets_and_its_count_matches(client, agent, desk_tickets, queue):
    client.force_login(agent)
    response = client.get(DESK, {"queue": queue})
    expected = {desk_tickets[key].number for key in QUEUE_CONTENTS[queue]}
    assert set(numbers_on(response)) == expected
    assert f'data-queue="{queue}">{len(expected)}</span>' in response.content.decode()


def test_default_queue_is_open(client, agent, desk_tickets):
    client.force_login(agent)
    assert set(numbers_on(client.get(DESK))) == set(numbers_on(client.get(DESK, {"queue": "open"})))


def test_overdue_ticket_carries_a_badge_and_others_do_not(client, agent, desk_tickets):
    client.force_login(agent)
    html = client.get(DESK, {"queue": "open"}).content.decode()
    assert html.count(">Overdue</span>") == 1
    row = html.split(f'value="{desk_tickets["late"].number}"')[1].split("</tr>")[0]
    assert ">Overdue</span>" in row


def test_a_pending_ticket_past_its_due_date_is_not_overdue(client, agent, desk_tickets):
    # Pending waits on the requester: the SLA clock is paused (TicketQuerySet.overdue agrees).
    services.change_status(desk_tickets["late"], to=Status.PENDING, by=agent)
    client.force_login(agent)
    assert numbers_on(client.get(DESK, {"queue": "overdue"})) == []
    assert ">Overdue</span>" not in client.get(DESK, {"queue": "pending"}).content.decode()
    assert queue_counts(agent)["overdue"] == 0


def test_emergency_and_high_rows_stand_out(client, agent, end_user, topic):
    urgent = open_(end_user, topic, "Server room on fire")
    services.set_priority(urgent, priority=Priority.EMERGENCY, by=agent)
    open_(end_user, topic, "Mouse squeaks")
    client.force_login(agent)
    html = client.get(DESK).content.decode()
    assert html.count('class="row-priority-1"') == 1
    assert html.count('class="row-priority-3"') == 1


def test_rows_link_to_the_work_page(client, agent, ticket):
    client.force_login(agent)
    assert reverse("tickets:work", args=[ticket.number]) in client.get(DESK).content.decode()


def test_agent_of_another_department_sees_the_ticket_in_no_queue_and_no_search(
    client, other_agent, desk_tickets, end_user
):
    client.force_login(other_agent)
    numbers = {t.number for t in desk_tickets.values()}
    for queue in QUEUE_CONTENTS:
        response = client.get(DESK, {"queue": queue})
        assert not numbers & set(numbers_on(response))
        assert f'data-queue="{queue}">0</span>' in response.content.decode()
    for search in (desk_tickets["new"].number, "Brand", end_user.email):
        assert numbers_on(client.get(DESK, {"q": search})) == []


def test_end_user_gets_403_and_a_guest_is_sent_to_sign_in(client, end_user):
    assert client.get(DESK).status_code == 302
    client.force_login(end_user)
    assert client.get(DESK).status_code == 403
    assert client.post(BULK, {"tickets": ["1"], "action": "assign_me"}).status_code == 403


def test_htmx_request_gets_only_the_list(client, agent, ticket):
    client.force_login(agent)
    response = client.get(DESK, {"q": "slow"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="queue-results"' in html
    assert "<html" not in html and "<h1" not in html
    assert numbers_on(response) == [ticket.number]
    # The filter form outside the list learns the current sort, so a new search keeps it.
    sorted_ = client.get(DESK, {"sort": "-due_at"}, headers={"HX-Request": "true"}).content.decode()
    assert '<input type="hidden" name="sort" value="-due_at" id="filter-sort" hx-swap-oob="true">' in sorted_


def test_page_has_one_h1_labelled_controls_and_scoped_headers(client, agent, ticket):
    client.force_login(agent)
    html = client.get(DESK).content.decode()
    assert html.count("<h1") == 1
    assert '<th scope="col"' in html and "<th>" not in html
    for name in ("q", "department", "created_from", "per_page"):
        assert f'for="id_{name}"' in html
    for name in ("action", "agent", "priority", "status"):
        assert f'for="bulk_{name}"' in html
    assert f'aria-label="Select ticket {ticket.number}"' in html


# --- a fixed number of queries -------------------------------------------------------------


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(DESK, params)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_desk_issues_the_same_number_of_queries_for_5_or_100_tickets(client, agent, end_user, topic):
    team = Team.objects.create(name="Hardware")
    for i in range(5):
        open_(end_user, topic, f"Ticket {i}")
    client.force_login(agent)
    client.get(DESK)  # warm up the session and the per-process caches
    few = _queries(client, {"per_page": 25})
    template = Ticket.objects.first()
    now = timezone.now()
    Ticket.objects.bulk_create(
        Ticket(
            number=str(20_000_000 + i),
            subject=f"Bulk {i}",
            requester=end_user,
            help_topic=topic,
            department=template.department,
            team=team,
            assignee=agent,
            sla=SLAFactory(),
            priority=Priority.HIGH,
            due_at=now - timedelta(hours=1),
        )
        for i in range(95)
    )
    many = _queries(client, {"per_page": 100})
    assert len(numbers_on(client.get(DESK, {"per_page": 100}))) == 100
    assert many == few


def test_search_and_filters_do_not_add_queries_per_ticket(client, agent, end_user, topic):
    for i in range(3):
        open_(end_user, topic, f"Printer {i}", body="toner")
    client.force_login(agent)
    client.get(DESK)
    params = {"q": "toner", "priority": "3", "created_from": "2000-01-01", "sort": "-due_at"}
    few = _queries(client, params)
    for i in range(10):
        open_(end_user, topic, f"Printer more {i}", body="toner")
    assert _queries(client, params) == few


# --- bulk actions --------------------------------------------------------------------------


@pytest.fixture
def three(end_user, topic):
    return [open_(end_user, topic, f"Bulk {i}") for i in range(3)]


def bulk(client, tickets, follow=False, **data):
    data.setdefault("next", f"{DESK}?queue=open&sort=-due_at")
    return client.post(BULK, {"tickets": [getattr(t, "number", t) for t in tickets], **data}, follow=follow)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def test_bulk_assign_to_me_goes_through_the_service_with_one_event_per_ticket(client, agent, three):
    client.force_login(agent)
    response = bulk(client, three, action="assign_me")
    assert response.status_code == 302 and response.url == f"{DESK}?queue=open&sort=-due_at"
    assert all(t.assignee == agent for t in Ticket.objects.all())
    assert Event.objects.filter(kind=EventKind.ASSIGNEE, actor=agent).count() == 3
    assert messages_of(response) == ["3 tickets changed."]


def test_bulk_assign_keeps_the_tickets_team(client, agent, three):
    team = Team.objects.create(name="Desk-side")
    services.assign(three[0], team=team, by=agent)
    client.force_login(agent)
    bulk(client, three[:1], action="assign_me")
    three[0].refresh_from_db()
    assert (three[0].assignee, three[0].team) == (agent, team)


def test_bulk_assign_to_an_agent_of_the_department(client, agent, department, three):
    colleague = make_agent(department, full_name="Carl Colleague")
    client.force_login(agent)
    bulk(client, three[:2], action="assign_agent", agent=colleague.pk)
    assert [t.assignee for t in Ticket.objects.order_by("pk")] == [colleague, colleague, None]


def test_bulk_agent_menu_offers_the_active_agents_by_name(client, agent, department, end_user, three):
    make_agent(department, full_name="Carl Colleague")
    AgentProfile.objects.filter(user=make_agent(department, full_name="Dora Departed")).update(is_active=False)
    client.force_login(agent)

    html = client.get(DESK).content.decode()

    menu = html.split('<select name="agent"', 1)[1].split("</select>", 1)[0]
    assert 'id="bulk_agent"' in menu
    options = re.findall(r"<option[^>]*>([^<]*)</option>", menu)
    assert options == ["— Agent —", "Alex Agent", "Carl Colleague"]
    assert "Dora" not in menu and end_user.full_name not in menu


def test_bulk_assign_to_an_agent_outside_the_department_is_refused_per_ticket(client, agent, other_agent, three):
    client.force_login(agent)

    response = bulk(client, three[1:], action="assign_agent", agent=other_agent.pk)

    assert not Ticket.objects.filter(assignee=other_agent).exists()
    assert messages_of(response) == [f"#{t.number}: Bea Beyond is not an agent of IT Support." for t in three[1:]]


def test_bulk_priority_sets_each_ticket_through_the_service(client, agent, three):
    client.force_login(agent)
    bulk(client, three, action="priority", priority=Priority.EMERGENCY)
    assert set(Ticket.objects.values_list("priority", flat=True)) == {Priority.EMERGENCY}
    assert Event.objects.filter(kind=EventKind.PRIORITY).count() == 3


def test_bulk_leaves_tickets_that_already_have_the_value_alone(client, agent, three):
    services.set_priority(three[0], priority=Priority.HIGH, by=agent)
    client.force_login(agent)
    response = bulk(client, three[:2], action="priority", priority=Priority.HIGH)
    assert messages_of(response) == ["1 ticket changed; 1 ticket already as chosen."]
    assert Event.objects.filter(kind=EventKind.PRIORITY).count() == 2


def test_bulk_status_refuses_invalid_transitions_per_ticket_and_changes_the_rest(client, agent, three):
    services.change_status(three[0], to=Status.CLOSED, by=agent)
    client.force_login(agent)

    response = bulk(client, three, action="status", status=Status.PENDING)

    statuses = dict(Ticket.objects.values_list("number", "status"))
    assert [statuses[t.number] for t in three] == [Status.CLOSED, Status.PENDING, Status.PENDING]
    assert messages_of(response) == [
        "2 tickets changed.",
        f"#{three[0].number}: A closed ticket can't become pending.",
    ]
    assert Event.objects.filter(kind=EventKind.STATUS, new_value="Pending").count() == 2


def test_bulk_ignores_numbers_the_agent_cannot_see(client, agent, other_agent, end_user, other_department, three):
    hidden = open_(end_user, HelpTopicFactory(department=other_department), "Not yours")
    client.force_login(agent)

    response = bulk(client, [three[0], hidden, "99999999"], action="priority", priority=Priority.LOW)

    hidden.refresh_from_db()
    assert hidden.priority == Priority.NORMAL and not hidden.events.filter(kind=EventKind.PRIORITY).exists()
    assert Ticket.objects.get(pk=three[0].pk).priority == Priority.LOW
    assert messages_of(response) == ["1 ticket changed.", "2 tickets skipped: not on your desk."]


def test_bulk_refuses_an_off_site_next(client, agent, three):
    client.force_login(agent)
    for target in ("https://evil.example/", "//evil.example/desk/", "javascript:alert(1)", "desk/"):
        response = bulk(client, three[:1], action="assign_me", next=target)
        assert response.url == DESK


def test_bulk_without_a_selection_or_value_explains_and_changes_nothing(client, agent, three):
    client.force_login(agent)
    page = client.post(BULK, {"action": "assign_me", "next": DESK}, follow=True).content.decode()
    assert "Select at least one ticket." in page
    page = bulk(client, three, action="status", follow=True).content.decode()
    assert "Choose the status to set." in page and "Select at least one ticket." not in page
    assert not Event.objects.filter(kind__in=[EventKind.STATUS, EventKind.ASSIGNEE]).exists()


def test_bulk_is_post_only(client, agent):
    client.force_login(agent)
    assert client.get(BULK).status_code == 405
