from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from tickets import services
from tickets.models import Status
from tickets.reports import sla_report

from ..conftest import HelpTopicFactory, SLAFactory

# A Monday morning; the report is read two days later. SLA: 4 h to first response, 24 h to resolve.
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
DAY = date(2025, 3, 3)
URL = "/desk/reports/sla/"


@pytest.fixture
def sla(db):
    return SLAFactory(name="Standard", first_response_hours=4, resolution_hours=24)


@pytest.fixture
def sla_topic(department, sla):
    return HelpTopicFactory(department=department, default_sla=sla)


@pytest.fixture
def clock(time_machine):
    """Set the frozen clock to T0 plus some hours."""

    def at(hours: float):
        time_machine.move_to(T0 + timedelta(hours=hours), tick=False)

    return at


def open_at(clock, hours, topic, requester, subject="Broken"):
    clock(hours)
    return services.open_ticket(requester=requester, topic=topic, subject=subject, body="x", notify=False)


def answer_at(clock, hours, ticket, agent):
    clock(hours)
    services.reply(ticket, author=agent, body="On it.", notify=False)


def status_at(clock, hours, ticket, to, agent):
    clock(hours)
    services.change_status(ticket, to=to, by=agent)


@pytest.fixture
def handful(clock, sla_topic, end_user, agent):
    """Five tickets opened at T0 (one at T0+46 h), read at T0+48 h:

    on_time   answered at 1 h, resolved at 10 h    → response met,      resolution met
    late      answered at 5 h, resolved at 30 h    → response breached, resolution breached
    ignored   never answered, still open           → response breached, resolution breached
    fresh     opened at 46 h, nothing yet          → response in progress, resolution in progress
    closed    answered at 2 h, closed (never resolved) at 20 h → both met
    """
    tickets = {name: open_at(clock, 0, sla_topic, end_user, name) for name in ("on_time", "late", "ignored", "closed")}
    answer_at(clock, 1, tickets["on_time"], agent)
    answer_at(clock, 2, tickets["closed"], agent)
    answer_at(clock, 5, tickets["late"], agent)
    status_at(clock, 10, tickets["on_time"], Status.RESOLVED, agent)
    status_at(clock, 20, tickets["closed"], Status.CLOSED, agent)
    status_at(clock, 30, tickets["late"], Status.RESOLVED, agent)
    tickets["fresh"] = open_at(clock, 46, sla_topic, end_user, "fresh")
    clock(48)
    return tickets


def counts(row):
    return (
        row.tickets,
        (row.first_response_met, row.first_response_breached, row.first_response_in_progress),
        (row.resolution_met, row.resolution_breached, row.resolution_in_progress),
    )


def test_first_response_and_resolution_are_counted_met_breached_or_in_progress(handful, agent):
    standard, total = sla_report(agent, start=DAY, end=DAY + timedelta(days=2), group_by="sla")

    assert standard.label == "Standard"
    assert counts(standard) == (5, (2, 2, 1), (2, 2, 1))
    assert counts(total) == counts(standard)
    assert total.label == "All"


def test_medians_count_only_answered_and_resolved_tickets(handful, agent):
    standard, total = sla_report(agent, start=DAY, end=DAY + timedelta(days=2), group_by="sla")

    # Answered after 1, 2 and 5 hours; resolved after 10 and 30 (the closed one never was).
    assert standard.median_first_response == timedelta(hours=2)
    assert standard.median_resolution == timedelta(hours=20)
    assert (total.median_first_response, total.median_resolution) == (timedelta(hours=2), timedelta(hours=20))


def test_medians_are_empty_when_nothing_was_answered(clock, sla_topic, end_user, agent):
    open_at(clock, 0, sla_topic, end_user)
    clock(1)

    standard, _ = sla_report(agent, start=DAY, end=DAY, group_by="sla")

    assert standard.median_first_response is None and standard.median_resolution is None
    assert counts(standard) == (1, (0, 0, 1), (0, 0, 1))


def test_grouping_by_sla_leaves_out_tickets_without_one(clock, department, sla_topic, end_user, agent):
    gold = SLAFactory(name="Gold", first_response_hours=1, resolution_hours=8)
    open_at(clock, 0, HelpTopicFactory(department=department, default_sla=gold), end_user)
    open_at(clock, 0, sla_topic, end_user)
    open_at(clock, 0, sla_topic, end_user)
    open_at(clock, 0, HelpTopicFactory(department=department), end_user, "No SLA")
    clock(2)

    rows = sla_report(agent, start=DAY, end=DAY, group_by="sla")

    assert [(row.label, row.tickets) for row in rows] == [("Gold", 1), ("Standard", 2), ("All", 3)]
    # Gold's first response (1 h) is overdue at 2 h; Standard's (4 h) is still running.
    assert [row.first_response_breached for row in rows] == [1, 0, 1]


def test_grouping_by_department_counts_all_tickets_but_only_targets_that_exist(
    clock, department, other_department, sla_topic, end_user, admin_user
):
    open_at(clock, 0, sla_topic, end_user)
    open_at(clock, 0, HelpTopicFactory(department=department), end_user, "No SLA")
    no_sla_elsewhere = open_at(clock, 0, HelpTopicFactory(department=other_department), end_user, "Elsewhere")
    answer_at(clock, 3, no_sla_elsewhere, admin_user)
    clock(30)

    accounts, it_support, total = sla_report(admin_user, start=DAY, end=DAY, group_by="department")

    assert (accounts.label, it_support.label) == ("Accounts", "IT Support")
    assert counts(accounts) == (1, (0, 0, 0), (0, 0, 0))
    assert counts(it_support) == (2, (0, 1, 0), (0, 1, 0))
    assert counts(total) == (3, (0, 1, 0), (0, 1, 0))
    # Medians need no SLA: the answered ticket without one still counts.
    assert accounts.median_first_response == timedelta(hours=3)


def test_date_range_leaves_out_tickets_opened_before_or_after(clock, sla_topic, end_user, agent):
    open_at(clock, -24, sla_topic, end_user, "The day before")
    open_at(clock, 0, sla_topic, end_user, "In range")
    open_at(clock, 24, sla_topic, end_user, "The day after")

    *_, total = sla_report(agent, start=DAY, end=DAY, group_by="sla")

    assert total.tickets == 1


def test_date_range_days_are_in_the_current_time_zone(settings, time_machine, sla_topic, end_user, agent):
    settings.TIME_ZONE = "America/New_York"
    # 03:30 UTC on 4 March is 22:30 on 3 March in New York.
    time_machine.move_to(datetime(2025, 3, 4, 3, 30, tzinfo=UTC), tick=False)
    services.open_ticket(requester=end_user, topic=sla_topic, subject="Late evening", body="x", notify=False)

    assert sla_report(agent, start=DAY, end=DAY, group_by="sla")[-1].tickets == 1
    assert sla_report(agent, start=DAY + timedelta(days=1), end=DAY + timedelta(days=1))[-1].tickets == 0


def test_agent_counts_only_tickets_it_may_see(clock, other_department, sla, sla_topic, end_user, agent, admin_user):
    open_at(clock, 0, sla_topic, end_user)
    open_at(clock, 0, HelpTopicFactory(department=other_department, default_sla=sla), end_user, "Elsewhere")
    clock(1)

    assert sla_report(agent, start=DAY, end=DAY, group_by="sla")[-1].tickets == 1
    assert sla_report(admin_user, start=DAY, end=DAY, group_by="sla")[-1].tickets == 2


def test_agent_of_other_department_sees_no_tickets_on_the_page(client, sla_topic, end_user, other_agent):
    services.open_ticket(requester=end_user, topic=sla_topic, subject="Not theirs", body="x", notify=False)
    client.force_login(other_agent)

    response = client.get(URL)

    assert response.context["rows"] == []
    assert "No tickets with an SLA were opened" in response.content.decode()


def test_page_shows_counts_with_percentages(client, handful, agent):
    client.force_login(agent)

    response = client.get(URL, {"start": "2025-03-03", "end": "2025-03-05", "group_by": "sla"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1" in page and "SLA report" in page
    assert '<th scope="row">Standard</th>' in page
    assert "(40%)" in page and "(20%)" in page  # 2 of 5 met, 1 of 5 in progress
    assert "<svg" in page and "Standard, resolution breached: 2 of 5 (40%)" in page
    assert "2 h 0 min" in page and "20 h 0 min" in page


def test_page_defaults_to_the_last_30_days_by_sla(client, agent, sla_topic, end_user, time_machine):
    time_machine.move_to(T0, tick=False)
    services.open_ticket(requester=end_user, topic=sla_topic, subject="Today", body="x", notify=False)
    client.force_login(agent)

    response = client.get(reverse("tickets:sla_report"))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.cleaned_data == {"start": date(2025, 2, 2), "end": DAY, "group_by": "sla"}
    assert response.context["rows"][0]["tickets"] == 1


def test_page_groups_by_department_when_asked(client, agent, topic, end_user):
    services.open_ticket(requester=end_user, topic=topic, subject="No SLA", body="x", notify=False)
    client.force_login(agent)

    response = client.get(URL, {"group_by": "department"})

    assert [row["label"] for row in response.context["rows"]] == ["IT Support"]
    assert "IT Support, first response: no tickets with a target" in response.content.decode()


def test_end_user_gets_403(client, end_user):
    client.force_login(end_user)

    assert client.get(URL).status_code == 403


def test_guest_is_sent_to_sign_in(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_report_page_accepts_only_get(client, agent):
    client.force_login(agent)

    assert client.post(URL).status_code == 405


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"start": "yesterday"}, "Enter the start date as YYYY-MM-DD."),
        ({"start": "2025-02-30"}, "Enter the start date as YYYY-MM-DD."),
        ({"start": "2025-03-10", "end": "2025-03-01"}, "The end date is before the start date."),
        ({"start": "2024-01-01", "end": "2025-01-01"}, "Choose a range of at most 366 days."),
        ({"group_by": "priority"}, "Group by SLA plan or by department."),
    ],
)
def test_bad_choices_show_a_form_error(client, agent, params, error):
    client.force_login(agent)

    response = client.get(URL, params)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert response.context["rows"] is None


def test_a_leap_year_is_not_too_long(client, agent):
    client.force_login(agent)

    response = client.get(URL, {"start": "2024-01-01", "end": "2024-12-31"})

    assert response.context["form"].is_valid()


def test_page_queries_do_not_grow_with_tickets(
    client, agent, department, sla_topic, end_user, django_assert_max_num_queries
):
    gold_topic = HelpTopicFactory(department=department, default_sla=SLAFactory(name="Gold"))

    def make(n):
        for i in range(n):
            topic = gold_topic if i % 2 else sla_topic
            ticket = services.open_ticket(requester=end_user, topic=topic, subject=f"T{i}", body="x", notify=False)
            if i % 3:
                services.reply(ticket, author=agent, body="On it.", notify=False)
            if i % 4 == 0:
                services.change_status(ticket, to=Status.RESOLVED, by=agent)

    make(3)
    client.force_login(agent)
    with django_assert_max_num_queries(8) as few:
        client.get(URL)
    make(27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    assert [row["tickets"] for row in response.context["rows"]] == [14, 16]


def test_report_shows_the_average_feedback_rating_per_group(client, agent, sla_topic, end_user):
    for rating in (5, 3):
        ticket = services.open_ticket(requester=end_user, topic=sla_topic, subject="Rated", body="x")
        ticket = services.change_status(ticket, to=Status.RESOLVED, by=agent)
        services.record_feedback(ticket, resolved_at=ticket.resolved_at, rating=rating, comment="")
    rows = sla_report(agent, start=date.today() - timedelta(days=1), end=date.today())
    assert [(r.feedback_count, r.feedback_average) for r in rows] == [(2, 4.0), (2, 4.0)]
    client.force_login(agent)
    assert "4.0 (2)" in client.get(reverse("tickets:sla_report")).content.decode()
