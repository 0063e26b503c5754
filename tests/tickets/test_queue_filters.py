"""The desk list's filters, sort, search and pagination (on SQLite and on PostgreSQL)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tickets import services
from tickets.models import Priority, Status, Team, Ticket

from ..conftest import HelpTopicFactory, SLAFactory, UserFactory, make_agent
from .test_desk import numbers_on

DESK = reverse("tickets:desk")


def open_(requester, topic, subject, body="x"):
    return services.open_ticket(requester=requester, topic=topic, subject=subject, body=body, notify=False)


@pytest.fixture
def desk(client, agent):
    client.force_login(agent)

    def listed(**params) -> list[str]:
        response = client.get(DESK, params)
        assert response.status_code == 200
        return numbers_on(response)

    return listed


# --- filters -------------------------------------------------------------------------------


@pytest.fixture
def network(agent):
    """A second department of the agent's, with its own help topic."""
    topic = HelpTopicFactory(name="VPN")
    topic.department.agents.add(agent.agent_profile)
    return topic


def test_filter_by_department_and_help_topic(desk, end_user, topic, network):
    laptop = open_(end_user, topic, "Laptop")
    vpn = open_(end_user, network, "VPN")
    assert desk(department=topic.department.pk) == [laptop.number]
    assert desk(department=network.department.pk) == [vpn.number]
    assert desk(help_topic=network.pk) == [vpn.number]


def test_filter_by_team_and_assignee(desk, agent, end_user, topic, department):
    team = Team.objects.create(name="Hardware")
    colleague = make_agent(department)
    a, b, c = (open_(end_user, topic, s) for s in "ABC")
    services.assign(a, team=team, by=agent)
    services.assign(b, agent=colleague, by=agent)
    assert desk(team=team.pk) == [a.number]
    assert desk(assignee=colleague.pk) == [b.number]
    assert c.number in desk()


def test_filter_by_priority_and_status(desk, agent, end_user, topic):
    urgent, normal = open_(end_user, topic, "Urgent"), open_(end_user, topic, "Normal")
    services.set_priority(urgent, priority=Priority.EMERGENCY, by=agent)
    services.change_status(normal, to=Status.RESOLVED, by=agent)
    assert desk(priority=Priority.EMERGENCY) == [urgent.number]
    assert desk(queue="closed", status=Status.RESOLVED) == [normal.number]
    assert desk(queue="closed", status=Status.CLOSED) == []


def test_filter_by_created_and_due_dates_includes_both_end_days(desk, end_user, topic, time_machine):
    topic.default_sla = SLAFactory(resolution_hours=48)
    topic.save()
    now = timezone.now()
    time_machine.move_to(datetime(2030, 3, 1, 23, 30, tzinfo=UTC))
    early = open_(end_user, topic, "Early")  # due 3 March
    time_machine.move_to(datetime(2030, 3, 10, 0, 15, tzinfo=UTC))
    late = open_(end_user, topic, "Late")  # due 12 March
    time_machine.move_to(now)  # back, or the session would have expired
    assert desk(created_from="2030-03-01", created_to="2030-03-01") == [early.number]
    assert desk(created_from="2030-03-02") == [late.number]
    assert desk(due_to="2030-03-03") == [early.number]
    assert desk(due_from="2030-03-04", due_to="2030-03-12") == [late.number]


@pytest.mark.parametrize("bad", ["2030-02-30", "yesterday", "31/31/2030"])
def test_a_bad_date_shows_an_error_instead_of_a_crash(client, agent, ticket, bad):
    client.force_login(agent)
    response = client.get(DESK, {"created_from": bad})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Created from: Enter a date as YYYY-MM-DD, for example 2030-01-31." in html
    assert numbers_on(response) == []


def test_a_from_date_after_the_to_date_is_explained(client, agent, ticket):
    client.force_login(agent)
    html = client.get(DESK, {"due_from": "2030-05-02", "due_to": "2030-05-01"}).content.decode()
    assert "“Due to” can&#x27;t be before “due from”." in html


def test_an_unknown_department_is_an_error_not_a_crash(client, agent, ticket):
    client.force_login(agent)
    response = client.get(DESK, {"department": "999999"})
    assert response.status_code == 200 and "Department:" in response.content.decode()


# --- sort ----------------------------------------------------------------------------------


@pytest.fixture
def sortable(agent, end_user, topic, time_machine):
    """Three tickets opened a day apart; the middle one is the most urgent, the last has no SLA."""
    start = timezone.now()
    topic.default_sla = SLAFactory(resolution_hours=100)
    topic.save()
    made = []
    for days, subject in ((3, "Oldest"), (2, "Middle")):
        time_machine.move_to(start - timedelta(days=days))
        made.append(open_(end_user, topic, subject))
    topic.default_sla = None
    topic.save()
    time_machine.move_to(start)
    made.append(open_(end_user, topic, "Newest"))
    services.set_priority(made[1], priority=Priority.HIGH, by=agent)
    return [t.number for t in made]


def test_default_sort_is_most_urgent_first_then_newest(desk, sortable):
    oldest, middle, newest = sortable
    assert desk() == [middle, newest, oldest]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("due_at", [0, 1, 2]),  # a ticket without a due date counts as due last…
        ("-due_at", [2, 1, 0]),  # …so it comes first going down
        ("number", None),
        ("-updated_at", [1, 2, 0]),  # setting the priority touched the middle one last
        ("priority", [1, 2, 0]),
    ],
)
def test_sort_by_column(desk, sortable, sort, order):
    expected = sorted(sortable) if order is None else [sortable[i] for i in order]
    assert desk(sort=sort) == expected


def test_an_unknown_sort_key_falls_back_to_the_default(desk, sortable):
    assert desk(sort="requester__password") == desk()


def test_sorted_column_header_says_so_and_links_the_other_way(client, agent, sortable):
    client.force_login(agent)
    html = client.get(DESK, {"sort": "due_at"}).content.decode()
    assert 'aria-sort="ascending"' in html
    assert "sort=-due_at" in html


# --- search --------------------------------------------------------------------------------


@pytest.fixture
def searchable(agent, topic):
    erin = UserFactory(email="erin.example@acme.test", full_name="Erin Employee")
    frank = UserFactory(email="frank@field.test", full_name="Frank Field")
    printer = open_(erin, topic, "Printer jams on every page", body="The paper tray squeaks loudly.")
    vpn = open_(frank, topic, "VPN drops", body="Disconnects every five minutes.")
    services.add_note(vpn, author=agent, body="Suspect the firmware of the router.")
    return {"printer": printer.number, "vpn": vpn.number}


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("printer", "printer"),  # subject
        ("jams", "printer"),
        ("squeaks", "printer"),  # the requester's message
        ("firmware", "vpn"),  # an internal note: agents may search those
        ("frank@field.test", "vpn"),  # requester e-mail
        ("Erin Employee", "printer"),  # requester name
    ],
)
def test_search_finds_by_subject_thread_and_requester(desk, searchable, query, found):
    assert desk(q=query) == [searchable[found]]


def test_search_finds_by_exact_number_and_by_prefix(desk, searchable):
    number = searchable["printer"]
    assert desk(q=number) == [number]
    assert desk(q=f"#{number}") == [number]
    assert number in desk(q=number[:4])


def test_search_without_a_match_lists_nothing(client, agent, searchable):
    client.force_login(agent)
    response = client.get(DESK, {"q": "zebra"})
    assert numbers_on(response) == []
    assert "No tickets match this search and these filters." in response.content.decode()


def test_search_lists_a_ticket_once_however_many_entries_match(desk, agent, searchable):
    services.reply(
        Ticket.objects.get(number=searchable["printer"]),
        author=agent,
        body="Which printer? The squeaks matter.",
        notify=False,
    )
    assert desk(q="squeaks") == [searchable["printer"]]


def test_search_keeps_to_the_queue(desk, agent, searchable):
    services.change_status(Ticket.objects.get(number=searchable["vpn"]), to=Status.CLOSED, by=agent)
    assert desk(q="firmware") == []
    assert desk(q="firmware", queue="closed") == [searchable["vpn"]]


# --- pagination ----------------------------------------------------------------------------


@pytest.fixture
def thirty(end_user, topic):
    return [open_(end_user, topic, f"Ticket {i}") for i in range(30)]


def test_pages_of_25_by_default(client, agent, thirty):
    client.force_login(agent)
    first = client.get(DESK)
    second = client.get(DESK, {"page": 2})
    assert len(numbers_on(first)) == 25 and len(numbers_on(second)) == 5
    assert set(numbers_on(first)) | set(numbers_on(second)) == {t.number for t in thirty}
    assert "Page 1 of 2" in first.content.decode()


@pytest.mark.parametrize(("per_page", "rows"), [("50", 30), ("100", 30), ("7", 25), ("lots", 25)])
def test_per_page_accepts_only_25_50_or_100(desk, thirty, per_page, rows):
    assert len(desk(per_page=per_page)) == rows


def test_a_page_past_the_end_shows_the_last_page(desk, thirty):
    assert len(desk(page=99)) == 5
    assert len(desk(page="x")) == 25


# --- the filter panel as the agent sees it ---------------------------------------------------


def filter_panel(html: str) -> str:
    return html.split('aria-label="Search and filter tickets"')[1].split("</form>")[0]


def test_every_filter_has_its_label(client, agent, ticket):
    client.force_login(agent)
    panel = filter_panel(client.get(DESK).content.decode())
    labels = {
        "q": "Search tickets",
        "per_page": "Per page",
        "department": "Department",
        "team": "Team",
        "assignee": "Assignee",
        "priority": "Priority",
        "status": "Status",
        "help_topic": "Help topic",
        "created_from": "Created from",
        "created_to": "Created to",
        "due_from": "Due from",
        "due_to": "Due to",
    }
    for name, label in labels.items():
        assert f'<label for="id_{name}" class="form-label">{label}</label>' in panel
        assert f'id="id_{name}"' in panel
    assert "<details>" in panel  # closed while nothing is filtered


def test_the_chosen_filters_stay_chosen_after_filtering(client, agent, ticket, department):
    client.force_login(agent)
    params = {
        "q": "slow <laptop>",
        "department": department.pk,
        "priority": Priority.HIGH,
        "created_from": "2030-01-31",
        "per_page": "50",
    }
    panel = filter_panel(client.get(DESK, params).content.decode())
    assert 'value="slow &lt;laptop&gt;"' in panel
    assert f'<option value="{department.pk}" selected>{department.name}</option>' in panel
    assert f'<option value="{Priority.HIGH}" selected>High</option>' in panel
    assert '<option value="50" selected>50</option>' in panel
    assert 'type="date" name="created_from" value="2030-01-31"' in panel
    assert '<option value="" selected>Any</option>' in panel  # the status left alone
    assert "<details open>" in panel


def test_a_bad_filter_value_is_marked_at_its_field_with_the_reason(client, agent, ticket):
    client.force_login(agent)
    html = client.get(DESK, {"created_from": "yesterday", "team": "nope"}).content.decode()
    panel = filter_panel(html)
    field = panel.split('name="created_from"')[1].split(">")[0]
    assert "is-invalid" in field and 'aria-invalid="true"' in field
    assert 'aria-describedby="id_created_from_error"' in field
    error = panel.split('id="id_created_from_error"')[1].split("</div>")[0]
    assert "Enter a date as YYYY-MM-DD, for example 2030-01-31." in error
    assert 'id="id_team_error"' in panel and "Select a valid choice." in panel
    assert "<details open>" in panel
    assert 'name="due_from" value' not in panel and "is-invalid" not in panel.split('name="due_from"')[1].split(">")[0]


def test_list_shows_dates_in_the_current_time_zone(client, agent, end_user, topic, settings, time_machine):
    settings.TIME_ZONE = "Europe/Paris"
    topic.default_sla = SLAFactory(resolution_hours=24)
    topic.save()
    time_machine.move_to(datetime(2030, 3, 1, 23, 30, tzinfo=UTC), tick=False)
    opened = open_(end_user, topic, "Late evening")
    client.force_login(agent)
    row = client.get(DESK).content.decode().split(f'value="{opened.number}"')[1].split("</tr>")[0]
    # Due 2 March 23:30 UTC is 3 March 00:30 in Paris; opened 1 March 23:30 UTC is 2 March 00:30.
    assert '<time datetime="2030-03-03T00:30:00+01:00">3 Mar, 00:30</time>' in row
    assert 'title="2 Mar 2030, 00:30"' in row
    assert ">Normal<" in row and ">Open</span>" in row
