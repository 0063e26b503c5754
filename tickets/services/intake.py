"""Intake: numbering, routing and opening a ticket."""

import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from sla.models import SLA

from .. import outbox
from ..models import (
    EntryKind,
    EventKind,
    HelpTopic,
    RoutingRule,
    Source,
    Team,
    ThreadEntry,
    Ticket,
)
from .base import add_to_search_document, apply_sla_dates, record_event, save_attachments

NUMBER_ATTEMPTS = 10


def new_ticket_number() -> str:
    """Eight random digits: human-friendly, unique by constraint, and not guessable in sequence."""
    return str(10_000_000 + secrets.randbelow(90_000_000))


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
    apply_sla_dates(ticket, now)
    try:
        with transaction.atomic():
            _insert_with_unique_number(ticket)
            entry = ThreadEntry.objects.create(
                ticket=ticket, kind=EntryKind.MESSAGE, author=requester, body=body, source=source, created_at=now
            )
            save_attachments(entry, attachments)
            add_to_search_document(ticket, subject, body)
            record_event(ticket, EventKind.CREATED, requester, new=ticket.get_status_display(), detail=f"via {source}")
            for rule, changed in routing.applied:
                values = ", ".join(f"{name} → {_display(ticket, name)}" for name in changed)
                record_event(ticket, EventKind.ROUTED, None, new=rule.name, detail=values or "matched, no change")
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
