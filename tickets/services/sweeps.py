"""Set-based work that beat runs: the overdue sweep with escalation, and auto-close."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import outbox
from ..models import (
    Event,
    EventKind,
    Priority,
    Status,
    Ticket,
)

SWEEP_BATCH = 5_000


def sweep_overdue(now=None) -> int:
    """Mark every active ticket past its due date overdue, once, with one event and one alert.

    Set-based and safe to run concurrently: each batch locks its rows with SKIP LOCKED (on
    PostgreSQL), and the update only touches rows still not overdue, so a ticket claimed by
    one sweep is never claimed by another. Returns how many tickets this run marked.
    """
    now = now or timezone.now()
    marked = 0
    while True:
        with transaction.atomic():
            candidates = (
                Ticket.objects.overdue(now)
                .filter(is_overdue=False)
                .order_by("due_at")  # served by ticket_sweep_idx; the default ordering would scan
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:SWEEP_BATCH]
            )
            ids = list(candidates)
            if not ids:
                return marked
            Ticket.objects.filter(pk__in=ids, is_overdue=False).update(is_overdue=True)
            Event.objects.bulk_create(
                Event(ticket_id=pk, kind=EventKind.OVERDUE, created_at=now, detail="due date passed") for pk in ids
            )
            _escalate(ids, now)
            _alert_overdue(ids)
            marked += len(ids)


def _alert_overdue(ids: list[int]) -> None:
    """One alert per newly overdue ticket, recipients looked up once per assignee or department."""
    tickets = (
        Ticket.objects.filter(pk__in=ids)
        .exclude(sla__disable_overdue_alerts=True)
        .select_related("department__manager", "sla")
    )
    recipients: dict[tuple, list[str]] = {}
    alerts = []
    for ticket in tickets:
        escalated = bool(ticket.sla_id and ticket.sla.escalate_when_overdue and ticket.department.manager_id)
        key = (ticket.assignee_id, ticket.department_id, escalated)
        if key not in recipients:
            to = outbox.agent_recipients("overdue", ticket)
            recipients[key] = [*to, ticket.department.manager.email] if escalated else to
        alerts.append((ticket, recipients[key]))
    outbox.notify_each("overdue", alerts)


def _escalate(ids: list[int], now) -> None:
    """Raise by one level the priority of newly overdue tickets whose plan says so."""
    rows = list(
        Ticket.objects.filter(pk__in=ids, sla__escalate_when_overdue=True, priority__gt=Priority.EMERGENCY).values_list(
            "pk", "priority"
        )
    )
    if not rows:
        return
    Ticket.objects.filter(pk__in=[pk for pk, _ in rows]).update(priority=F("priority") - 1)
    Event.objects.bulk_create(
        Event(
            ticket_id=pk,
            kind=EventKind.PRIORITY,
            created_at=now,
            old_value=Priority(p).label,
            new_value=Priority(p - 1).label,
            detail="escalated: overdue",
        )
        for pk, p in rows
    )


def auto_close(now=None) -> int:
    """Close, in bulk, the tickets resolved more than AUTO_CLOSE_DAYS ago, with an event each."""
    now = now or timezone.now()
    with transaction.atomic():
        due = Ticket.objects.filter(
            status=Status.RESOLVED, resolved_at__lt=now - timedelta(days=settings.AUTO_CLOSE_DAYS)
        ).select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:SWEEP_BATCH])
        closed = Ticket.objects.filter(pk__in=ids, status=Status.RESOLVED).update(
            status=Status.CLOSED, closed_at=now, updated_at=now
        )
        Event.objects.bulk_create(
            Event(
                ticket_id=pk,
                kind=EventKind.STATUS,
                created_at=now,
                old_value=Status.RESOLVED.label,
                new_value=Status.CLOSED.label,
                detail="closed automatically",
            )
            for pk in ids
        )
    return closed
