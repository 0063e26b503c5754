"""The notification outbox: every e-mail is a row first, delivered by workers after commit.

`notify()` is called by the services inside their transaction; `deliver()` is what the
Celery task runs; `retry_due()` is the periodic safety net. Delivery claims the row with a
conditional UPDATE, so two workers, a retried task or a resend never send one row twice.
"""

from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User

from . import feedback
from .guest import make_token
from .models import Notification, ThreadEntry, Ticket
from .notifications import send_templated

MAX_ATTEMPTS = 6
# A row claimed this long ago whose worker never finished (it died) is sent again.
STALE_CLAIM = timedelta(minutes=10)

# E-mails to the requester: they link to the portal and never carry an internal note.
REQUESTER_KINDS = {"ticket_opened", "response", "guest_link", "resolved"}
# Written by a person, so not marked as automatic mail.
PERSONAL_KINDS = {"response"}


def notify(
    kind: str,
    *,
    ticket: Ticket,
    to: Iterable[str],
    entry: ThreadEntry | None = None,
    user: User | None = None,
) -> Notification | None:
    """Queue one e-mail; it is sent once the surrounding transaction commits."""
    if kind in REQUESTER_KINDS and entry is not None and not entry.is_public:
        raise ValueError("An internal note can never be sent to the requester.")
    recipients = sorted({address for address in to if address})
    if not recipients:
        return None
    row = Notification.objects.create(kind=kind, ticket=ticket, entry=entry, recipient_user=user, recipients=recipients)
    # robust: a broker that is down must not fail the change that was just committed; the
    # periodic retry_due() sends the row once the broker is back.
    transaction.on_commit(lambda: _enqueue([row.pk]), robust=True)
    return row


def notify_each(kind: str, alerts: list[tuple[Ticket, list[str]]]) -> int:
    """Queue one e-mail per (ticket, recipients) in a single insert: the overdue sweep's way."""
    rows = Notification.objects.bulk_create(
        Notification(kind=kind, ticket=ticket, recipients=sorted(set(to))) for ticket, to in alerts if to
    )
    pks = [row.pk for row in rows]
    transaction.on_commit(lambda: _enqueue(pks), robust=True)
    return len(pks)


# Rows per delivery task: a sweep that alerts on thousands of tickets sends a few dozen broker
# messages, not thousands, and one task's sends stay short.
DELIVERY_BATCH = 100


def _enqueue(pks: list[int]) -> None:
    from .tasks import deliver_notifications  # the tasks module imports this one

    for start in range(0, len(pks), DELIVERY_BATCH):
        deliver_notifications.delay(pks[start : start + DELIVERY_BATCH])


# The agent preference (AgentProfile field) that switches each alert on or off.
ALERT_PREFERENCES = {
    "new_ticket_alert": "alert_new_ticket",
    "assigned": "alert_assigned",
    "message_alert": "alert_message",
    "overdue": "alert_overdue",
}


def agent_recipients(kind: str, ticket: Ticket) -> list[str]:
    """Who gets an alert about the ticket: its assignee, or when nobody is assigned the
    department's agents and manager — each only if their preferences ask for this alert."""
    if ticket.assignee_id:
        people = Q(pk=ticket.assignee_id)
    else:
        people = Q(agent_profile__departments=ticket.department_id) | Q(pk=ticket.department.manager_id)
    wants = {f"agent_profile__{ALERT_PREFERENCES[kind]}": True}
    users = User.objects.agents().filter(people, **wants).order_by()
    return list(users.values_list("email", flat=True).distinct())


def deliver(pk: int, now=None) -> bool:
    """Send one row if it is still pending; returns whether this call sent it."""
    now = now or timezone.now()
    claimed = Notification.objects.filter(pk=pk, state=Notification.State.PENDING, next_attempt_at__lte=now).update(
        state=Notification.State.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    row = Notification.objects.select_related("ticket__requester", "ticket__department", "entry__author").get(pk=pk)
    try:
        _send(row)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the row and retried
        _failed(row, exc, now)
        return False
    Notification.objects.filter(pk=pk).update(state=Notification.State.SENT, sent_at=timezone.now(), last_error="")
    return True


def _failed(row: Notification, exc: Exception, now) -> None:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if row.attempts >= MAX_ATTEMPTS:
        update = {"state": Notification.State.FAILED}
    else:
        # Back off 1, 2, 4, 8… minutes between attempts.
        update = {
            "state": Notification.State.PENDING,
            "next_attempt_at": now + timedelta(minutes=2 ** (row.attempts - 1)),
        }
    Notification.objects.filter(pk=row.pk).update(last_error=error, **update)


def retry_due(now=None) -> int:
    """Hand every row that is due (again) to the workers: new rows whose task was lost with the
    broker, rows waiting out a back-off, and rows whose worker died mid-send."""
    now = now or timezone.now()
    Notification.objects.filter(state=Notification.State.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        state=Notification.State.PENDING
    )
    due = list(
        Notification.objects.filter(state=Notification.State.PENDING, next_attempt_at__lte=now).values_list(
            "pk", flat=True
        )[:1000]
    )
    _enqueue(due)
    return len(due)


def _send(row: Notification) -> None:
    ticket = row.ticket
    domain = urlsplit(settings.SITE_URL).hostname or "frontdesk"
    thread = f"<ticket-{ticket.number}@{domain}>"
    headers = {
        "Message-ID": f"<notification-{row.pk}.ticket-{ticket.number}@{domain}>",
        "References": thread,
        "In-Reply-To": thread,
    }
    if row.kind not in PERSONAL_KINDS:
        headers["Auto-Submitted"] = "auto-generated"
    context = {"ticket": ticket, "entry": row.entry, "user": row.recipient_user, "link": _link(row)}
    if row.kind == "resolved" and ticket.resolved_at:
        context["feedback_link"] = settings.SITE_URL + reverse("tickets:feedback", args=[feedback.make_token(ticket)])
    send_templated(row.kind, to=row.recipients, context=context, headers=headers)


def _link(row: Notification) -> str:
    ticket = row.ticket
    if row.kind not in REQUESTER_KINDS:
        path = reverse("tickets:work", args=[ticket.number])
    elif ticket.requester.has_usable_password() and row.kind != "guest_link":
        path = ticket.get_absolute_url()
    else:
        # A guest has no password to sign in with: its mail carries a signed link instead.
        path = reverse("tickets:guest_access", args=[make_token(ticket)])
    return settings.SITE_URL + path


def send_again(rows) -> int:
    """Give failed rows a fresh set of attempts (the admin's "send again")."""
    pks = list(rows.filter(state=Notification.State.FAILED).values_list("pk", flat=True))
    Notification.objects.filter(pk__in=pks).update(
        state=Notification.State.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    transaction.on_commit(lambda: _enqueue(pks), robust=True)
    return len(pks)
