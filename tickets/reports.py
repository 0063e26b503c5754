"""The SLA report: how tickets opened in a date range fared against their SLA targets.

A selector: reads only, and only the tickets the user may see (through `tickets_visible_to`).
Counting happens in the database, in one grouped query with conditional aggregation. The
medians come from one more query that fetches the timestamps of the range's answered and
resolved tickets and takes `statistics.median` in Python: portable across SQLite and
PostgreSQL (SQLite has no percentile function), exact, and bounded by the report's maximum
range. If the desk ever grows to hundreds of thousands of tickets a year, swap that query for
`percentile_cont` on PostgreSQL.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from accounts.models import User

from .models import Feedback
from .selectors import tickets_visible_to

GroupBy = Literal["sla", "department"]

GROUPINGS: dict[str, tuple[str, str]] = {
    # group_by: (key field, label field)
    "sla": ("sla", "sla__name"),
    "department": ("department", "department__name"),
}


@dataclass
class Row:
    label: str
    tickets: int = 0
    first_response_met: int = 0
    first_response_breached: int = 0
    first_response_in_progress: int = 0
    resolution_met: int = 0
    resolution_breached: int = 0
    resolution_in_progress: int = 0
    median_first_response: timedelta | None = None
    median_resolution: timedelta | None = None
    feedback_count: int = 0
    feedback_average: float | None = None

    @property
    def first_response_measured(self) -> int:
        """Tickets with a first-response target: met, breached or still running."""
        return self.first_response_met + self.first_response_breached + self.first_response_in_progress

    @property
    def resolution_measured(self) -> int:
        """Tickets with a resolution target: met, breached or still running."""
        return self.resolution_met + self.resolution_breached + self.resolution_in_progress


COUNTED = (
    "tickets",
    "first_response_met",
    "first_response_breached",
    "first_response_in_progress",
    "resolution_met",
    "resolution_breached",
    "resolution_in_progress",
)


def _conditions(now: datetime) -> dict[str, Q]:
    """Each ticket falls in exactly one of met / breached / in progress per target it has."""
    not_answered = Q(first_responded_at__isnull=True)
    # Resolution ends at resolved_at, or at closed_at for a ticket closed without resolving.
    never_resolved = Q(resolved_at__isnull=True)
    unfinished = never_resolved & Q(closed_at__isnull=True)
    return {
        "first_response_met": Q(first_responded_at__lte=F("first_response_due_at")),
        "first_response_breached": Q(first_responded_at__gt=F("first_response_due_at"))
        | (not_answered & Q(first_response_due_at__lt=now)),
        "first_response_in_progress": not_answered & Q(first_response_due_at__gte=now),
        "resolution_met": Q(resolved_at__lte=F("due_at")) | (never_resolved & Q(closed_at__lte=F("due_at"))),
        "resolution_breached": Q(resolved_at__gt=F("due_at"))
        | (never_resolved & Q(closed_at__gt=F("due_at")))
        | (unfinished & Q(due_at__lt=now)),
        "resolution_in_progress": unfinished & Q(due_at__gte=now),
    }


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in the current time zone: both dates inclusive."""
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), tz),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz),
    )


def _median(values: list[timedelta]) -> timedelta | None:
    return statistics.median(values) if values else None


def sla_report(
    user: User, *, start: date, end: date, group_by: GroupBy = "sla", now: datetime | None = None
) -> list[Row]:
    """One row per SLA plan (tickets without an SLA left out) or per department (all tickets;
    the SLA columns count only tickets with due dates), by label, then a total row "All".

    Three queries (counts, timings, feedback), however many tickets or groups.
    """
    key, label = GROUPINGS[group_by]
    now = now or timezone.now()
    lower, upper = day_bounds(start, end)
    tickets = tickets_visible_to(user).filter(created_at__gte=lower, created_at__lt=upper)
    if group_by == "sla":
        tickets = tickets.filter(sla__isnull=False)

    counts = (
        tickets.values(key, label)
        .annotate(tickets=Count("pk"), **{name: Count("pk", filter=q) for name, q in _conditions(now).items()})
        .order_by(label, key)
    )
    rows = {r[key]: Row(label=r[label], **{name: r[name] for name in COUNTED}) for r in counts}

    first_responses: dict[int, list[timedelta]] = defaultdict(list)
    resolutions: dict[int, list[timedelta]] = defaultdict(list)
    timings = tickets.filter(Q(first_responded_at__isnull=False) | Q(resolved_at__isnull=False)).values_list(
        key, "created_at", "first_responded_at", "resolved_at"
    )
    for group, created_at, responded_at, resolved_at in timings.order_by():
        if responded_at is not None:
            first_responses[group].append(responded_at - created_at)
        if resolved_at is not None:
            resolutions[group].append(resolved_at - created_at)
    for group, row in rows.items():
        row.median_first_response = _median(first_responses[group])
        row.median_resolution = _median(resolutions[group])

    ratings = (
        Feedback.objects.filter(ticket__in=tickets).values(f"ticket__{key}").annotate(n=Count("pk"), sum=Sum("rating"))
    )
    rating_sum = 0
    for r in ratings.order_by():
        row = rows[r[f"ticket__{key}"]]
        row.feedback_count, row.feedback_average = r["n"], r["sum"] / r["n"]
        rating_sum += r["sum"]

    total = Row(
        label="All",
        **{name: sum(getattr(row, name) for row in rows.values()) for name in COUNTED},
        median_first_response=_median([d for values in first_responses.values() for d in values]),
        median_resolution=_median([d for values in resolutions.values() for d in values]),
        feedback_count=sum(row.feedback_count for row in rows.values()),
    )
    total.feedback_average = rating_sum / total.feedback_count if total.feedback_count else None
    return [*rows.values(), total]
