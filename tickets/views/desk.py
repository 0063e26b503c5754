"""The agent desk."""

from django.shortcuts import render

from accounts.decorators import agent_required

from ..selectors import queue_counts, tickets_visible_to


@agent_required
def desk(request):
    tickets = (
        tickets_visible_to(request.user)
        .select_related("requester", "department", "assignee", "help_topic")
        .order_by("priority", "-created_at")[:25]
    )
    return render(request, "tickets/desk.html", {"counts": queue_counts(request.user), "tickets": tickets})
