"""Resolution: the e-mail with its feedback link, the one-page rating, reopening, auto-close."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tickets import feedback, outbox, services
from tickets.models import EventKind, Feedback, Notification, Status, Ticket


@pytest.fixture
def resolved(ticket, agent, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(ticket, author=agent, body="Replaced the disk.", notify=False)
        services.change_status(ticket, to=Status.RESOLVED, by=agent)
    ticket.refresh_from_db()
    return ticket


def feedback_link(mailoutbox):
    mail = next(m for m in mailoutbox if "Resolved" in m.subject)
    return re.search(r"http\S+/feedback/\S+/", mail.body).group(0).removeprefix("http://127.0.0.1:8000")


def test_resolving_emails_the_requester_a_feedback_link(resolved, end_user, mailoutbox):
    mail = next(m for m in mailoutbox if "Resolved" in m.subject)
    assert mail.to == [end_user.email] and f"[#{resolved.number}]" in mail.subject
    assert "/feedback/" in mail.body and "/feedback/" in mail.alternatives[0][0]


def test_requester_rates_without_signing_in_and_the_agent_sees_it(client, resolved, agent, mailoutbox):
    link = feedback_link(mailoutbox)
    assert "How did we do?" in client.get(link).content.decode()
    response = client.post(link, {"rating": "5", "comment": "Quick & friendly <b>thanks</b>"}, follow=True)
    assert "Thank you!" in response.content.decode()
    saved = Feedback.objects.get()
    assert (saved.ticket, saved.rating, saved.resolved_at) == (resolved, 5, resolved.resolved_at)
    client.force_login(agent)
    page = client.get(reverse("tickets:work", args=[resolved.number])).content.decode()
    assert "5/5" in page and "Quick &amp; friendly &lt;b&gt;thanks&lt;/b&gt;" in page


def test_a_feedback_link_used_twice_records_nothing_twice(client, resolved, mailoutbox):
    link = feedback_link(mailoutbox)
    client.post(link, {"rating": "4"})
    again = client.post(link, {"rating": "1", "comment": "changed my mind"})
    assert "We already have your feedback" in again.content.decode()
    assert list(Feedback.objects.values_list("rating", flat=True)) == [4]
    assert resolved.events.filter(kind=EventKind.FEEDBACK).count() == 1


def test_forged_and_expired_feedback_links_get_a_clear_page(client, resolved, time_machine, settings):
    token = feedback.make_token(resolved)
    forged = client.get(reverse("tickets:feedback", args=[token[:-3] + "abc"]))
    assert forged.status_code == 400 and "not valid" in forged.content.decode()
    time_machine.move_to(timezone.now() + timedelta(seconds=settings.FEEDBACK_LINK_MAX_AGE + 60))
    expired = client.get(reverse("tickets:feedback", args=[token]))
    assert expired.status_code == 410 and "has expired" in expired.content.decode()
    assert Feedback.objects.count() == 0


def test_a_bad_rating_is_refused(client, resolved, mailoutbox):
    response = client.post(feedback_link(mailoutbox), {"rating": "9"})
    assert "Choose a rating from 1 to 5." in response.content.decode()
    assert Feedback.objects.count() == 0


def test_each_resolution_gets_its_own_feedback(
    client, resolved, agent, end_user, mailoutbox, django_capture_on_commit_callbacks
):
    client.post(feedback_link(mailoutbox), {"rating": "2"})
    services.add_message(resolved, author=end_user, body="Still broken")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(resolved, to=Status.RESOLVED, by=agent)
    client.post(feedback_link(mailoutbox), {"rating": "5"})
    assert sorted(Feedback.objects.values_list("rating", flat=True)) == [2, 5]


def test_reply_after_the_reopen_window_opens_a_linked_ticket(resolved, end_user, time_machine, settings):
    time_machine.move_to(resolved.resolved_at + timedelta(days=settings.REOPEN_WINDOW_DAYS, minutes=1))
    entry = services.add_message(resolved, author=end_user, body="Broken again")
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED
    assert entry.ticket.follow_up_of == resolved and entry.ticket.status == Status.OPEN


def test_reply_within_the_window_reopens(resolved, end_user, time_machine, settings):
    time_machine.move_to(resolved.resolved_at + timedelta(days=settings.REOPEN_WINDOW_DAYS - 1))
    entry = services.add_message(resolved, author=end_user, body="Broken again")
    resolved.refresh_from_db()
    assert entry.ticket == resolved and resolved.status == Status.OPEN


def test_auto_close_closes_old_resolved_tickets_once_with_an_event(resolved, ticket, settings):
    assert services.auto_close() == 0
    later = resolved.resolved_at + timedelta(days=settings.AUTO_CLOSE_DAYS, minutes=1)
    assert services.auto_close(now=later) == 1
    assert services.auto_close(now=later) == 0
    resolved.refresh_from_db()
    assert resolved.status == Status.CLOSED and resolved.closed_at == later
    assert resolved.events.filter(kind=EventKind.STATUS, detail="closed automatically").count() == 1


def test_agents_choose_which_alerts_they_get(client, agent, end_user, topic):
    client.force_login(agent)
    client.post(reverse("accounts:alerts"), {"alert_assigned": "on", "alert_message": "on", "alert_overdue": "on"})
    agent.agent_profile.refresh_from_db()
    assert not agent.agent_profile.alert_new_ticket
    ticket = services.open_ticket(requester=end_user, topic=topic, subject="Quiet", body="x")
    assert not Notification.objects.filter(ticket=ticket, kind="new_ticket_alert").exists()
    assert outbox.agent_recipients("overdue", ticket) == [agent.email]


def test_end_users_have_no_alert_preferences(client, end_user):
    client.force_login(end_user)
    assert client.get(reverse("accounts:alerts")).status_code == 403


def test_no_internal_note_in_the_resolution_mail(ticket, agent, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.add_note(ticket, author=agent, body="NOTE-7781")
        services.change_status(ticket, to=Status.RESOLVED, by=agent)
    assert mailoutbox and all("NOTE-7781" not in m.body + m.alternatives[0][0] for m in mailoutbox)
    assert Ticket.objects.get(pk=ticket.pk).status == Status.RESOLVED
