"""Every change of a ticket goes through a function here.

Each runs in one transaction, checks the change is allowed, saves with update_fields,
records an Event and enqueues its notifications once the transaction commits.
"""

import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from sla.duedates import add_business_hours, business_seconds_between
from sla.models import SLA

from . import outbox
from .models import (
    Attachment,
    Department,
    EntryKind,
    Event,
    EventKind,
    Feedback,
    HelpTopic,
    Priority,
    RoutingRule,
    Source,
    Status,
    Team,
    ThreadEntry,
    Ticket,
)
from .uploads import clean_filename


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

NUMBER_ATTEMPTS = 10


def new_ticket_number() -> str:
    """Eight random digits: human-friendly, unique by constraint, and not guessable in sequence."""
    return str(10_000_000 + secrets.randbelow(90_000_000))


def _record(ticket: Ticket, kind: str, by: User | None, old="", new="", detail="") -> Event:
    return Event.objects.create(
        ticket=ticket,
        kind=kind,
        actor=by,
        old_value=str(old or "")[:200],
        new_value=str(new or "")[:200],
        detail=detail[:255],
    )


@dataclass
class Routing:
    """The fields intake decides, and the rules that changed them."""

    department: object
    priority: int
    sla: SLA | None
    team: Team | None = None
    assignee: User | None = None
    applied: list[tuple[RoutingRule, list[str]]] = field(default_factory=list)


def route(*, topic: HelpTopic, subject: str, requester_email: str) -> Routing:
    """Start from the help topic's defaults, then apply the active routing rules in order."""
    routing = Routing(
        department=topic.department,
        priority=topic.default_priority,
        sla=topic.default_sla or topic.department.default_sla,
        team=topic.auto_assign_team,
        assignee=topic.auto_assign_agent,
    )
    domain = requester_email.rsplit("@", 1)[-1].lower()
    lowered = subject.lower()
    rules = RoutingRule.objects.filter(is_active=True).select_related(
        "set_department", "set_team", "set_assignee", "set_sla"
    )
    for rule in rules:
        if rule.match_help_topic_id and rule.match_help_topic_id != topic.pk:
            continue
        words = rule.subject_words()
        if words and not any(w in lowered for w in words):
            continue
        if rule.match_email_domain and rule.match_email_domain.strip().lower().lstrip("@") != domain:
            continue
        changed = []
        for name in ("department", "team", "assignee", "priority", "sla"):
            value = getattr(rule, f"set_{name}")
            if value is not None and value != getattr(routing, name):
                setattr(routing, name, value)
                changed.append(name)
        routing.applied.append((rule, changed))
        if rule.stop_processing:
            break
    return routing


def _apply_sla_dates(ticket: Ticket, start) -> None:
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
        _record(ticket, EventKind.DUE, by, old=_when(old_due), new=_when(ticket.due_at), detail=detail)
    ticket.is_overdue = bool(ticket.is_overdue and ticket.due_at and ticket.due_at < now)
    return ["paused_at", "due_at", "first_response_due_at", "due_is_manual", "is_overdue"]


def _transition(ticket: Ticket, to: str, by: User | None, now, detail: str = "") -> list[str]:
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
    _record(ticket, EventKind.STATUS, by, old=old_label, new=ticket.get_status_display(), detail=detail)
    return fields


def _add_attachments(entry: ThreadEntry, files: Iterable[UploadedFile]) -> None:
    for upload in files:
        Attachment.objects.create(
            entry=entry,
            file=upload,
            filename=clean_filename(upload.name),
            content_type=upload.content_type or "application/octet-stream",
            size=upload.size,
        )


def _insert_with_unique_number(ticket: Ticket) -> None:
    """Insert, drawing a new number whenever the random one is taken.

    The unique constraint decides, not a prior lookup, so concurrent submissions can't race.
    """
    for _ in range(NUMBER_ATTEMPTS):
        ticket.number = new_ticket_number()
        try:
            with transaction.atomic():
                ticket.save(force_insert=True)
            return
        except IntegrityError:
            if ticket.submission_key and Ticket.objects.filter(submission_key=ticket.submission_key).exists():
                raise
            ticket.pk = None
    raise RuntimeError("Could not draw a free ticket number.")


def open_ticket(
    *,
    requester: User,
    topic: HelpTopic,
    subject: str,
    body: str,
    attachments: Iterable[UploadedFile] = (),
    source: str = Source.WEB,
    submission_key: uuid.UUID | None = None,
    notify: bool = True,
    follow_up_of: Ticket | None = None,
) -> Ticket:
    """Intake: create the ticket with its first message, route it, and notify the requester.

    A repeated submission_key (double submit) returns the ticket already made for it.
    notify=False is for imports and demo data, where nobody should be e-mailed.
    """
    if submission_key:
        existing = Ticket.objects.filter(submission_key=submission_key, requester=requester).first()
        if existing:
            return existing
    routing = route(topic=topic, subject=subject, requester_email=requester.email)
    now = timezone.now()
    ticket = Ticket(
        subject=subject,
        requester=requester,
        help_topic=topic,
        department=routing.department,
        team=routing.team,
        assignee=routing.assignee,
        priority=routing.priority,
        sla=routing.sla,
        source=source,
        submission_key=submission_key,
        follow_up_of=follow_up_of,
        created_at=now,
        updated_at=now,
        last_message_at=now,
    )
    _apply_sla_dates(ticket, now)
    try:
        with transaction.atomic():
            _insert_with_unique_number(ticket)
            entry = ThreadEntry.objects.create(
                ticket=ticket, kind=EntryKind.MESSAGE, author=requester, body=body, source=source, created_at=now
            )
            _add_attachments(entry, attachments)
            _record(ticket, EventKind.CREATED, requester, new=ticket.get_status_display(), detail=f"via {source}")
            for rule, changed in routing.applied:
                values = ", ".join(f"{name} → {_display(ticket, name)}" for name in changed)
                _record(ticket, EventKind.ROUTED, None, new=rule.name, detail=values or "matched, no change")
            if notify:
                outbox.notify("ticket_opened", ticket=ticket, to=[requester.email])
                outbox.notify("new_ticket_alert", ticket=ticket, to=outbox.agent_recipients("new_ticket_alert", ticket))
    except IntegrityError:
        if not submission_key:
            raise
        # The same submission won a race with this one: hand back the ticket it created.
        return Ticket.objects.get(submission_key=submission_key, requester=requester)
    return ticket


def _display(ticket: Ticket, name: str) -> str:
    if name == "priority":
        return ticket.get_priority_display()
    return str(getattr(ticket, name) or "none")


def change_status(ticket: Ticket, *, to: str, by: User | None) -> Ticket:
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update(of=("self",)).select_related("sla").get(pk=ticket.pk)
        if to not in TRANSITIONS[ticket.status]:
            raise TransitionNotAllowed(
                f"A {ticket.get_status_display().lower()} ticket can't become {Status(to).label.lower()}."
            )
        now = timezone.now()
        fields = _transition(ticket, to, by, now)
        ticket.updated_at = now
        ticket.save(update_fields=[*fields, "updated_at"])
        if to == Status.RESOLVED:
            outbox.notify("resolved", ticket=ticket, to=[ticket.requester.email])
    return ticket


def may_work_in(agent: User, department: Department) -> bool:
    """An active agent who belongs to the department or works all departments."""
    profile = getattr(agent, "agent_profile", None)
    return bool(
        profile
        and profile.is_active
        and (profile.all_departments or profile.departments.filter(pk=department.pk).exists())
    )


def assign(ticket: Ticket, *, agent: User | None = None, team: Team | None = None, by: User | None) -> Ticket:
    """Set who works the ticket: an agent of its department, a team, or neither."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update(of=("self",)).select_related("department").get(pk=ticket.pk)
        if agent is not None and agent != ticket.assignee and not may_work_in(agent, ticket.department):
            raise ChangeRefused(f"{agent} is not an agent of {ticket.department}.")
        fields = []
        if agent != ticket.assignee:
            _record(ticket, EventKind.ASSIGNEE, by, old=ticket.assignee or "", new=agent or "")
            ticket.assignee = agent
            fields.append("assignee")
            if agent is not None and agent != by:
                outbox.notify("assigned", ticket=ticket, to=outbox.agent_recipients("assigned", ticket), user=agent)
        if team != ticket.team:
            _record(ticket, EventKind.TEAM, by, old=ticket.team or "", new=team or "")
            ticket.team = team
            fields.append("team")
        if fields:
            ticket.updated_at = timezone.now()
            ticket.save(update_fields=[*fields, "updated_at"])
    return ticket


def transfer(ticket: Ticket, *, department: Department, by: User | None) -> Ticket:
    """Move the ticket to another department; an assignee who can't work there is released."""
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",)).select_related("department", "assignee").get(pk=ticket.pk)
        )
        if department == ticket.department:
            return ticket
        _record(ticket, EventKind.DEPARTMENT, by, old=ticket.department, new=department)
        ticket.department = department
        fields = ["department", "updated_at"]
        if ticket.assignee and not may_work_in(ticket.assignee, department):
            _record(ticket, EventKind.ASSIGNEE, by, old=ticket.assignee, new="", detail="not in the new department")
            ticket.assignee = None
            fields.append("assignee")
        ticket.updated_at = timezone.now()
        ticket.save(update_fields=fields)
    return ticket


def set_sla(ticket: Ticket, *, sla: SLA | None, by: User | None) -> Ticket:
    """Attach, change or remove the SLA; due dates are computed again from the ticket's opening."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update(of=("self",)).select_related("sla").get(pk=ticket.pk)
        if sla == ticket.sla:
            return ticket
        _record(ticket, EventKind.SLA, by, old=ticket.sla.name if ticket.sla else "", new=sla.name if sla else "")
        old_due = ticket.due_at
        ticket.sla = sla
        _apply_sla_dates(ticket, ticket.created_at)
        ticket.due_is_manual = False
        if ticket.due_at != old_due:
            _record(ticket, EventKind.DUE, by, old=_when(old_due), new=_when(ticket.due_at), detail="from the SLA")
        ticket.updated_at = timezone.now()
        ticket.save(update_fields=["sla", "due_at", "first_response_due_at", "due_is_manual", "updated_at"])
    return ticket


def override_due(ticket: Ticket, *, due_at, reason: str, by: User | None) -> Ticket:
    """An agent sets the due date by hand; it holds until the SLA is changed again."""
    if due_at <= timezone.now():
        raise ChangeRefused("The due date must be in the future.")
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        _record(ticket, EventKind.DUE, by, old=_when(ticket.due_at), new=_when(due_at), detail=reason)
        ticket.due_at, ticket.due_is_manual, ticket.is_overdue = due_at, True, False
        ticket.updated_at = timezone.now()
        ticket.save(update_fields=["due_at", "due_is_manual", "is_overdue", "updated_at"])
    return ticket


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z") if moment else ""


def set_priority(ticket: Ticket, *, priority: int, by: User | None) -> Ticket:
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if priority != ticket.priority:
            _record(ticket, EventKind.PRIORITY, by, old=ticket.get_priority_display(), new=Priority(priority).label)
            ticket.priority = priority
            ticket.updated_at = timezone.now()
            ticket.save(update_fields=["priority", "updated_at"])
    return ticket


def _post_entry(ticket: Ticket, kind: str, author: User, body: str, attachments, key=None) -> ThreadEntry:
    """Add one entry with its files to the thread and record it (event kinds mirror entry kinds)."""
    entry = ThreadEntry.objects.create(ticket=ticket, kind=kind, author=author, body=body, submission_key=key)
    _add_attachments(entry, attachments)
    _record(ticket, kind, author)
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
            fields += _transition(ticket, Status.OPEN, author, entry.created_at, detail="reopened by reply")
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
    _record(ticket, EventKind.FOLLOW_UP, author, new=f"#{follow_up.number}", detail="requester wrote after closing")
    return follow_up.entries.earliest("pk")


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
        _record(ticket, EventKind.FEEDBACK, ticket.requester, new=f"{rating}/5")
    return feedback


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
            alerted = Ticket.objects.filter(pk__in=ids).exclude(sla__disable_overdue_alerts=True)
            for ticket in alerted.select_related("assignee", "department__manager", "sla"):
                to = outbox.agent_recipients("overdue", ticket)
                if ticket.sla.escalate_when_overdue and ticket.department.manager_id:
                    to.append(ticket.department.manager.email)
                outbox.notify("overdue", ticket=ticket, to=to)
            marked += len(ids)


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
