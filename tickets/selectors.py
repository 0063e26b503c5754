"""Reads that check permission. The single access gate for tickets: 404 for what a user may not see."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User

from .models import Status, Ticket


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """Agents: their departments' tickets (all with the flag), their teams' and their own.
    End users: the tickets they requested."""
    if not user.is_authenticated:
        return Ticket.objects.none()
    if user.is_agent:
        profile = user.agent_profile
        if profile.all_departments:
            return Ticket.objects.all()
        # Subqueries rather than joins: no duplicate rows, so no DISTINCT over the queue.
        return Ticket.objects.filter(
            Q(department__in=profile.departments.values("pk"))
            | Q(team__in=profile.teams.values("pk"))
            | Q(assignee=user)
            | Q(requester=user)
        )
    return Ticket.objects.filter(requester=user)


def get_ticket_for(user: User, number: str) -> Ticket:
    """A ticket on the desk, if this agent may work it; 404 otherwise (no hint that it exists)."""
    ticket = (
        tickets_visible_to(user)
        .filter(number=number)
        .select_related("requester", "department", "team", "assignee", "help_topic", "sla")
        .first()
    )
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


def get_requester_ticket(user: User, number: str, *, guest_ids=()) -> Ticket:
    """A ticket as its requester sees it in the portal: signed in as the requester, or holding
    a guest link for it. Anyone else gets 404 — agents work tickets from the desk instead."""
    condition = Q(pk__in=list(guest_ids))
    if user.is_authenticated:
        condition |= Q(requester=user)
    ticket = (
        Ticket.objects.filter(condition, number=number)
        .select_related("department", "help_topic", "requester", "assignee")
        .first()
    )
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


def queue_counts(user: User) -> dict[str, int]:
    """The desk's queue counts in one grouped query over the tickets the agent may see."""
    now = timezone.now()
    active = Q(status__in=[Status.OPEN, Status.PENDING])
    return tickets_visible_to(user).aggregate(
        open=Count("pk", filter=Q(status=Status.OPEN)),
        unassigned=Count("pk", filter=active & Q(assignee__isnull=True)),
        mine=Count("pk", filter=active & Q(assignee=user)),
        assigned=Count("pk", filter=active & Q(assignee__isnull=False)),
        overdue=Count("pk", filter=active & Q(due_at__lt=now)),
        pending=Count("pk", filter=Q(status=Status.PENDING)),
        closed=Count("pk", filter=Q(status__in=[Status.RESOLVED, Status.CLOSED])),
    )
