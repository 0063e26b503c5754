"""The agent desk: queues with live counts, a filtered, sorted, paginated list, and bulk actions."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.decorators import agent_required

from ..bulk import BulkActionForm, BulkResult, apply_bulk
from ..forms import QueueFilterForm
from ..models import Priority, Status, Ticket
from ..queues import QUEUES, sort_headers
from ..selectors import queue_counts, queue_tickets

# How many tickets of one list the desk counts and pages through; DESK_COUNT_CAP overrides it.
# Counting a whole queue reads every ticket in it, and a deep page makes the database walk past
# every row before it, so both grow with the queue; here they stop. At 1M tickets the count of
# 5,001 and the deepest page (OFFSET 4,975) each took tens of ms, and at 10,000 ~200 ms; at
# 1,000 (40 pages) both take a few ms. The queue counts beside the list stay exact.
COUNT_CAP = 1_000


class CappedPaginator(Paginator):
    """A Paginator that counts at most `cap` rows, so that pages reach only that far.

    The count is one `SELECT COUNT(*) FROM (… LIMIT cap + 1)`: it stops reading at the cap, and
    the extra row tells a list of exactly `cap` from a longer one (`capped`).
    """

    def __init__(self, object_list, per_page, *, cap: int):
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def counted(self) -> int:
        # No ORDER BY, no joined columns: the count needs only which rows there are.
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.cap)

    @property
    def capped(self) -> bool:
        return self.counted > self.cap


@agent_required
def desk(request):
    form = QueueFilterForm(request.GET)
    valid = form.is_valid()  # queue, sort and per_page are always valid: they fall back to defaults
    data = form.cleaned_data
    tickets = Ticket.objects.none()
    if valid:
        tickets = queue_tickets(
            request.user, queue=data["queue"], filters=form.filters(), search=data["q"], sort=data["sort"]
        )
    # get_page turns a bad or too-high page number (past the cap too) into a real page.
    cap = getattr(settings, "DESK_COUNT_CAP", COUNT_CAP)
    page = CappedPaginator(tickets, data["per_page"], cap=cap).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "queue": data["queue"],
        "sort": data["sort"],
        "bulk_form": BulkActionForm(),
        "headers": sort_headers(data["sort"]),
        "desk_url": reverse("tickets:desk"),
    }
    _label(page)
    if request.htmx:
        return render(request, "tickets/partials/_queue_table.html", context)
    counts = queue_counts(request.user)
    context["queues"] = [(key, label, counts[key], key in counts.at_least) for key, label in QUEUES]
    return render(request, "tickets/desk.html", context)


def _label(page) -> None:
    """Give each row of the page its link and display texts, made here rather than by a tag per cell.

    The date filter and get_FOO_display cost tens of microseconds a call (translations,
    formats and the choices looked up anew each time), and a page of 100 rows makes 600 calls.
    The texts are the filters' own: "3 Dec, 16:43" (j M, H:i) and "3 Dec 2026, 16:43" (j M Y, H:i)
    in the current time zone, and ISO 8601 for the <time> elements.
    """
    months = {n: name.title() for n, name in MONTHS_3.items()}  # as the date filter's "M"
    priorities, statuses = dict(Priority.choices), dict(Status.choices)
    # One reverse() for the page: the work page's address with the number put in its place.
    work_head, work_tail = reverse("tickets:work", args=["NUMBER"]).split("NUMBER")
    for ticket in page:
        ticket.work_url = f"{work_head}{ticket.number}{work_tail}"
        ticket.priority_label = priorities.get(ticket.priority, ticket.priority)
        ticket.status_label = statuses.get(ticket.status, ticket.status)
        if ticket.due_at:
            due = timezone.localtime(ticket.due_at)
            ticket.due_iso = due.isoformat()
            ticket.due_text = f"{due.day} {months[due.month]}, {due:%H:%M}"
        updated = timezone.localtime(ticket.updated_at)
        ticket.updated_iso = updated.isoformat()
        ticket.updated_text = f"{updated.day} {months[updated.month]} {updated.year}, {updated:%H:%M}"


@require_POST
@agent_required
def bulk(request):
    back = request.POST.get("next", "")
    if not (back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts=None)):
        back = reverse("tickets:desk")
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(back)
    _report(request, apply_bulk(form.cleaned_data, by=request.user))
    return redirect(back)


def _report(request, result: BulkResult) -> None:
    """One message for what changed, one per refused ticket, one for the numbers skipped."""
    if result.changed:
        also = f"; {_tickets(result.unchanged)} already as chosen" if result.unchanged else ""
        messages.success(request, f"{_tickets(result.changed)} changed{also}.")
    elif result.unchanged:
        messages.info(request, f"Nothing to change: {_tickets(result.unchanged)} already as chosen.")
    for refusal in result.refused:
        messages.error(request, refusal)
    if result.skipped:
        messages.warning(request, f"{_tickets(result.skipped)} skipped: not on your desk.")


def _tickets(n: int) -> str:
    return f"{n} ticket{'' if n == 1 else 's'}"
