"""The work page's actions, each through the browser's form post, and their bad inputs."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tickets import services
from tickets.models import CannedResponse, EntryKind, EventKind, Priority, Status, ThreadEntry

from ..conftest import DepartmentFactory, SLAFactory, make_agent
from .conftest import upload


def act(client, ticket, action, data=None, **extra):
    return client.post(reverse("tickets:act", args=[ticket.number, action]), data or {}, **extra)


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


def test_agent_claims_a_ticket(signed_in, ticket, agent):
    response = act(signed_in, ticket, "claim", follow=True)
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    assert "You now own this ticket." in response.content.decode()
    assert ticket.events.filter(kind=EventKind.ASSIGNEE, new_value=str(agent), actor=agent).exists()


def test_assigning_another_agent_emails_them(
    signed_in, ticket, department, mailoutbox, django_capture_on_commit_callbacks
):
    colleague = make_agent(department, email="colleague@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        act(signed_in, ticket, "assign", {"agent": colleague.pk})
    ticket.refresh_from_db()
    assert ticket.assignee == colleague
    assert [m.to for m in mailoutbox] == [["colleague@example.com"]]
    assert f"[#{ticket.number}]" in mailoutbox[0].subject
    assert reverse("tickets:work", args=[ticket.number]) in mailoutbox[0].body


def test_assigning_an_agent_of_another_department_is_refused(signed_in, ticket, other_agent):
    response = act(signed_in, ticket, "assign", {"agent": other_agent.pk})
    assert response.status_code == 422
    assert "Choose an agent of IT Support." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_service_refuses_an_assignee_outside_the_department(ticket, other_agent, agent):
    with pytest.raises(services.ChangeRefused):
        services.assign(ticket, agent=other_agent, by=agent)


def test_transfer_moves_the_ticket_and_releases_an_assignee_who_cannot_follow(signed_in, ticket, agent):
    services.assign(ticket, agent=agent, by=agent)
    network = DepartmentFactory(name="Network")
    act(signed_in, ticket, "transfer", {"department": network.pk})
    ticket.refresh_from_db()
    assert (ticket.department, ticket.assignee) == (network, None)
    assert ticket.events.filter(kind=EventKind.DEPARTMENT, old_value="IT Support", new_value="Network").exists()


def test_set_priority(signed_in, ticket):
    act(signed_in, ticket, "priority", {"priority": Priority.EMERGENCY})
    ticket.refresh_from_db()
    assert ticket.priority == Priority.EMERGENCY
    assert ticket.events.filter(kind=EventKind.PRIORITY, old_value="Normal", new_value="Emergency").exists()


def test_unknown_priority_is_refused(signed_in, ticket):
    response = act(signed_in, ticket, "priority", {"priority": 99})
    assert response.status_code == 422 and "Select a valid choice." in response.content.decode()


def test_attaching_an_sla_sets_due_dates_from_the_opening(signed_in, ticket):
    sla = SLAFactory(name="Fast", first_response_hours=1, resolution_hours=4)
    act(signed_in, ticket, "sla", {"sla": sla.pk})
    ticket.refresh_from_db()
    assert ticket.sla == sla
    assert ticket.due_at == ticket.created_at + timedelta(hours=4)
    assert ticket.first_response_due_at == ticket.created_at + timedelta(hours=1)
    assert ticket.events.filter(kind=EventKind.SLA, new_value="Fast").exists()


def test_due_date_override_holds_until_the_sla_changes(signed_in, ticket):
    due = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    act(signed_in, ticket, "due", {"due_at": due.strftime("%Y-%m-%dT%H:%M"), "reason": "Waiting for a part"})
    ticket.refresh_from_db()
    assert ticket.due_at == due and ticket.due_is_manual
    assert ticket.events.filter(kind=EventKind.DUE, detail="Waiting for a part").exists()
    act(signed_in, ticket, "sla", {"sla": SLAFactory(resolution_hours=8).pk})
    ticket.refresh_from_db()
    assert not ticket.due_is_manual and ticket.due_at == ticket.created_at + timedelta(hours=8)


@pytest.mark.parametrize(
    ("value", "message"),
    [("2001-01-01T10:00", "The due date must be in the future."), ("next tuesday", "Enter a date and time")],
)
def test_bad_due_dates_are_refused(signed_in, ticket, value, message):
    response = act(signed_in, ticket, "due", {"due_at": value, "reason": "x"})
    assert response.status_code == 422 and message in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.due_at is None


def test_status_follows_the_state_machine(signed_in, ticket):
    act(signed_in, ticket, "status", {"status": Status.PENDING})
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    act(signed_in, ticket, "status", {"status": Status.CLOSED})
    response = act(signed_in, ticket, "status", {"status": Status.PENDING})
    assert response.status_code == 422
    assert "A closed ticket can&#x27;t become pending." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


def test_reply_reaches_the_requester_by_mail(
    signed_in, ticket, end_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        act(signed_in, ticket, "reply", {"message": "Please restart.", "key": uuid.uuid4()})
    entry = ticket.entries.get(kind=EntryKind.RESPONSE)
    assert entry.body == "Please restart."
    ticket.refresh_from_db()
    assert ticket.first_responded_at == entry.created_at
    assert [m.to for m in mailoutbox] == [[end_user.email]]
    assert "Please restart." in mailoutbox[0].body


def test_reply_and_resolve_in_one_step(signed_in, ticket):
    act(signed_in, ticket, "reply", {"message": "Fixed it.", "resolve": "on", "key": uuid.uuid4()})
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.resolved_at


def test_reply_with_attachment(signed_in, ticket):
    act(
        signed_in,
        ticket,
        "reply",
        {"message": "See the guide.", "attachments": [upload("guide.pdf", b"%PDF-1.4", "application/pdf")]},
    )
    assert ticket.entries.get(kind=EntryKind.RESPONSE).attachments.get().filename == "guide.pdf"


def test_empty_reply_is_refused(signed_in, ticket):
    response = act(signed_in, ticket, "reply", {"message": "   "})
    assert response.status_code == 422 and "Write something first." in response.content.decode()
    assert not ticket.entries.filter(kind=EntryKind.RESPONSE).exists()


def test_double_click_on_reply_makes_one_entry(signed_in, ticket, mailoutbox, django_capture_on_commit_callbacks):
    data = {"message": "Only once", "key": uuid.uuid4()}
    with django_capture_on_commit_callbacks(execute=True):
        act(signed_in, ticket, "reply", data)
        act(signed_in, ticket, "reply", data)
    assert ticket.entries.filter(kind=EntryKind.RESPONSE).count() == 1
    assert len(mailoutbox) == 1


def test_canned_response_fills_an_empty_reply_without_javascript(signed_in, ticket, department):
    canned = CannedResponse.objects.create(
        title="Restart", body="Have you tried turning it off and on again?", department=department
    )
    act(signed_in, ticket, "reply", {"canned": canned.pk, "message": "", "key": uuid.uuid4()})
    assert ticket.entries.get(kind=EntryKind.RESPONSE).body == canned.body


def test_canned_responses_of_other_departments_are_not_offered(signed_in, ticket, other_department):
    CannedResponse.objects.create(title="Global answer", body="g")
    CannedResponse.objects.create(title="Accounts answer", body="a", department=other_department)
    page = signed_in.get(reverse("tickets:work", args=[ticket.number])).content.decode()
    assert "Global answer" in page and "Accounts answer" not in page


def test_a_reply_against_a_stale_page_asks_to_confirm(signed_in, ticket, end_user, agent):
    seen = ticket.entries.latest("pk").pk
    services.add_message(ticket, author=end_user, body="Actually it works now!")
    data = {"message": "Try restarting", "last_seen": seen, "key": uuid.uuid4()}

    held = act(signed_in, ticket, "reply", data)
    assert held.status_code == 422
    page = held.content.decode()
    assert "wrote on this ticket since you opened it" in page and "Send anyway" in page and "Try restarting" in page
    assert not ticket.entries.filter(kind=EntryKind.RESPONSE).exists()

    act(signed_in, ticket, "reply", {**data, "confirm": "on"})
    assert ticket.entries.filter(kind=EntryKind.RESPONSE).count() == 1


def test_internal_note_never_emails_the_requester(signed_in, ticket, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        act(signed_in, ticket, "note", {"message": "Requester is on leave", "key": uuid.uuid4()})
    assert ticket.entries.get(kind=EntryKind.NOTE).body == "Requester is on leave"
    assert mailoutbox == []


def test_actions_need_post(signed_in, ticket):
    assert signed_in.get(reverse("tickets:act", args=[ticket.number, "claim"])).status_code == 405


def test_unknown_action_is_404(signed_in, ticket):
    assert act(signed_in, ticket, "delete").status_code == 404


def test_end_user_posting_an_agent_action_gets_403(client, end_user, ticket):
    client.force_login(end_user)
    for action in ["claim", "status", "reply", "note"]:
        assert act(client, ticket, action, {"status": "closed", "message": "x"}).status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.entries.count() == 1


def test_agent_of_another_department_gets_404_and_nothing_changes(client, other_agent, ticket):
    client.force_login(other_agent)
    assert client.get(reverse("tickets:work", args=[ticket.number])).status_code == 404
    assert act(client, ticket, "priority", {"priority": Priority.LOW}).status_code == 404
    ticket.refresh_from_db()
    assert ticket.priority == Priority.NORMAL
    assert ThreadEntry.objects.count() == 1


def test_htmx_action_returns_the_work_partial(signed_in, ticket):
    response = act(signed_in, ticket, "priority", {"priority": Priority.HIGH}, HTTP_HX_REQUEST="true", follow=True)
    html = response.content.decode()
    assert 'id="ticket-work"' in html and "<html" not in html
    assert "Priority set to High." in html


def test_reply_and_resolve_on_a_closed_ticket_sends_nothing(
    signed_in, ticket, agent, mailoutbox, django_capture_on_commit_callbacks
):
    services.change_status(ticket, to=Status.CLOSED, by=agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = act(signed_in, ticket, "reply", {"message": "Done", "resolve": "on", "key": uuid.uuid4()})
    assert response.status_code == 422
    assert "A closed ticket can&#x27;t become resolved." in response.content.decode()
    assert not ticket.entries.filter(kind=EntryKind.RESPONSE).exists() and mailoutbox == []
