import pytest
from django.urls import reverse

from tickets.models import Event, Ticket


@pytest.mark.parametrize(
    "model",
    [
        "tickets/department",
        "tickets/team",
        "tickets/helptopic",
        "tickets/routingrule",
        "tickets/ticket",
        "tickets/event",
        "tickets/attachment",
        "sla/sla",
        "accounts/user",
        "accounts/agentprofile",
    ],
)
def test_admin_lists_every_configurable_model(client, admin_user, ticket, model):
    client.force_login(admin_user)
    response = client.get(f"/admin/{model}/")
    assert response.status_code == 200


def test_admin_creates_a_help_topic_that_appears_in_the_portal(client, admin_user, department):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:tickets_helptopic_add"),
        {
            "name": "Phone setup",
            "is_public": "on",
            "is_active": "on",
            "department": department.pk,
            "default_priority": 3,
            "instructions": "Which phone model?",
            "sort_order": 0,
        },
    )
    assert response.status_code == 302
    client.logout()
    page = client.get(reverse("tickets:new")).content.decode()
    assert "Phone setup" in page and "Which phone model?" in page


def test_tickets_and_events_cannot_be_edited_or_deleted_in_admin(client, admin_user, ticket):
    client.force_login(admin_user)
    change = client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content.decode()
    assert 'name="_save"' not in change
    assert client.post(reverse("admin:tickets_ticket_delete", args=[ticket.pk]), {"post": "yes"}).status_code == 403
    event = Event.objects.filter(ticket=ticket).first()
    assert client.post(reverse("admin:tickets_event_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert Ticket.objects.filter(pk=ticket.pk).exists()
