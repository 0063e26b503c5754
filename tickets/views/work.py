"""The agent's ticket work page and its actions."""

from datetime import timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.decorators import agent_required

from ..actions import ACTIONS
from ..models import Attachment, Ticket, TicketViewing
from ..selectors import get_ticket_for, tickets_visible_to
from ..services import ChangeRefused
from .portal import serve_attachment

# Another agent who had the ticket open this recently is shown as working on it.
COLLISION_WINDOW = timedelta(minutes=5)


@agent_required
def work_page(request, number):
    ticket = get_ticket_for(request.user, number)
    # Presence, not ticket state: remembering who has the page open feeds the collision warning.
    # One upsert (INSERT … ON CONFLICT DO UPDATE), not update_or_create's locking read and write.
    TicketViewing.objects.bulk_create(
        [TicketViewing(ticket=ticket, agent=request.user, seen_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["ticket", "agent"],
        update_fields=["seen_at"],
    )
    return _render(request, ticket)


@agent_required
@require_POST
def act(request, number, action):
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("No such action.")
    ticket = get_ticket_for(request.user, number)
    form = spec.form(request.POST, request.FILES, ticket=ticket, actor=request.user)
    if form.is_valid():
        try:
            messages.success(request, spec.apply(ticket, form.cleaned_data, request.user))
        except ChangeRefused as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("tickets:work", number=ticket.number)
    return _render(request, ticket, bound={action: form}, status=422)


@agent_required
def attachment(request, number, pk):
    ticket = get_ticket_for(request.user, number)
    return serve_attachment(get_object_or_404(Attachment, pk=pk, entry__ticket=ticket))


def _render(request, ticket: Ticket, bound=None, status=200):
    bound = bound or {}
    entries = list(ticket.entries.select_related("author").prefetch_related("attachments"))
    forms = {}
    for name, spec in ACTIONS.items():
        if name in bound:
            forms[name] = bound[name]
        elif name == "reply":
            # The newest entry on the page, for the collision check when the reply is sent.
            newest = max((entry.pk for entry in entries), default=None)
            forms[name] = spec.form(ticket=ticket, actor=request.user, initial={"last_seen": newest})
        else:
            forms[name] = spec.form(ticket=ticket, actor=request.user)
    now = timezone.now()
    context = {
        "ticket": ticket,
        "forms": forms,
        "now": now,
        "entries": entries,
        "events": ticket.events.select_related("actor"),
        "others_here": TicketViewing.objects.filter(ticket=ticket, seen_at__gte=now - COLLISION_WINDOW)
        .exclude(agent=request.user)
        .select_related("agent"),
        # As the requester's My tickets lists them.
        "requester_tickets": tickets_visible_to(request.user)
        .filter(requester=ticket.requester)
        .exclude(pk=ticket.pk)
        .requester_order()[:5],
        "canned_bodies": forms["reply"].canned_bodies(),
    }
    template = "tickets/partials/_work.html" if request.htmx else "tickets/work.html"
    return render(request, template, context, status=status)
