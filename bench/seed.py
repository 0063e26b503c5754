"""Seed a migrated, empty bench database with N tickets, fast.

Run by bench/run.py (python -m bench.seed --tickets N --out targets.json) with DATABASE_URL and
DJANGO_SETTINGS_MODULE=bench.settings_bench in the environment. People, departments, topics and
SLA plans go through the ORM; tickets, thread entries and events are streamed with COPY FROM
STDIN from Python generators, with the secondary indexes dropped during the load and rebuilt
afterwards (two at a time), and foreign-key triggers off for the load (the generator only
produces valid ids). Writes the ids, numbers and session cookies the load client needs.
"""

import argparse
import json
import os
import random
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")
django.setup()

import psycopg2  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from accounts.models import AgentProfile, User  # noqa: E402
from sla.models import SLA  # noqa: E402
from tickets import queuecounts  # noqa: E402
from tickets.models import Department, HelpTopic  # noqa: E402
from tickets.queues import SEARCH_CONFIG  # noqa: E402

PASSWORD = "bench-only-password"
SEARCH_WORD = "kerberos"  # rare on purpose: in ~0.5 % of subjects and ~0.3 % of thread entries

DEPARTMENTS = ["IT Support", "Network", "Accounts", "Facilities", "HR Systems"]
SLAS = [("Standard", 8, 48), ("Priority", 1, 8), ("Relaxed", 24, 120)]
# name, department index, SLA index
TOPICS = [
    ("Laptop or desktop problem", 0, 0),
    ("Software request", 0, 2),
    ("Network or VPN", 1, 1),
    ("Wi-Fi", 1, 0),
    ("Password or account access", 2, 1),
    ("Building and desks", 3, 2),
    ("Payroll system", 4, 0),
    ("Onboarding", 4, 2),
]
N_REQUESTERS = 200
N_AGENTS = 20

DEVICES = [
    "laptop",
    "desktop",
    "printer",
    "monitor",
    "phone",
    "VPN",
    "email",
    "calendar",
    "badge",
    "projector",
    "dock",
    "headset",
    "scanner",
    "server",
]
PROBLEMS = [
    "won't start",
    "is very slow",
    "keeps crashing",
    "shows an error",
    "lost connection",
    "needs replacing",
    "is not syncing",
    "asks for a password again",
    "stopped working after the update",
    "makes a strange noise",
    "cannot be found",
    "is locked",
]
PLACES = [
    "on floor 2",
    "in the meeting room",
    "at home",
    "since Monday",
    "after the update",
    "for the whole team",
    "again",
    "today",
]
WORDS = [
    "please",
    "help",
    "the",
    "issue",
    "started",
    "this",
    "morning",
    "and",
    "I",
    "tried",
    "restarting",
    "but",
    "nothing",
    "changed",
    "we",
    "need",
    "it",
    "for",
    "the",
    "customer",
    "meeting",
    "tomorrow",
    "it",
    "worked",
    "last",
    "week",
    "the",
    "error",
    "says",
    "access",
    "denied",
    "connection",
    "timed",
    "out",
    "I",
    "attached",
    "a",
    "screenshot",
    "my",
    "colleague",
    "has",
    "the",
    "same",
    "problem",
    "could",
    "you",
    "check",
    "the",
    "settings",
    "thanks",
    "a",
    "lot",
    "regards",
    "urgent",
    "licence",
    "update",
    "driver",
    "firmware",
    "network",
    "cable",
    "adapter",
    "battery",
    "screen",
    "keyboard",
    "account",
]


def pools(rng: random.Random):
    subjects = []
    for d in DEVICES:
        for p in PROBLEMS:
            for pl in PLACES:
                subjects.append(f"{d.capitalize()} {p} {pl}")
    rare_subjects = [f"{SEARCH_WORD.capitalize()} ticket for {d} {p}" for d in DEVICES for p in PROBLEMS[:3]]
    bodies = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(15, 60))) for _ in range(4000)]
    rare_bodies = [b + f" the {SEARCH_WORD} login fails" for b in bodies[:50]]
    return subjects, rare_subjects, bodies, rare_bodies


class Stream:
    """A file-like object over a generator of text lines, for cursor.copy_expert."""

    def __init__(self, lines):
        self.lines = iter(lines)
        self.buf = b""

    def read(self, size=-1):
        size = 1 << 16 if size is None or size < 0 else size
        chunks, have = [self.buf], len(self.buf)
        while have < size:
            batch = []
            for line in self.lines:
                batch.append(line)
                if len(batch) >= 2000:
                    break
            if not batch:
                break
            data = "".join(batch).encode()
            chunks.append(data)
            have += len(data)
        data = b"".join(chunks)
        self.buf = data[size:]
        return data[:size]

    readline = read


def ts(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%S.%f+00")


def dsn() -> str:
    db = settings.DATABASES["default"]
    return (
        f"dbname={db['NAME']} user={db['USER'] or 'postgres'} "
        f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432}"
        + (f" password={db['PASSWORD']}" if db.get("PASSWORD") else "")
    )


def setup_people(rng):
    slas = [SLA.objects.create(name=n, first_response_hours=f, resolution_hours=r) for n, f, r in SLAS]
    depts = [
        Department.objects.create(name=n, email=f"{n.lower().replace(' ', '-')}@bench.local", default_sla=slas[0])
        for n in DEPARTMENTS
    ]
    topics = [
        HelpTopic.objects.create(name=n, department=depts[d], default_sla=slas[s], sort_order=i)
        for i, (n, d, s) in enumerate(TOPICS)
    ]
    agent_users = []
    for i in range(N_AGENTS):
        u = User.objects.create_user(
            f"agent{i:02d}@bench.local", PASSWORD if i == 0 else None, full_name=f"Agent {i:02d}"
        )
        profile = AgentProfile.objects.create(user=u)
        # agent00 (the one the bench signs in as) works two of five departments; the others one
        # or two each, four to six per department.
        mine = [0, 1] if i == 0 else [i % 5] + ([(i + 1) % 5] if i % 3 == 0 else [])
        for d in mine:
            depts[d].agents.add(profile)
        agent_users.append((u, mine))
    Department.objects.filter(pk=depts[0].pk).update(manager=agent_users[1][0])
    requesters = [
        User(email=f"user{i:03d}@example.com", full_name=f"Requester {i:03d}", password="!")
        for i in range(N_REQUESTERS)
    ]
    User.objects.bulk_create(requesters)
    requesters = list(User.objects.filter(email__endswith="@example.com").order_by("email"))
    requesters[0].set_password(PASSWORD)
    requesters[0].save(update_fields=["password"])
    return slas, depts, topics, agent_users, requesters


def load_big_tables(n, rng, slas, depts, topics, agent_users, requesters):
    subjects, rare_subjects, bodies, rare_bodies = pools(rng)
    now = datetime.now(UTC)
    dept_index = {d.pk: i for i, d in enumerate(depts)}
    agents_by_dept = [[u.pk for u, mine in agent_users if d in mine] for d in range(len(depts))]
    sla_hours = {s.pk: (s.first_response_hours, s.resolution_hours) for s in slas}
    requester_ids = [u.pk for u in requesters]
    numbers = rng.sample(range(10_000_000, 100_000_000), n)
    year = 365 * 86400

    tickets = []  # kept lean: (id, created, requester, agent-of-dept, statuskey) for entries/events
    hour = 3600

    def ticket_lines():
        rnd = rng.random
        for i in range(n):
            tid = i + 1
            r = rnd()
            status = "open" if r < 0.30 else "pending" if r < 0.35 else "resolved" if r < 0.40 else "closed"
            if status in ("open", "pending"):
                age = min(rng.expovariate(1 / (4 * 86400)), year)
            elif status == "resolved":
                age = min(rng.expovariate(1 / (6 * 86400)), year)
            else:
                age = rnd() * year
            created = now - timedelta(seconds=age)
            t = rng.choice(topics)
            d = dept_index[t.department_id]
            p = rnd()
            priority = 1 if p < 0.02 else 2 if p < 0.15 else 3 if p < 0.85 else 4
            requester = requester_ids[int(rnd() * N_REQUESTERS)]
            dept_agents = agents_by_dept[d]
            agent = dept_agents[int(rnd() * len(dept_agents))]
            assignee = agent if rnd() < 0.40 else None
            sla = t.default_sla_id if rnd() < 0.85 else None
            subject = (
                rare_subjects[int(rnd() * len(rare_subjects))]
                if rnd() < 0.005
                else subjects[int(rnd() * len(subjects))]
            )
            s = rnd()
            source = "web" if s < 0.7 else "email" if s < 0.95 else "phone"
            fr_due = due = None
            if sla:
                fr_h, res_h = sla_hours[sla]
                fr_due = created + timedelta(hours=fr_h)
                due = created + timedelta(hours=res_h)
            note_at = min(created + timedelta(seconds=rnd() * 4 * hour), now)
            resp_at = min(created + timedelta(seconds=(0.1 + rnd() * 12) * hour), now)
            resolved = closed = paused = None
            if status in ("resolved", "closed"):
                resolved = min(resp_at + timedelta(seconds=rnd() * 5 * 86400), now)
                if status == "closed":
                    closed = min(resolved + timedelta(seconds=rnd() * 3 * 86400), now)
            if status == "pending":
                paused = resp_at
            updated = closed or resolved or resp_at
            # As if beat had been running the sweep every minute: what went overdue before the
            # last minute is marked; the rest is left for the timed sweep (bench/inproc.py).
            overdue = status == "open" and due is not None and due < now - timedelta(minutes=1)
            tickets.append((tid, created, requester, agent, note_at, resp_at, status, resolved or closed))
            yield (
                "\t".join(
                    (
                        str(tid),
                        str(numbers[i]),
                        subject,
                        str(requester),
                        str(t.pk),
                        str(t.department_id),
                        r"\N",
                        str(assignee) if assignee else r"\N",
                        str(priority),
                        status,
                        str(sla) if sla else r"\N",
                        source,
                        r"\N",
                        ts(due) if due else r"\N",
                        ts(fr_due) if fr_due else r"\N",
                        ts(resp_at),
                        ts(resolved) if resolved else r"\N",
                        ts(closed) if closed else r"\N",
                        ts(created),
                        ts(updated),
                        ts(created),
                        ts(resp_at),
                        "t" if overdue else "f",
                        "f",
                        ts(paused) if paused else r"\N",
                    )
                )
                + "\n"
            )

    ticket_cols = [
        "id",
        "number",
        "subject",
        "requester_id",
        "help_topic_id",
        "department_id",
        "team_id",
        "assignee_id",
        "priority",
        "status",
        "sla_id",
        "source",
        "submission_key",
        "due_at",
        "first_response_due_at",
        "first_responded_at",
        "resolved_at",
        "closed_at",
        "created_at",
        "updated_at",
        "last_message_at",
        "last_response_at",
        "is_overdue",
        "due_is_manual",
        "paused_at",
    ]

    def entry_lines():
        rnd = rng.random
        eid = 0
        nb = len(bodies)
        for tid, created, requester, agent, note_at, resp_at, *_ in tickets:
            for kind, author, at in (
                ("message", requester, created),
                ("note", agent, note_at),
                ("response", agent, resp_at),
            ):
                eid += 1
                body = rare_bodies[int(rnd() * 50)] if rnd() < 0.003 else bodies[int(rnd() * nb)]
                yield f"{eid}\t{tid}\t{kind}\t{author}\t{body}\tweb\t{ts(at)}\t\\N\n"

    entry_cols = ["id", "ticket_id", "kind", "author_id", "body", "source", "created_at", "submission_key"]

    def event_lines():
        eid = 0
        for tid, created, requester, agent, note_at, resp_at, status, done_at in tickets:
            eid += 1
            yield f"{eid}\t{tid}\tcreated\t{requester}\t\t\t\t{ts(created)}\n"
            eid += 1
            yield f"{eid}\t{tid}\tnote\t{agent}\t\t\t\t{ts(note_at)}\n"
            eid += 1
            yield f"{eid}\t{tid}\tresponse\t{agent}\t\t\t\t{ts(resp_at)}\n"
            if done_at:
                eid += 1
                yield f"{eid}\t{tid}\tstatus\t{agent}\topen\t{status}\t\t{ts(done_at)}\n"

    event_cols = ["id", "ticket_id", "kind", "actor_id", "old_value", "new_value", "detail", "created_at"]

    conn = psycopg2.connect(dsn())
    conn.autocommit = False
    cur = conn.cursor()
    tables = [
        ("tickets_ticket", ticket_cols, ticket_lines),
        ("tickets_threadentry", entry_cols, entry_lines),
        ("tickets_event", event_cols, event_lines),
    ]
    for table, cols, _ in tables:
        check_columns(cur, table, cols)
    # Secondary indexes (not those behind constraints) are rebuilt after the load: much faster.
    cur.execute(
        """SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           WHERE i.indrelid::regclass::text = ANY(%s)
             AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)""",
        ([t for t, _, _ in tables],),
    )
    indexes = cur.fetchall()
    for name, _ in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    cur.execute("SET session_replication_role = replica")  # no FK triggers during the load
    timings = {}
    for table, cols, lines in tables:
        t0 = time.perf_counter()
        cur.copy_expert(f"COPY {table} ({', '.join(cols)}) FROM STDIN", Stream(lines()))
        timings[f"copy_{table}"] = round(time.perf_counter() - t0, 2)
        print(f"  COPY {table}: {timings[f'copy_{table}']} s", flush=True)
    cur.execute("SET session_replication_role = origin")
    for table, _, _ in tables:
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    conn.commit()
    conn.close()

    t0 = time.perf_counter()
    fill_search_documents(n)
    # The fill rewrote every ticket row: compact the table (as it would be after a year of
    # autovacuum), while only the constraint indexes exist.
    run_outside_transaction("VACUUM FULL tickets_ticket")
    timings["search_documents"] = round(time.perf_counter() - t0, 2)
    print(f"  search documents (with VACUUM FULL): {timings['search_documents']} s", flush=True)

    t0 = time.perf_counter()
    run_two_at_a_time([(ddl, None) for _, ddl in indexes])
    timings["rebuild_indexes"] = round(time.perf_counter() - t0, 2)
    print(f"  rebuilt {len(indexes)} indexes: {timings['rebuild_indexes']} s", flush=True)

    # The load ran with triggers off (replica role), so the desk's queue counts start from a recount.
    t0 = time.perf_counter()
    queuecounts.rebuild()
    timings["recount_queues"] = round(time.perf_counter() - t0, 2)
    print(f"  queue counts: {timings['recount_queues']} s", flush=True)

    t0 = time.perf_counter()
    run_outside_transaction("VACUUM ANALYZE")
    timings["vacuum_analyze"] = round(time.perf_counter() - t0, 2)
    print(f"  VACUUM ANALYZE: {timings['vacuum_analyze']} s", flush=True)
    return tickets, numbers, timings


def run_outside_transaction(sql: str) -> None:
    """VACUUM can't run in a transaction block: its own connection, in autocommit."""
    c = psycopg2.connect(dsn())
    c.autocommit = True
    c.cursor().execute(sql)
    c.close()


def run_two_at_a_time(statements: list[tuple[str, tuple | None]]) -> None:
    """Run the statements on two connections at once (the machine has two cores), each taking the
    next statement left; generous memory, as for a bulk load. Fails if any statement failed."""
    todo = list(statements)
    lock = threading.Lock()
    errors = []

    def work():
        c = psycopg2.connect(dsn())
        c.autocommit = True
        k = c.cursor()
        k.execute("SET maintenance_work_mem = '512MB'")
        k.execute("SET max_parallel_maintenance_workers = 0")
        # Grouping thread bodies with no index on ticket_id (dropped for the load) wants memory too.
        k.execute("SET work_mem = '256MB'")
        while True:
            with lock:
                if not todo:
                    break
                sql, params = todo.pop(0)
            try:
                k.execute(sql, params)
            except Exception as exc:  # noqa: BLE001
                errors.append((sql[:80], exc))
        c.close()

    workers = [threading.Thread(target=work) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        raise SystemExit(f"bulk statements failed: {errors}")


def fill_search_documents(n: int) -> None:
    """Each ticket's search document (what the services keep up to date): its subject and thread.

    Set-based, after the thread entries are loaded and before the indexes are rebuilt, so that the
    GIN index over the documents is built once. to_tsvector is the cost: each half of the tickets
    on its own connection.
    """
    fill = """UPDATE tickets_ticket AS t SET search_document = to_tsvector(%s, t.subject || ' ' || e.bodies)
                FROM (SELECT ticket_id, string_agg(body, ' ') AS bodies FROM tickets_threadentry
                       WHERE ticket_id BETWEEN %s AND %s GROUP BY ticket_id) AS e
               WHERE e.ticket_id = t.id"""
    half = n // 2
    run_two_at_a_time([(fill, (SEARCH_CONFIG, 1, half)), (fill, (SEARCH_CONFIG, half + 1, n))])


def check_columns(cur, table, cols):
    """Fail loudly if the schema gained a NOT NULL column without default that the seeder doesn't fill."""
    cur.execute(
        "SELECT column_name, is_nullable, column_default FROM information_schema.columns WHERE table_name = %s",
        (table,),
    )
    rows = cur.fetchall()
    existing = {r[0] for r in rows}
    missing = [c for c in cols if c not in existing]
    unfilled = [r[0] for r in rows if r[0] not in cols and r[1] == "NO" and r[2] is None]
    if missing or unfilled:
        raise SystemExit(f"{table}: schema changed; seeder lacks {unfilled}, table lacks {missing}")


def session_for(user) -> str:
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    # The backend that loads the user back (axes' backend only guards the login).
    s[BACKEND_SESSION_KEY] = next(b for b in settings.AUTHENTICATION_BACKENDS if "axes" not in b.lower())
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return s.session_key


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    t_all = time.perf_counter()
    slas, depts, topics, agent_users, requesters = setup_people(rng)
    tickets, numbers, timings = load_big_tables(args.tickets, rng, slas, depts, topics, agent_users, requesters)
    timings["total"] = round(time.perf_counter() - t_all, 2)

    agent = agent_users[0][0]
    agent_depts = {depts[d].pk for d in agent_users[0][1]}
    requester = requesters[0]
    # An open ticket on the agent's desk, for the work page.
    from tickets.models import Ticket

    work = (
        Ticket.objects.filter(status="open", department_id__in=agent_depts)
        .order_by("-created_at")
        .values_list("number", flat=True)[:50]
    )
    from tickets.selectors import tickets_visible_to

    open_on_desk = tickets_visible_to(agent).filter(status="open").count()
    targets = {
        "open_on_desk": open_on_desk,
        "deep_page": max(1, (open_on_desk + 24) // 25 // 2),
        "agent_email": agent.email,
        "requester_email": requester.email,
        "password": PASSWORD,
        "agent_session": session_for(agent),
        "agent_sessions": [session_for(agent) for _ in range(8)],
        "requester_sessions": [session_for(requester) for _ in range(8)],
        "work_numbers": list(work),
        "department_id": depts[0].pk,
        "topic_id": topics[0].pk,
        "search_word": SEARCH_WORD,
        "requester_ticket_count": Ticket.objects.filter(requester=requester).count(),
        "seed_timings": timings,
    }
    with open(args.out, "w") as f:
        json.dump(targets, f, indent=1)
    print(f"  seeded {args.tickets} tickets in {timings['total']} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
