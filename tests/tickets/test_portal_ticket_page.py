import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tickets import guest, services
from tickets.models import Status, Ticket
from tickets.views.portal import MY_TICKETS_PER_PAGE

from ..conftest import UserFactory
from .conftest import upload


def test_my_tickets_lists_own_tickets_open_first(client, end_user, other_end_user, topic):
    done = services.open_ticket(requester=end_user, topic=topic, subject="Old finished problem", body="x")
    services.change_status(done, to=Status.CLOSED, by=end_user)
    services.open_ticket(requester=end_user, topic=topic, subject="Current problem", body="x")
    services.open_ticket(requester=other_end_user, topic=topic, subject="Someone else's problem", body="x")
    client.force_login(end_user)

    page = client.get(reverse("tickets:mine")).content.decode()

    assert page.index("Current problem") < page.index("Old finished problem")
    assert "Someone else" not in page


def test_my_tickets_needs_sign_in(client):
    response = client.get(reverse("tickets:mine"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_requester_sees_thread_but_never_internal_notes(client, end_user, ticket, agent):
    services.reply(ticket, author=agent, body="Please restart it.")
    services.add_note(ticket, author=agent, body="SECRET: user broke it again")
    client.force_login(end_user)

    page = client.get(ticket.get_absolute_url()).content.decode()

    assert "Takes ages to boot." in page and "Please restart it." in page
    assert "SECRET" not in page and "Internal note" not in page


def test_another_users_ticket_is_404(client, other_end_user, ticket):
    client.force_login(other_end_user)
    assert client.get(ticket.get_absolute_url()).status_code == 404
    assert client.post(reverse("tickets:reply", args=[ticket.number]), {"message": "hi"}).status_code == 404
    assert client.post(reverse("tickets:close", args=[ticket.number])).status_code == 404


def test_guest_without_a_link_gets_404(client, ticket):
    assert client.get(ticket.get_absolute_url()).status_code == 404


def test_reply_adds_a_message_with_attachment(client, end_user, ticket):
    client.force_login(end_user)
    response = client.post(
        reverse("tickets:reply", args=[ticket.number]),
        {"message": "Still slow.", "attachments": [upload("log.txt", b"boot log", "text/plain")]},
    )
    assert response.status_code == 302
    entry = ticket.entries.last()
    assert (entry.kind, entry.body, entry.author) == ("message", "Still slow.", end_user)
    assert entry.attachments.get().filename == "log.txt"


def test_empty_reply_is_refused(client, end_user, ticket):
    client.force_login(end_user)
    response = client.post(reverse("tickets:reply", args=[ticket.number]), {"message": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert ticket.entries.count() == 1


def test_reply_reopens_a_resolved_ticket(client, end_user, ticket, agent):
    services.change_status(ticket, to=Status.RESOLVED, by=agent)
    client.force_login(end_user)
    client.post(reverse("tickets:reply", args=[ticket.number]), {"message": "It came back."})
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.resolved_at is None
    assert ticket.events.filter(kind="status", detail="reopened by reply").exists()


def test_reply_to_a_closed_ticket_opens_a_new_linked_ticket(client, end_user, ticket):
    services.change_status(ticket, to=Status.CLOSED, by=end_user)
    client.force_login(end_user)
    response = client.post(reverse("tickets:reply", args=[ticket.number]), {"message": "It is back"}, follow=True)
    follow_up = Ticket.objects.get(follow_up_of=ticket)
    assert f"opened a new ticket #{follow_up.number}" in response.content.decode()
    assert follow_up.entries.get().body == "It is back" and ticket.entries.count() == 1
    assert ticket.events.filter(kind="follow_up", new_value=f"#{follow_up.number}").exists()


def test_requester_closes_own_ticket(client, end_user, ticket):
    client.force_login(end_user)
    response = client.post(reverse("tickets:close", args=[ticket.number]), follow=True)
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.closed_at
    assert "Your ticket is closed." in response.content.decode()
    assert ticket.events.filter(kind="status", new_value="Closed", actor=end_user).exists()


def test_close_needs_post(client, end_user, ticket):
    client.force_login(end_user)
    assert client.get(reverse("tickets:close", args=[ticket.number])).status_code == 405


def test_attachment_downloads_for_requester_only(client, end_user, other_end_user, ticket):
    entry = services.add_message(
        ticket, author=end_user, body="see file", attachments=[upload("notes.txt", b"my notes", "text/plain")]
    )
    url = entry.attachments.get().get_absolute_url()
    client.force_login(end_user)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"my notes"
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(other_end_user)
    assert client.get(url).status_code == 404


def test_html_attachment_is_downloaded_never_shown_inline(client, end_user, ticket, settings):
    settings.ATTACHMENT_ALLOWED_EXTENSIONS = {"html"}
    entry = services.add_message(
        ticket, author=end_user, body="x", attachments=[upload("page.html", b"<script>1</script>", "text/html")]
    )
    client.force_login(end_user)
    response = client.get(entry.attachments.get().get_absolute_url())
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


def test_internal_note_attachment_is_404_for_the_requester(client, end_user, ticket, agent):
    note = services.add_note(
        ticket, author=agent, body="internal", attachments=[upload("secret.txt", b"secret", "text/plain")]
    )
    client.force_login(end_user)
    assert client.get(note.attachments.get().get_absolute_url()).status_code == 404


def test_check_status_gives_the_same_answer_whether_or_not_the_pair_matches(
    client, ticket, end_user, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("tickets:check_status")
    with django_capture_on_commit_callbacks(execute=True):
        good = client.post(url, {"email": end_user.email.upper(), "number": ticket.number})
        wrong_email = client.post(url, {"email": "stranger@example.com", "number": ticket.number})
        wrong_number = client.post(url, {"email": end_user.email, "number": "12345678"})

    def body(r):
        text = re.sub(r"[A-Za-z0-9]{64}", "CSRF", r.content.decode())  # the masked token differs per page
        for email in (end_user.email.upper(), end_user.email, "stranger@example.com"):
            text = text.replace(email, "EMAIL")
        return text

    assert body(good) == body(wrong_email) == body(wrong_number)
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [end_user.email]


def test_guest_link_opens_only_its_ticket(client, end_user, ticket, topic):
    other = services.open_ticket(requester=UserFactory(), topic=topic, subject="Other", body="x")
    response = client.get(reverse("tickets:guest_access", args=[guest.make_token(ticket)]), follow=True)
    assert response.status_code == 200 and ticket.subject in response.content.decode()
    assert client.get(other.get_absolute_url()).status_code == 404


def test_guest_can_reply_through_the_link(client, end_user, ticket):
    client.get(reverse("tickets:guest_access", args=[guest.make_token(ticket)]))
    client.post(reverse("tickets:reply", args=[ticket.number]), {"message": "Guest reply"})
    assert ticket.entries.last().body == "Guest reply"
    assert ticket.entries.last().author == end_user


def test_forged_or_expired_guest_link_is_refused(client, ticket, settings, time_machine):
    token = guest.make_token(ticket)
    forged = client.get(reverse("tickets:guest_access", args=[token[:-2] + "xx"]))
    assert forged.status_code == 400 and "This link is not valid" in forged.content.decode()
    time_machine.move_to("2099-01-01")
    expired = client.get(reverse("tickets:guest_access", args=[token]))
    assert expired.status_code == 400


def test_guest_who_signs_up_later_claims_tickets_through_password_reset(client, topic, mailoutbox):
    guest_user = UserFactory(email="gina@example.com", password=None)
    guest_user.set_unusable_password()
    guest_user.save()
    ticket = services.open_ticket(requester=guest_user, topic=topic, subject="Guest ticket", body="x")

    client.post(reverse("accounts:password_reset"), {"email": "gina@example.com"})
    assert len(mailoutbox) == 1
    link = next(w for w in mailoutbox[0].body.split() if "/accounts/password/reset/" in w)
    set_page = client.get(link, follow=True)
    client.post(
        set_page.request["PATH_INFO"], {"new_password1": "a-strong-pass-123", "new_password2": "a-strong-pass-123"}
    )
    client.post(reverse("accounts:login"), {"username": "gina@example.com", "password": "a-strong-pass-123"})

    assert "Guest ticket" in client.get(reverse("tickets:mine")).content.decode()
    assert Ticket.objects.get(pk=ticket.pk).requester == guest_user


def test_guest_signing_up_gets_a_link_to_claim_the_account_not_the_account(client, topic, mailoutbox):
    guest_user = UserFactory(email="gina@example.com", password=None)
    guest_user.set_unusable_password()
    guest_user.save()
    services.open_ticket(requester=guest_user, topic=topic, subject="Guest ticket", body="x")

    response = client.post(
        reverse("accounts:signup"),
        {
            "full_name": "Gina",
            "email": "Gina@example.com",
            "password1": "a-strong-pass-123",
            "password2": "a-strong-pass-123",
        },
    )

    assert "We've e-mailed a link" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert "Guest ticket" not in client.get(reverse("tickets:mine")).content.decode()
    guest_user.refresh_from_db()
    assert not guest_user.has_usable_password()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["gina@example.com"]
    assert "/accounts/password/reset/" in mailoutbox[0].body


def test_my_tickets_is_paginated_with_open_tickets_first(client, end_user, topic, agent):
    done = services.open_ticket(requester=end_user, topic=topic, subject="Finished long ago", body="x", notify=False)
    services.change_status(done, to=Status.CLOSED, by=agent)
    for i in range(MY_TICKETS_PER_PAGE):
        services.open_ticket(requester=end_user, topic=topic, subject=f"Open {i}", body="x", notify=False)
    client.force_login(end_user)
    first = client.get(reverse("tickets:mine")).content.decode()
    second = client.get(reverse("tickets:mine") + "?page=2").content.decode()
    assert "Finished long ago" not in first and "Page 1 of 2" in first
    assert "Finished long ago" in second


def _open_many(end_user, topic, count, start=0):
    for i in range(start, start + count):
        services.open_ticket(requester=end_user, topic=topic, subject=f"Problem {i}", body="x", notify=False)


@pytest.mark.parametrize("count", [1, 24, 25])
def test_my_tickets_on_one_page_shows_them_all_without_page_links(client, end_user, topic, count):
    _open_many(end_user, topic, count)
    client.force_login(end_user)
    page = client.get(reverse("tickets:mine")).content.decode()
    assert page.count("<tr>") == count + 1  # the header row and one per ticket
    assert 'aria-label="Pages"' not in page


def test_my_tickets_queries_do_not_grow_with_the_number_of_tickets(client, end_user, topic):
    _open_many(end_user, topic, 30)
    client.force_login(end_user)
    url = reverse("tickets:mine")
    client.get(url)
    with CaptureQueriesContext(connection) as fewer:
        client.get(url)
    _open_many(end_user, topic, 40, start=30)
    with CaptureQueriesContext(connection) as more:
        page = client.get(url).content.decode()
    assert "Page 1 of 3" in page
    assert len(more.captured_queries) == len(fewer.captured_queries)


def test_my_tickets_reads_a_full_first_page_once_and_counts_once(client, end_user, topic):
    _open_many(end_user, topic, 3)
    client.force_login(end_user)
    url = reverse("tickets:mine")
    client.get(url)
    with CaptureQueriesContext(connection) as short:
        client.get(url)
    _open_many(end_user, topic, 30, start=3)
    with CaptureQueriesContext(connection) as long:
        client.get(url)
    ticket_reads = [q["sql"] for q in long.captured_queries if 'FROM "tickets_ticket"' in q["sql"]]
    assert len(long.captured_queries) == len(short.captured_queries) + 1
    assert sum("COUNT(*)" in sql for sql in ticket_reads) == 1 and len(ticket_reads) == 2
