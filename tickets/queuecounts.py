"""The desk's queue counts, kept by the database in `QueueCount` rows.

Counting the tickets an agent may see takes a scan of all of them (hundreds of milliseconds at
a million tickets). Instead, triggers on tickets_ticket add a +1 row for the bucket a ticket
enters and a -1 row for the one it leaves — a bucket being (department, team, assignee,
status, overdue flag) — and the desk sums the few bucket rows its agent may see.

Triggers rather than the services: a count must stay right whatever writes a ticket (a bulk
`.update()`, the admin, a data migration). Rows are only ever inserted, so concurrent writers
never wait on one another; `compact` (run by beat) folds them back into one row per bucket.

On SQLite, a migration that rebuilds tickets_ticket (some AlterFields do) drops its triggers;
after every `migrate` the app puts them back and recounts (tickets/apps.py).
"""

from collections import Counter

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Count, Sum

from .models import ACTIVE_STATUSES, QueueCount, Status, Ticket
from .queues import QUEUES

BUCKET = ("department_id", "team_id", "assignee_id", "status", "is_overdue")
COLUMNS = ", ".join(BUCKET)
QUEUE_KEYS = [key for key, _ in QUEUES]

_POSTGRES_TRIGGERS = f"""
CREATE OR REPLACE FUNCTION tickets_queuecount_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO tickets_queuecount ({COLUMNS}, n)
        SELECT {COLUMNS}, count(*) FROM new_rows GROUP BY {COLUMNS};
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO tickets_queuecount ({COLUMNS}, n)
        SELECT {COLUMNS}, -count(*) FROM old_rows GROUP BY {COLUMNS};
    ELSE
        INSERT INTO tickets_queuecount ({COLUMNS}, n)
        SELECT {COLUMNS}, sum(n) FROM (
            SELECT {COLUMNS}, 1 AS n FROM new_rows
            UNION ALL
            SELECT {COLUMNS}, -1 AS n FROM old_rows
        ) AS moved
        GROUP BY {COLUMNS} HAVING sum(n) <> 0;
    END IF;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS tickets_queuecount_insert ON tickets_ticket;
DROP TRIGGER IF EXISTS tickets_queuecount_update ON tickets_ticket;
DROP TRIGGER IF EXISTS tickets_queuecount_delete ON tickets_ticket;
CREATE TRIGGER tickets_queuecount_insert AFTER INSERT ON tickets_ticket
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tickets_queuecount_track();
CREATE TRIGGER tickets_queuecount_update AFTER UPDATE ON tickets_ticket
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_queuecount_track();
CREATE TRIGGER tickets_queuecount_delete AFTER DELETE ON tickets_ticket
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tickets_queuecount_track();
"""


def _sqlite_values(row: str, n: int) -> str:
    return ", ".join(f"{row}.{column}" for column in BUCKET) + f", {n}"


_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS tickets_queuecount_insert AFTER INSERT ON tickets_ticket BEGIN
        INSERT INTO tickets_queuecount ({COLUMNS}, n) VALUES ({_sqlite_values("NEW", 1)});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS tickets_queuecount_delete AFTER DELETE ON tickets_ticket BEGIN
        INSERT INTO tickets_queuecount ({COLUMNS}, n) VALUES ({_sqlite_values("OLD", -1)});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS tickets_queuecount_update AFTER UPDATE OF {COLUMNS} ON tickets_ticket
    WHEN {" OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in BUCKET)} BEGIN
        INSERT INTO tickets_queuecount ({COLUMNS}, n)
        VALUES ({_sqlite_values("OLD", -1)}), ({_sqlite_values("NEW", 1)});
    END""",
]


def install_triggers(using: str = DEFAULT_DB_ALIAS) -> None:
    """Create (or replace) the triggers; safe to run again."""
    statements = [_POSTGRES_TRIGGERS] if connections[using].vendor == "postgresql" else _SQLITE_TRIGGERS
    with connections[using].cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


RECOUNT = (
    f"INSERT INTO tickets_queuecount ({COLUMNS}, n) SELECT {COLUMNS}, count(*) FROM tickets_ticket GROUP BY {COLUMNS}"
)


def rebuild(using: str = DEFAULT_DB_ALIAS) -> None:
    """Recount every bucket from the tickets: after a bulk load with triggers off, or to repair."""
    with transaction.atomic(using), connections[using].cursor() as cursor:
        if connections[using].vendor == "postgresql":
            # Writers wait for the recount instead of adding rows it would then throw away.
            cursor.execute("LOCK TABLE tickets_ticket IN SHARE MODE")
        cursor.execute("DELETE FROM tickets_queuecount")
        cursor.execute(RECOUNT)


def compact() -> int:
    """Fold the rows into one per bucket (dropping the empty ones); returns the rows removed.

    DELETE … RETURNING takes exactly the rows it sums, so a row a concurrent writer adds
    meanwhile is left for the next run, never lost or counted twice.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM tickets_queuecount RETURNING {COLUMNS}, n")
        rows = cursor.fetchall()
        totals: Counter = Counter()
        for *bucket, n in rows:
            totals[tuple(bucket)] += n
        kept = [QueueCount(n=n, **dict(zip(BUCKET, bucket, strict=True))) for bucket, n in totals.items() if n]
        QueueCount.objects.bulk_create(kept)
    return len(rows) - len(kept)


def bucket_counts(user) -> dict[str, int]:
    """Each queue's count from the buckets an agent may see, plus the tickets the agent
    requested outside them. Tickets past due that the sweep hasn't marked yet are the caller's
    to add: buckets know the overdue flag, not the clock."""
    counts = dict.fromkeys(QUEUE_KEYS, 0)
    profile = user.agent_profile
    buckets = QueueCount.objects.order_by()
    own = Ticket.objects.none()
    if not profile.all_departments:
        seen = profile.scope()
        buckets = buckets.filter(seen)
        own = Ticket.objects.filter(requester=user).exclude(seen).order_by()
    grouping = ("status", "assignee_id", "is_overdue")
    for row in [
        *buckets.values(*grouping).annotate(total=Sum("n")),
        *own.values(*grouping).annotate(total=Count("pk")),
    ]:
        _add(counts, row, user.pk)
    return counts


def _add(counts: dict[str, int], row: dict, user_id: int) -> None:
    status, assignee, n = row["status"], row["assignee_id"], row["total"]
    if status in ACTIVE_STATUSES:
        counts["unassigned" if assignee is None else "assigned"] += n
        if assignee == user_id:
            counts["mine"] += n
    if status == Status.OPEN:
        counts["open"] += n
        if row["is_overdue"]:
            counts["overdue"] += n
    elif status == Status.PENDING:
        counts["pending"] += n
    else:
        counts["closed"] += n
