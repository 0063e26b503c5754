"""Reads that check permission. The single access gate for tickets: 404 for what a user may not see."""

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User

from . import queuecounts
from .models import Ticket, overdue_condition
from .queues import filter_condition, ordering, queue_condition, search_condition


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """Agents: their departments' tickets (all with the flag), their teams' and their own.
    End users: the tickets they requested."""
    if not user.is_authenticated:
        return Ticket.objects.none()
    if user.is_agent:
        profile = user.agent_profile
        if profile.all_departments:
            return Ticket.objects.all()
        return Ticket.objects.filter(profile.scope() | Q(requester=user))
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


# Past due but not yet marked by the sweep: normally a handful. PostgreSQL can't know that (it
# expects tens of thousands at a million tickets) and would start parallel workers (30 ms) or
# intersect bitmaps of every ticket the agent may see (2 s); ordered by due date under a LIMIT,
# it walks the start of ticket_sweep_idx (0.1 ms). When the sweep is further behind than that
# (beat stopped), the Overdue count is a lower bound, shown as "N+", rather than a slow count.
UNMARKED_LIMIT = 100


class QueueCounts(dict):
    """Each queue's ticket count; the keys in `at_least` hold lower bounds."""

    at_least: frozenset[str] = frozenset()


def queue_counts(user: User) -> QueueCounts:
    """The desk's queue counts for an agent, without counting the ticket table (queuecounts)."""
    counts = QueueCounts(queuecounts.bucket_counts(user))
    unmarked = tickets_visible_to(user).overdue().filter(is_overdue=False)  # as the sweep finds them
    n = unmarked.order_by("due_at")[:UNMARKED_LIMIT].count()
    counts["overdue"] += n
    if n == UNMARKED_LIMIT:
        counts.at_least = frozenset({"overdue"})
    return counts


def queue_tickets(user: User, *, queue: str, filters: dict, search: str = "", sort: str = "") -> QuerySet[Ticket]:
    """One desk queue as the agent sees it: filtered, searched and sorted, with what the list shows."""
    now = timezone.now()
    tickets = tickets_visible_to(user).filter(queue_condition(queue, user, now), filter_condition(filters))
    if search.strip():
        tickets = tickets.filter(search_condition(search))
    return (
        # Six joins took PostgreSQL ~8 ms to plan (more than the page's rows took to render), and
        # a deep page would join every row it skips. The nullable ones stay joined (cheap to plan,
        # and a prefetch of only NULLs sends no query, so the query count would vary); the
        # requester and department come by primary key for the page's rows only.
        tickets.select_related("assignee", "team", "help_topic")
        .prefetch_related("requester", "department")
        .annotate(overdue_now=ExpressionWrapper(overdue_condition(now), output_field=BooleanField()))
        .order_by(*ordering(sort))
    )
