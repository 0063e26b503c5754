"""Signed, expiring feedback links: one per resolution, usable without signing in."""

from datetime import UTC, datetime

from django.conf import settings
from django.core import signing

from .models import Ticket

SALT = "tickets.feedback-link"


class LinkInvalid(Exception):
    """Forged, changed, or about a resolution that no longer exists."""


class LinkExpired(Exception):
    pass


def make_token(ticket: Ticket) -> str:
    return signing.dumps({"t": ticket.pk, "r": ticket.resolved_at.timestamp()}, salt=SALT, compress=True)


def resolution_from_token(token: str) -> tuple[Ticket, datetime]:
    """The ticket and the resolution a token is about."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.FEEDBACK_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise LinkInvalid from None
    ticket = Ticket.objects.filter(pk=data.get("t")).select_related("requester").first()
    if ticket is None:
        raise LinkInvalid
    return ticket, datetime.fromtimestamp(data["r"], tz=UTC)
