"""In-process measurements against the seeded bench database (python -m bench.inproc ...).

- SQL queries per page: each endpoint through django.test.Client under CaptureQueriesContext,
  plus the slowest statements of each page (with EXPLAIN ANALYZE of the slowest one).
- The dashboard counts (selectors.queue_counts) timed on their own.
- The overdue sweep (services.sweep_overdue), first run and an immediate second run, with
  Celery eager and a local-memory mail backend, so the outbox rows and their delivery count.
"""

import argparse
import json
import os
import statistics
import time
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.endpoints import endpoints  # noqa: E402
from tickets import services  # noqa: E402
from tickets.models import Notification, Ticket  # noqa: E402
from tickets.selectors import queue_counts  # noqa: E402


def explain(sql: str) -> str:
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(r[0] for r in cur.fetchall())


def queries_per_page(targets: dict) -> dict:
    agent = User.objects.get(email=targets["agent_email"])
    requester = User.objects.get(email=targets["requester_email"])
    clients = {"agent": Client(), "requester": Client()}
    clients["agent"].force_login(agent, backend="accounts.backends.UserBackend")
    clients["requester"].force_login(requester, backend="accounts.backends.UserBackend")
    out = {}
    for ep in endpoints(targets):
        client = clients.get(ep["who"]) or Client()
        method, path = ep["method"], ep["path"]
        path = path() if callable(path) else path
        data = None
        # Once to warm caches (templates, content types), then counted.
        for _ in range(2):
            if method == "POST":
                data = ep["form"]()
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                resp = client.post(path, data) if method == "POST" else client.get(path, headers=ep.get("headers", {}))
                elapsed = time.perf_counter() - t0
        queries = [(float(q["time"]), q["sql"]) for q in ctx.captured_queries]
        queries.sort(reverse=True)
        entry = {
            "status": resp.status_code,
            "queries": len(ctx.captured_queries),
            "inproc_ms": round(elapsed * 1000, 1),
            "slowest_sql": [{"ms": round(t * 1000, 1), "sql": s[:3000]} for t, s in queries[:3]],
        }
        if queries and queries[0][0] > 0.03 and queries[0][1].lstrip().upper().startswith("SELECT"):
            try:
                entry["explain_slowest"] = explain(queries[0][1])
            except Exception as exc:  # noqa: BLE001
                entry["explain_slowest"] = f"(EXPLAIN failed: {exc})"
                connection.rollback() if not connection.get_autocommit() else None
        out[ep["name"]] = entry
    return out


def time_counts(targets: dict, runs: int = 15) -> dict:
    agent = User.objects.select_related("agent_profile").get(email=targets["agent_email"])
    times = []
    for _ in range(runs + 2):
        t0 = time.perf_counter()
        queue_counts(agent)
        times.append(time.perf_counter() - t0)
    times = times[2:]
    with CaptureQueriesContext(connection) as ctx:
        counts = queue_counts(agent)
    return {
        "p50_ms": round(statistics.median(times) * 1000, 1),
        "max_ms": round(max(times) * 1000, 1),
        "counts": counts,
        "sql": ctx.captured_queries[-1]["sql"],
        "explain": explain(ctx.captured_queries[-1]["sql"]),
    }


def time_sweep() -> dict:
    """The sweep as beat runs it (every minute): the first run marks what went overdue since the
    seed (the minutes of the HTTP load), the second finds nothing. Then a catch-up: the last
    hour's overdue tickets un-marked, as after an hour with no beat, and swept in one run."""
    from django.utils import timezone

    before = Notification.objects.count()
    pending = Ticket.objects.overdue().filter(is_overdue=False).count()
    t0 = time.perf_counter()
    first = services.sweep_overdue()
    t1 = time.perf_counter()
    second = services.sweep_overdue()
    t2 = time.perf_counter()
    # The statement the no-op sweep runs, for its plan.
    qs = Ticket.objects.overdue(timezone.now()).filter(is_overdue=False).values_list("pk", flat=True)[:5000]
    noop_explain = explain(_sql(qs))
    written = Notification.objects.count() - before
    now = timezone.now()
    backlog = Ticket.objects.overdue(now).filter(due_at__gte=now - timedelta(hours=1)).update(is_overdue=False)
    t3 = time.perf_counter()
    caught_up = services.sweep_overdue()
    t4 = time.perf_counter()
    return {
        "to_mark": pending,
        "first_run_s": round(t1 - t0, 3),
        "first_run_marked": first,
        "second_run_s": round(t2 - t1, 3),
        "second_run_marked": second,
        "notifications_written": written,
        "noop_explain": noop_explain,
        "backlog_hour": backlog,
        "backlog_run_s": round(t4 - t3, 3),
        "backlog_run_marked": caught_up,
    }


def _sql(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        return cur.mogrify(sql, params).decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--targets", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--what", default="queries,counts,sweep")
    args = ap.parse_args()
    with open(args.targets) as f:
        targets = json.load(f)
    what = args.what.split(",")
    result = {}
    if "queries" in what:
        result["queries"] = queries_per_page(targets)
        print("  queries per page done", flush=True)
    if "counts" in what:
        result["counts"] = time_counts(targets)
        print(f"  dashboard counts p50 {result['counts']['p50_ms']} ms", flush=True)
    if "sweep" in what:
        result["sweep"] = time_sweep()
        s = result["sweep"]
        print(
            f"  sweep: first {s['first_run_s']} s ({s['first_run_marked']}), second {s['second_run_s']} s", flush=True
        )
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1, default=str)


if __name__ == "__main__":
    main()
