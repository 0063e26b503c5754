import re

from django.urls import reverse

from tickets import services
from tickets.models import Status

from .conftest import upload


def test_work_page_shows_the_ticket_thread_notes_and_history(client, agent, ticket, end_user):
    services.reply(ticket, author=agent, body="Public answer")
    services.add_note(ticket, author=agent, body="Private observation")
    services.change_status(ticket, to=Status.PENDING, by=agent)
    client.force_login(agent)

    page = client.get(reverse("tickets:work", args=[ticket.number])).content.decode()

    assert ticket.subject in page and end_user.email in page
    assert "Takes ages to boot." in page and "Public answer" in page
    assert "Private observation" in page and "Internal note" in page
    assert "Open → Pending" in page.replace("&#x27;", "'")


def test_requester_other_tickets_are_listed(client, agent, ticket, end_user, topic):
    other = services.open_ticket(requester=end_user, topic=topic, subject="Second problem", body="x")
    client.force_login(agent)
    page = client.get(reverse("tickets:work", args=[ticket.number])).content.decode()
    assert f"#{other.number}" in page and "Second problem" in page


def test_requester_other_tickets_show_the_open_ones_first_then_the_latest(client, agent, ticket, end_user, topic):
    def open_(subject):
        return services.open_ticket(requester=end_user, topic=topic, subject=subject, body="x", notify=False)

    open_("Old but still open")
    for i in range(5):
        services.change_status(open_(f"Finished {i}"), to=Status.CLOSED, by=agent)
    services.change_status(open_("Waiting on the requester"), to=Status.PENDING, by=agent)
    client.force_login(agent)

    page = client.get(reverse("tickets:work", args=[ticket.number])).content.decode()

    listed = page.split("other tickets</summary>", 1)[1].split("</ul>", 1)[0]
    subjects = re.findall(r"</a> ([^<]+?) <span", listed)
    assert subjects == ["Waiting on the requester", "Old but still open", "Finished 4", "Finished 3", "Finished 2"]


def test_another_agent_having_the_ticket_open_is_announced(client, agent, ticket, department):
    from ..conftest import make_agent

    colleague = make_agent(department, full_name="Casey Colleague")
    client.force_login(colleague)
    client.get(reverse("tickets:work", args=[ticket.number]))
    client.force_login(agent)
    page = client.get(reverse("tickets:work", args=[ticket.number])).content.decode()
    assert "Casey Colleague" in page and "has this ticket open too" in page


def test_overdue_ticket_says_by_how_much(client, agent, ticket, time_machine):
    from tickets.models import Ticket

    Ticket.objects.filter(pk=ticket.pk).update(due_at=ticket.created_at)
    time_machine.move_to(
        ticket.created_at.replace(microsecond=0) + __import__("datetime").timedelta(hours=3, minutes=1)
    )
    client.force_login(agent)
    page = client.get(reverse("tickets:work", args=[ticket.number])).content.decode()
    assert "Overdue by 3\xa0hours" in page


def test_agent_downloads_note_attachment_that_the_requester_cannot(client, agent, end_user, ticket):
    note = services.add_note(
        ticket, author=agent, body="log", attachments=[upload("server.log", b"secret log", "text/plain")]
    )
    item = note.attachments.get()
    client.force_login(agent)
    response = client.get(reverse("tickets:work_attachment", args=[ticket.number, item.pk]))
    assert b"".join(response.streaming_content) == b"secret log"
    client.force_login(end_user)
    assert client.get(reverse("tickets:work_attachment", args=[ticket.number, item.pk])).status_code == 403
    assert client.get(reverse("tickets:attachment", args=[ticket.number, item.pk])).status_code == 404


def test_no_internal_note_text_in_any_requester_page_or_mail(
    client, agent, end_user, ticket, mailoutbox, django_capture_on_commit_callbacks
):
    secret = "NOTE-ONLY-7f3a"
    with django_capture_on_commit_callbacks(execute=True):
        services.add_note(ticket, author=agent, body=secret)
        services.reply(ticket, author=agent, body="Public reply")
        services.change_status(ticket, to=Status.RESOLVED, by=agent)
    client.force_login(end_user)
    pages = [client.get(url).content.decode() for url in (ticket.get_absolute_url(), reverse("tickets:mine"))]
    mails = [m.body + "".join(a[0] for a in m.alternatives) for m in mailoutbox]
    assert mails and all(secret not in text for text in pages + mails)


def test_work_page_queries_do_not_grow_with_the_thread_or_the_history(client, agent, ticket, end_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(agent)
    url = reverse("tickets:work", args=[ticket.number])
    client.get(url)
    with CaptureQueriesContext(connection) as short:
        client.get(url)
    for i in range(4):
        services.add_message(ticket, author=end_user, body=f"More {i}", attachments=[upload(f"shot{i}.png")])
        log = upload(f"log{i}.txt", b"x", "text/plain")
        services.add_note(ticket, author=agent, body=f"Note {i}", attachments=[log])
        services.change_status(ticket, to=Status.PENDING if i % 2 == 0 else Status.OPEN, by=agent)
    with CaptureQueriesContext(connection) as long:
        page = client.get(url).content.decode()
    assert "Note 3" in page and "log3.txt" in page
    assert len(long.captured_queries) == len(short.captured_queries)


def test_reply_form_remembers_the_newest_entry_shown_for_the_collision_check(client, agent, ticket):
    note = services.add_note(ticket, author=agent, body="Newest")
    client.force_login(agent)
    page = client.get(reverse("tickets:work", args=[ticket.number])).content.decode()
    assert f'name="last_seen" value="{note.pk}"' in page


def test_opening_the_page_again_keeps_one_presence_row_with_the_latest_time(client, agent, ticket, time_machine):
    from tickets.models import TicketViewing

    client.force_login(agent)
    url = reverse("tickets:work", args=[ticket.number])
    client.get(url)
    first = TicketViewing.objects.get(ticket=ticket, agent=agent).seen_at
    time_machine.move_to(first + __import__("datetime").timedelta(minutes=2))
    client.get(url)
    assert TicketViewing.objects.get(ticket=ticket, agent=agent).seen_at > first
