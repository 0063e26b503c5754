"""The conversation: requester messages, agent replies, internal notes, follow-ups, feedback."""

import uuid
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User

from .. import outbox
from ..models import (
    EntryKind,
    EventKind,
    Feedback,
    Status,
    ThreadEntry,
    Ticket,
)
from .base import (
    ChangeRefused,
    TransitionNotAllowed,
    add_to_search_document,
    apply_status,
    record_event,
    save_attachments,
)
from .intake import open_ticket


def _post_entry(ticket: Ticket, kind: str, author: User, body: str, attachments, key=None) -> ThreadEntry:
    """Add one entry with its files to the thread and record it (event kinds mirror entry kinds)."""
    entry = ThreadEntry.objects.create(ticket=ticket, kind=kind, author=author, body=body, submission_key=key)
    save_attachments(entry, attachments)
    add_to_search_document(ticket, body)
    record_event(ticket, kind, author)
    return entry


def _already_posted(key) -> ThreadEntry | None:
    """The entry a resubmitted form (double click) already made, if any."""
    return ThreadEntry.objects.filter(submission_key=key).first() if key else None


def add_message(
    ticket: Ticket, *, author: User, body: str, attachments: Iterable[UploadedFile] = (), key: uuid.UUID | None = None
) -> ThreadEntry:
    """The requester writes. A resolved ticket reopens; a closed one, or one resolved longer ago
    than the reopen window, gets a new ticket linked to it (the returned entry is its first)."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update(of=("self",)).select_related("sla", "help_topic").get(pk=ticket.pk)
        if done := _already_posted(key):
            return done
        if _past_reopen_window(ticket):
            return _follow_up(ticket, author=author, body=body, attachments=attachments, key=key)
        entry = _post_entry(ticket, EntryKind.MESSAGE, author, body, attachments, key)
        fields = ["last_message_at", "updated_at"]
        if ticket.status == Status.RESOLVED:
            fields += apply_status(ticket, Status.OPEN, author, entry.created_at, detail="reopened by reply")
        ticket.last_message_at = ticket.updated_at = entry.created_at
        ticket.save(update_fields=fields)
        outbox.notify("message_alert", ticket=ticket, to=outbox.agent_recipients("message_alert", ticket), entry=entry)
    return entry


def _past_reopen_window(ticket: Ticket) -> bool:
    if ticket.status == Status.CLOSED:
        return True
    window = timedelta(days=settings.REOPEN_WINDOW_DAYS)
    return ticket.status == Status.RESOLVED and ticket.resolved_at < timezone.now() - window


def _follow_up(ticket: Ticket, *, author: User, body: str, attachments, key) -> ThreadEntry:
    if key and (made := Ticket.objects.filter(submission_key=key, follow_up_of=ticket).first()):
        return made.entries.earliest("pk")
    if ticket.help_topic is None:
        raise TransitionNotAllowed("This ticket is closed. Please open a new ticket.")
    follow_up = open_ticket(
        requester=ticket.requester,
        topic=ticket.help_topic,
        subject=f"Follow-up to #{ticket.number}: {ticket.subject}"[:200],
        body=body,
        attachments=attachments,
        submission_key=key,
        follow_up_of=ticket,
    )
    record_event(
        ticket, EventKind.FOLLOW_UP, author, new=f"#{follow_up.number}", detail="requester wrote after closing"
    )
    return follow_up.entries.earliest("pk")


def reply(
    ticket: Ticket,
    *,
    author: User,
    body: str,
    attachments: Iterable[UploadedFile] = (),
    key: uuid.UUID | None = None,
    notify: bool = True,
) -> ThreadEntry:
    """An agent answers the requester; the first answer stops the first-response clock."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if done := _already_posted(key):
            return done
        entry = _post_entry(ticket, EntryKind.RESPONSE, author, body, attachments, key)
        fields = ["last_response_at", "updated_at"]
        if ticket.first_responded_at is None:
            ticket.first_responded_at = entry.created_at
            fields.append("first_responded_at")
        ticket.last_response_at = ticket.updated_at = entry.created_at
        ticket.save(update_fields=fields)
        if notify:
            outbox.notify("response", ticket=ticket, to=[ticket.requester.email], entry=entry)
    return entry


def add_note(
    ticket: Ticket, *, author: User, body: str, attachments: Iterable[UploadedFile] = (), key: uuid.UUID | None = None
) -> ThreadEntry:
    """An internal note: agents only, and it never notifies the requester."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if done := _already_posted(key):
            return done
        entry = _post_entry(ticket, EntryKind.NOTE, author, body, attachments, key)
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=entry.created_at)
    return entry


def record_feedback(ticket: Ticket, *, resolved_at, rating: int, comment: str) -> Feedback:
    """Store the requester's rating of one resolution; a second one for it is refused."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                feedback = Feedback.objects.create(
                    ticket=ticket, resolved_at=resolved_at, rating=rating, comment=comment
                )
        except IntegrityError:
            raise ChangeRefused("We already have your feedback on this resolution. Thank you!") from None
        record_event(ticket, EventKind.FEEDBACK, ticket.requester, new=f"{rating}/5")
    return feedback
