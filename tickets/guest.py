"""Signed, expiring sign-in links that open one ticket for a requester without a password."""

from django.conf import settings
from django.core import signing

from .models import Ticket

SALT = "tickets.guest-link"
SESSION_KEY = "guest_ticket_ids"


def make_token(ticket: Ticket) -> str:
    return signing.dumps({"t": ticket.pk, "u": ticket.requester_id}, salt=SALT, compress=True)


def ticket_from_token(token: str) -> Ticket | None:
    """The ticket a valid, unexpired token opens; None for anything forged, expired or stale."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.GUEST_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    return Ticket.objects.filter(pk=data.get("t"), requester_id=data.get("u")).first()


def grant(session, ticket: Ticket) -> None:
    ids = set(session.get(SESSION_KEY, []))
    ids.add(ticket.pk)
    session[SESSION_KEY] = sorted(ids)


def granted_ids(session) -> list[int]:
    return list(session.get(SESSION_KEY, []))
