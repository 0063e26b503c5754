"""The desk's queues as query conditions: which tickets each queue holds, the whitelisted sort
orders, the filters and the text search.

Nothing here checks permission: callers start from `selectors.tickets_visible_to(user)`.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from accounts.models import User

from .models import ACTIVE, Status, ThreadEntry, overdue_condition

QUEUES: list[tuple[str, str]] = [
    ("open", "Open"),
    ("unassigned", "Unassigned"),
    ("mine", "My tickets"),
    ("assigned", "Assigned"),
    ("overdue", "Overdue"),
    ("pending", "Pending"),
    ("closed", "Closed"),
]
DEFAULT_QUEUE = "open"


def queue_condition(key: str, user: User, now: datetime) -> Q:
    """What a queue holds."""
    return {
        "open": Q(status=Status.OPEN),
        "unassigned": ACTIVE & Q(assignee__isnull=True),
        "mine": ACTIVE & Q(assignee=user),
        "assigned": ACTIVE & Q(assignee__isnull=False),
        "overdue": overdue_condition(now),
        "pending": Q(status=Status.PENDING),
        "closed": Q(status__in=[Status.RESOLVED, Status.CLOSED]),
    }[key]


@dataclass(frozen=True)
class Column:
    label: str
    sort: str = ""  # the sort key, when the column is sortable


# The list's columns in order; only these sort keys are accepted, each backed by an index.
COLUMNS = [
    Column("Number", "number"),
    Column("Subject"),
    Column("Requester"),
    Column("Help topic"),
    Column("Department"),
    Column("Assignee"),
    Column("Priority", "priority"),
    Column("Status", "status"),
    Column("Due", "due_at"),
    Column("Last update", "updated_at"),
]
# Each sort is the column, then the tie-breakers of the index that serves it (models.Ticket.Meta),
# so that PostgreSQL reads the first page straight off an index, forwards or backwards, instead
# of sorting every ticket in the queue. Descending reverses the whole order. A ticket without a
# due date counts as due last: after the others going up, before them going down.
SORTS = {
    "number": ["number"],
    "priority": ["priority", "-created_at", "-pk"],
    "status": ["status", "priority", "-created_at", "-pk"],
    "due_at": ["due_at", "pk"],
    "updated_at": ["updated_at", "pk"],
    "created_at": ["created_at", "pk"],
}
SORT_KEYS = set(SORTS)
DEFAULT_SORT = "priority"


def ordering(sort: str) -> list:
    """ORDER BY for a whitelisted `sort` ("due_at", "-due_at", …); the default otherwise.

    Always ends on a unique column, so that pages never repeat or skip a row.
    """
    key = sort.removeprefix("-")
    if key not in SORTS:
        key, sort = DEFAULT_SORT, DEFAULT_SORT
    descending = sort.startswith("-")
    return [_direction(field, descending) for field in SORTS[key]]


def _direction(field: str, descending: bool):
    name = field.removeprefix("-")
    if field.startswith("-") != descending:
        return F(name).desc(nulls_first=True)  # as PostgreSQL does by default, and its indexes
    return F(name).asc(nulls_last=True)


def sort_headers(sort: str) -> list[dict]:
    """Each column with the sort its header link asks for and, if sorted by it, the direction."""
    headers = []
    for column in COLUMNS:
        current = None
        if column.sort and sort.removeprefix("-") == column.sort:
            current = "descending" if sort.startswith("-") else "ascending"
        next_sort = f"-{column.sort}" if current == "ascending" else column.sort
        headers.append({"label": column.label, "sort": column.sort, "next": next_sort, "current": current})
    return headers


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filter_condition(data: dict) -> Q:
    """The filter form's cleaned values as one condition; dates are whole days, both ends included."""
    condition = Q()
    for name in ("department", "team", "assignee", "help_topic", "priority", "status"):
        if data.get(name) not in (None, ""):
            condition &= Q(**{name: data[name]})
    for field in ("created", "due"):
        if data.get(f"{field}_from"):
            condition &= Q(**{f"{field}_at__gte": _day_start(data[f"{field}_from"])})
        if data.get(f"{field}_to"):
            condition &= Q(**{f"{field}_at__lt": _day_start(data[f"{field}_to"] + timedelta(days=1))})
    return condition


# The text search configuration of Ticket.search_document: the services build the document with
# it and the search parses queries with it (migration 0010 backfilled with the same).
SEARCH_CONFIG = "english"


def search_condition(text: str) -> Q:
    """Tickets matching `text` by number (exact or prefix), requester, subject or any thread entry.

    Agents may find internal notes too: this search is only reachable from the desk.
    On PostgreSQL subject and thread are one full-text match on the stored search document, and
    every part of the OR is an index condition (GIN document, number prefix, requester ids), so
    that PostgreSQL gathers the candidates with a BitmapOr. The GIN index also holds the status,
    department, team, assignee and requester (migration 0011), so the queue and the visibility
    narrow the word's matches inside the index rather than in the table. Elsewhere: icontains.
    """
    text = text.strip()
    number = text.lstrip("#")
    # On PostgreSQL the prefix match uses the number's pattern-ops index (made for unique CharFields).
    condition = Q(number__startswith=number) if number.isdigit() else Q()
    # The matching requesters' ids first, as a plain list (like the agent's departments in
    # tickets_visible_to): PostgreSQL then estimates this part from its statistics and can use
    # the requester index; an IN (subquery) or a guessed-size array made it misjudge the OR.
    requesters = User.objects.filter(Q(email__icontains=text) | Q(full_name__icontains=text))
    condition |= Q(requester__in=list(requesters.order_by().values_list("pk", flat=True)))
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        return condition | Q(search_document=SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG))
    entries = ThreadEntry.objects.filter(ticket=OuterRef("pk"), body__icontains=text)
    return condition | Q(subject__icontains=text) | Q(Exists(entries))
