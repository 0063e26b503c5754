"""Thin Celery tasks: take ids, load rows, send. Enqueued only after the transaction commits."""

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from accounts.models import User

from .guest import make_token
from .models import ThreadEntry, Ticket
from .notifications import send_templated

RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


def _link(path: str) -> str:
    return settings.SITE_URL + path


@shared_task(**RETRY)
def notify_ticket_opened(ticket_id: int) -> None:
    ticket = Ticket.objects.select_related("requester", "department").get(pk=ticket_id)
    # A guest has no password to sign in with, so its copy carries a signed link instead.
    if ticket.requester.has_usable_password():
        link = _link(ticket.get_absolute_url())
    else:
        link = _link(reverse("tickets:guest_access", args=[make_token(ticket)]))
    send_templated("ticket_opened", to=[ticket.requester.email], context={"ticket": ticket, "link": link})


@shared_task(**RETRY)
def notify_response(entry_id: int) -> None:
    entry = ThreadEntry.objects.public().select_related("ticket__requester", "author").get(pk=entry_id)
    ticket = entry.ticket
    send_templated(
        "response",
        to=[ticket.requester.email],
        context={"ticket": ticket, "entry": entry, "link": _link(ticket.get_absolute_url())},
    )


@shared_task(**RETRY)
def send_guest_link(ticket_id: int) -> None:
    ticket = Ticket.objects.select_related("requester").get(pk=ticket_id)
    link = _link(reverse("tickets:guest_access", args=[make_token(ticket)]))
    send_templated("guest_link", to=[ticket.requester.email], context={"ticket": ticket, "link": link})


@shared_task(**RETRY)
def notify_assignment(ticket_id: int, agent_id: int) -> None:
    ticket = Ticket.objects.select_related("requester", "department").get(pk=ticket_id)
    agent = User.objects.get(pk=agent_id)
    link = _link(reverse("tickets:work", args=[ticket.number]))
    send_templated("assigned", to=[agent.email], context={"ticket": ticket, "agent": agent, "link": link})


@shared_task(**RETRY)
def notify_overdue(ticket_id: int) -> None:
    """Tell the assignee, or the department's manager and agents when nobody is assigned."""
    ticket = Ticket.objects.select_related("assignee", "department__manager").get(pk=ticket_id)
    if ticket.assignee:
        recipients = {ticket.assignee.email}
    else:
        department = ticket.department
        recipients = {u.email for u in User.objects.filter(agent_profile__departments=department, is_active=True)}
        if department.manager:
            recipients.add(department.manager.email)
    if recipients:
        link = _link(reverse("tickets:work", args=[ticket.number]))
        send_templated("overdue", to=sorted(recipients), context={"ticket": ticket, "link": link})


@shared_task
def sweep_overdue() -> int:
    """Run by beat every minute (settings.CELERY_BEAT_SCHEDULE)."""
    from .services import sweep_overdue as sweep  # services imports this module

    return sweep()
