"""The agent desk."""

from django.shortcuts import render

from accounts.decorators import agent_required

from ..selectors import queue_counts, tickets_visible_to

QUEUES = [
    ("open", "Open"),
    ("unassigned", "Unassigned"),
    ("mine", "My tickets"),
    ("assigned", "Assigned"),
    ("overdue", "Overdue"),
    ("pending", "Pending"),
    ("closed", "Closed"),
]


@agent_required
def desk(request):
    tickets = (
        tickets_visible_to(request.user)
        .select_related("requester", "department", "assignee", "help_topic")
        .order_by("priority", "-created_at")[:25]
    )
    counts = queue_counts(request.user)
    queues = [(label, counts[key]) for key, label in QUEUES]
    return render(request, "tickets/desk.html", {"queues": queues, "tickets": tickets})
