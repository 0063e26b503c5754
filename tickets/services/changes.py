"""Changes an agent makes to a ticket: status, assignment, department, priority, SLA, due date."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from sla.models import SLA

from .. import outbox
from ..models import (
    Department,
    EventKind,
    Priority,
    Status,
    Team,
    Ticket,
)
from .base import (
    TRANSITIONS,
    ChangeRefused,
    TransitionNotAllowed,
    apply_sla_dates,
    apply_status,
    clear_stale_overdue,
    format_when,
    record_event,
)


def change_status(ticket: Ticket, *, to: str, by: User | None, notify: bool = True) -> Ticket:
    """Move the ticket through the state machine; resolving e-mails the requester a feedback link
    (notify=False, as for open_ticket and reply, is for imports and demo data)."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update(of=("self",)).select_related("sla").get(pk=ticket.pk)
        if to not in TRANSITIONS[ticket.status]:
            raise TransitionNotAllowed(
                f"A {ticket.get_status_display().lower()} ticket can't become {Status(to).label.lower()}."
            )
        now = timezone.now()
        fields = apply_status(ticket, to, by, now)
        ticket.updated_at = now
        ticket.save(update_fields=[*fields, "updated_at"])
        if notify and to == Status.RESOLVED:
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
            record_event(ticket, EventKind.ASSIGNEE, by, old=ticket.assignee or "", new=agent or "")
            ticket.assignee = agent
            fields.append("assignee")
            if agent is not None and agent != by:
                outbox.notify("assigned", ticket=ticket, to=outbox.agent_recipients("assigned", ticket), user=agent)
        if team != ticket.team:
            record_event(ticket, EventKind.TEAM, by, old=ticket.team or "", new=team or "")
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
        record_event(ticket, EventKind.DEPARTMENT, by, old=ticket.department, new=department)
        ticket.department = department
        fields = ["department", "updated_at"]
        if ticket.assignee and not may_work_in(ticket.assignee, department):
            record_event(
                ticket, EventKind.ASSIGNEE, by, old=ticket.assignee, new="", detail="not in the new department"
            )
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
        record_event(ticket, EventKind.SLA, by, old=ticket.sla.name if ticket.sla else "", new=sla.name if sla else "")
        old_due = ticket.due_at
        ticket.sla = sla
        apply_sla_dates(ticket, ticket.created_at)
        ticket.due_is_manual = False
        if ticket.due_at != old_due:
            record_event(
                ticket,
                EventKind.DUE,
                by,
                old=format_when(old_due),
                new=format_when(ticket.due_at),
                detail="from the SLA",
            )
        ticket.updated_at = timezone.now()
        clear_stale_overdue(ticket, ticket.updated_at)
        ticket.save(
            update_fields=["sla", "due_at", "first_response_due_at", "due_is_manual", "is_overdue", "updated_at"]
        )
    return ticket


def override_due(ticket: Ticket, *, due_at, reason: str, by: User | None) -> Ticket:
    """An agent sets the due date by hand; it holds until the SLA is changed again."""
    if due_at <= timezone.now():
        raise ChangeRefused("The due date must be in the future.")
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        record_event(ticket, EventKind.DUE, by, old=format_when(ticket.due_at), new=format_when(due_at), detail=reason)
        ticket.due_at, ticket.due_is_manual, ticket.is_overdue = due_at, True, False
        ticket.updated_at = timezone.now()
        ticket.save(update_fields=["due_at", "due_is_manual", "is_overdue", "updated_at"])
    return ticket


def set_priority(ticket: Ticket, *, priority: int, by: User | None) -> Ticket:
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if priority != ticket.priority:
            record_event(
                ticket, EventKind.PRIORITY, by, old=ticket.get_priority_display(), new=Priority(priority).label
            )
            ticket.priority = priority
            ticket.updated_at = timezone.now()
            ticket.save(update_fields=["priority", "updated_at"])
    return ticket
