"""What every service shares: its exceptions, the status rules, events and the SLA clock."""

from collections.abc import Iterable

from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.files.uploadedfile import UploadedFile
from django.db import connection
from django.db.models import F, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from sla.duedates import add_business_hours, business_seconds_between

from ..models import (
    Attachment,
    Event,
    EventKind,
    Status,
    ThreadEntry,
    Ticket,
)
from ..queues import SEARCH_CONFIG
from ..uploads import clean_filename


class ChangeRefused(Exception):
    """A change the rules don't allow; the message is shown to the person who asked."""


class TransitionNotAllowed(ChangeRefused):
    """The ticket's state machine forbids this change."""


# Which status may follow which. Closed is final for the requester; an agent may reopen.
TRANSITIONS: dict[str, set[str]] = {
    Status.OPEN: {Status.PENDING, Status.RESOLVED, Status.CLOSED},
    Status.PENDING: {Status.OPEN, Status.RESOLVED, Status.CLOSED},
    Status.RESOLVED: {Status.OPEN, Status.CLOSED},
    Status.CLOSED: {Status.OPEN},
}


def record_event(ticket: Ticket, kind: str, by: User | None, old="", new="", detail="") -> Event:
    return Event.objects.create(
        ticket=ticket,
        kind=kind,
        actor=by,
        old_value=str(old or "")[:200],
        new_value=str(new or "")[:200],
        detail=detail[:255],
    )


def add_to_search_document(ticket: Ticket, *texts: str) -> None:
    """Append texts (the subject, a thread entry's body) to the ticket's stored search document.

    The one place that keeps Ticket.search_document up to date: every service that sets a
    subject or adds a thread entry calls it, in its own transaction. One UPDATE that appends to
    what is stored, so the thread is never read back. PostgreSQL only: elsewhere the desk
    searches with icontains and the column stays empty.
    """
    if connection.vendor != "postgresql":
        return
    empty = Value("", output_field=SearchVectorField())
    added = SearchVector(Value(" ".join(texts)), config=SEARCH_CONFIG)
    document = CombinedExpression(Coalesce(F("search_document"), empty), "||", added, output_field=SearchVectorField())
    Ticket.objects.filter(pk=ticket.pk).update(search_document=document)


def format_when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z") if moment else ""


def save_attachments(entry: ThreadEntry, files: Iterable[UploadedFile]) -> None:
    for upload in files:
        Attachment.objects.create(
            entry=entry,
            file=upload,
            filename=clean_filename(upload.name),
            content_type=upload.content_type or "application/octet-stream",
            size=upload.size,
        )


def apply_sla_dates(ticket: Ticket, start) -> None:
    """Due dates from the SLA, counted in its business hours from `start`."""
    if ticket.sla is None:
        ticket.due_at = ticket.first_response_due_at = None
        return
    spec = ticket.sla.schedule_spec()
    ticket.first_response_due_at = add_business_hours(start, ticket.sla.first_response_hours, spec)
    ticket.due_at = add_business_hours(start, ticket.sla.resolution_hours, spec)


def _move_sla_clock(ticket: Ticket, old: str, new: str, now, by: User | None) -> list[str]:
    """Pause the clock while pending; on resuming, push the due dates back by the business
    time spent pending; on reopening, start the resolution clock again from now."""
    if new == Status.PENDING:
        ticket.paused_at = now
        return ["paused_at"]
    old_due = ticket.due_at
    if old == Status.PENDING and ticket.paused_at:
        spec = ticket.sla.schedule_spec() if ticket.sla_id else None
        paused_hours = business_seconds_between(ticket.paused_at, now, spec) / 3600
        if ticket.due_at:
            ticket.due_at = add_business_hours(ticket.due_at, paused_hours, spec)
        if ticket.first_response_due_at and not ticket.first_responded_at:
            ticket.first_response_due_at = add_business_hours(ticket.first_response_due_at, paused_hours, spec)
        ticket.paused_at, detail = None, "clock paused while pending"
    elif new == Status.OPEN and old in (Status.RESOLVED, Status.CLOSED) and ticket.sla_id:
        ticket.due_at = add_business_hours(now, ticket.sla.resolution_hours, ticket.sla.schedule_spec())
        ticket.due_is_manual, detail = False, "reopened"
    else:
        return []
    if ticket.due_at != old_due:
        record_event(ticket, EventKind.DUE, by, old=format_when(old_due), new=format_when(ticket.due_at), detail=detail)
    clear_stale_overdue(ticket, now)
    return ["paused_at", "due_at", "first_response_due_at", "due_is_manual", "is_overdue"]


def clear_stale_overdue(ticket: Ticket, now) -> None:
    """A ticket marked overdue stays so only while its due date is still past: the Overdue
    queue and its count (queuecounts) both rely on it. The sweep marks it again if needed."""
    ticket.is_overdue = bool(ticket.is_overdue and ticket.due_at and ticket.due_at < now)


def apply_status(ticket: Ticket, to: str, by: User | None, now, detail: str = "") -> list[str]:
    """Set the status with its timestamps, SLA clock and event; returns the fields to save."""
    old, old_label = ticket.status, ticket.get_status_display()
    ticket.status = to
    fields = ["status"]
    if to == Status.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
    elif to == Status.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
    elif to == Status.OPEN:
        ticket.resolved_at = ticket.closed_at = None
        fields += ["resolved_at", "closed_at"]
    fields += _move_sla_clock(ticket, old, to, now, by)
    record_event(ticket, EventKind.STATUS, by, old=old_label, new=ticket.get_status_display(), detail=detail)
    return fields
