from io import StringIO

from django.core.management import call_command

from accounts.models import User
from sla.models import SLA
from tickets.models import Department, Event, HelpTopic, Notification, Status, ThreadEntry, Ticket


def counts():
    return [m.objects.count() for m in (User, SLA, Department, HelpTopic, Ticket, ThreadEntry, Event)]


def test_seed_demo_creates_a_ready_help_desk_with_tickets_in_every_state(db, mailoutbox):
    call_command("seed_demo", stdout=StringIO())
    assert Department.objects.filter(name__in=["IT Support", "Network", "Accounts"]).count() == 3
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Status.values)
    assert User.objects.get(email="admin@frontdesk.local").is_superuser
    assert User.objects.get(email="alice@frontdesk.local").is_agent
    assert not User.objects.get(email="erin@example.com").is_agent
    assert HelpTopic.objects.offered().count() >= 3
    assert mailoutbox == []
    assert not Notification.objects.exists()


def test_seed_demo_twice_creates_nothing_twice(db):
    call_command("seed_demo", stdout=StringIO())
    first = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == first


def test_demo_logins_work(client, db):
    call_command("seed_demo", stdout=StringIO())
    response = client.post("/accounts/login/", {"username": "alice@frontdesk.local", "password": "frontdesk-demo"})
    assert response.status_code == 302
    assert client.get("/desk/").status_code == 200
