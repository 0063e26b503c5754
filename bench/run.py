"""Frontdesk benchmark: seed N tickets on PostgreSQL, serve the app under gunicorn, measure.

    .venv/bin/python bench/run.py --tickets 1000 [--tickets 100000 --tickets 1000000]

For each N: a fresh database (dropped and created), migrate, seed (bench/seed.py), gunicorn with
2 workers and DEBUG off, an HTTP load of each page (bench/endpoints.py) with 4 keep-alive
clients, then in-process: SQL queries per page, the dashboard counts and the overdue sweep
(bench/inproc.py). Writes bench/results/results-<N>.json and bench/results/README.md.
"""

import argparse
import http.client
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.endpoints import endpoints  # noqa: E402

# Overridable so that two checkouts can run the bench side by side without sharing a database.
RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "results"))
ADMIN_DSN = "dbname=postgres user=postgres host=127.0.0.1 port=5432"
DB = os.environ.get("BENCH_DB", "frontdesk_bench")
PORT = int(os.environ.get("BENCH_PORT", "8077"))
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
CONCURRENCY = 4
WARMUP = 20
REQUESTS = 200
TIME_CAP = 30.0  # seconds per endpoint: a slow page gets fewer samples rather than a stalled run


def log(msg: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {msg}", flush=True)


def env_for(var_dir: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB}",
        DJANGO_SETTINGS_MODULE="bench.settings_bench",
        DEBUG="false",
        SECRET_KEY="bench-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{PORT}",
        FRONTDESK_VAR_DIR=var_dir,
        # The app's embedded default: tasks go to kombu's filesystem broker (nothing consumes
        # them here), so requests and the sweep pay for writing the outbox row and enqueuing,
        # as with Redis in production, not for rendering and sending the e-mail.
        CELERY_TASK_ALWAYS_EAGER="false",
        EMAIL_URL="memorymail://",
        PYTHONPATH=str(ROOT),
        LOG_LEVEL="WARNING",
        CONN_MAX_AGE="60",
    )
    return env


def recreate_db() -> None:
    conn = psycopg2.connect(ADMIN_DSN)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    cur.execute(f"CREATE DATABASE {DB}")
    conn.close()


def drop_db() -> None:
    conn = psycopg2.connect(ADMIN_DSN)
    conn.autocommit = True
    conn.cursor().execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    conn.close()


def machine() -> dict:
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    with open("/proc/meminfo") as f:
        mem_kb = next(int(line.split()[1]) for line in f if line.startswith("MemTotal"))
    conn = psycopg2.connect(ADMIN_DSN)
    cur = conn.cursor()
    cur.execute("SHOW server_version")
    pg = cur.fetchone()[0]
    settings = {}
    for name in ("shared_buffers", "work_mem", "effective_cache_size", "random_page_cost", "jit"):
        cur.execute(f"SHOW {name}")
        settings[name] = cur.fetchone()[0]
    conn.close()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "postgresql": pg,
        "postgresql_settings": settings,
        "python": platform.python_version(),
        "os": platform.platform(),
    }


# --- HTTP load -------------------------------------------------------------------------------


class Session:
    """One keep-alive connection with a cookie jar of one session (plus the CSRF cookie)."""

    def __init__(self, session_key: str | None):
        self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        self.cookies = {"sessionid": session_key} if session_key else {}
        self.csrf = None

    def request(self, method, path, body=None, headers=None):
        h = {"Host": f"127.0.0.1:{PORT}", "Connection": "keep-alive"}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            h["Content-Type"] = "application/x-www-form-urlencoded"
            h["Referer"] = f"http://127.0.0.1:{PORT}{path}"
        h.update(headers or {})
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=h)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
                if attempt:
                    raise
        for value in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return resp.status, data

    def fetch_csrf(self, path):
        status, data = self.request("GET", path)
        m = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', data)
        self.csrf = m.group(1).decode() if m else None


def run_endpoint(ep, sessions, n_requests) -> dict:
    lat, statuses, lock = [], {}, threading.Lock()
    counter = {"left": n_requests + WARMUP, "done": 0}
    deadline = [None]
    start_measure = [None]

    def worker(sess):
        if ep["method"] == "POST":
            sess.fetch_csrf(ep["path"])
        while True:
            with lock:
                if counter["left"] <= 0 or (deadline[0] and time.perf_counter() > deadline[0]):
                    return
                counter["left"] -= 1
                # Warm-up: WARMUP requests, or 10 s for a slow page.
                warm = counter["done"] < WARMUP and time.perf_counter() - t_start < 10
                counter["done"] += 1
            path = ep["path"]() if callable(ep["path"]) else ep["path"]
            body = None
            if ep["method"] == "POST":
                form = ep["form"]()
                form["csrfmiddlewaretoken"] = sess.csrf
                body = urllib.parse.urlencode(form)
            t0 = time.perf_counter()
            status, _ = sess.request(ep["method"], path, body=body, headers=ep.get("headers"))
            dt = time.perf_counter() - t0
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if not warm:
                    if start_measure[0] is None:
                        start_measure[0] = t0
                        deadline[0] = t0 + TIME_CAP
                    lat.append(dt)

    threads = [threading.Thread(target=worker, args=(s,)) for s in sessions]
    t_start = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - (start_measure[0] or t_start)
    lat.sort()
    q = statistics.quantiles(lat, n=100) if len(lat) >= 2 else [lat[0] * 1000] * 99
    return {
        "requests": len(lat),
        "p50_ms": round(statistics.median(lat) * 1000, 2),
        "p95_ms": round(q[94] * 1000, 2),
        "rps": round(len(lat) / wall, 1),
        "statuses": statuses,
    }


def wait_for_server(proc) -> None:
    for _ in range(100):
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited")
        try:
            c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            c.request("GET", "/bench/floor/")
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def http_load(targets, env, n_requests, workdir) -> dict:
    log_file = open(Path(workdir) / "gunicorn.log", "w")  # noqa: SIM115 (lives as long as the server)
    proc = subprocess.Popen(
        [GUNICORN, "bench.wsgi_bench:application", "-w", "2", "-b", f"127.0.0.1:{PORT}", "--timeout", "120"],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    out = {"_load_average_before": os.getloadavg()}
    try:
        wait_for_server(proc)
        for ep in endpoints(targets):
            keys = {"agent": targets["agent_sessions"], "requester": targets["requester_sessions"]}.get(ep["who"])
            sessions = [Session(keys[i] if keys else None) for i in range(CONCURRENCY)]
            out[ep["name"]] = run_endpoint(ep, sessions, n_requests)
            r = out[ep["name"]]
            log(
                f"  {ep['name']:<18} p50 {r['p50_ms']:>8} ms  p95 {r['p95_ms']:>8} ms"
                f"  {r['rps']:>7} rps  {r['statuses']}"
            )
        out["_load_average_after"] = os.getloadavg()
    finally:
        proc.terminate()
        proc.wait(10)
    return out


# --- one N -----------------------------------------------------------------------------------


def run_one(n: int, n_requests: int, keep_db: bool) -> dict:
    workdir = tempfile.mkdtemp(prefix=f"frontdesk-bench-{n}-")
    env = env_for(workdir)
    log(f"N={n:,}: fresh database {DB}")
    recreate_db()
    t0 = time.perf_counter()
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    migrate_s = time.perf_counter() - t0
    # DEBUG off serves hashed static names from the manifest, as in production.
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    targets_file = Path(workdir) / "targets.json"
    log(f"N={n:,}: seeding")
    t0 = time.perf_counter()
    subprocess.run(
        [PY, "-m", "bench.seed", "--tickets", str(n), "--out", str(targets_file)], cwd=ROOT, env=env, check=True
    )
    seed_s = time.perf_counter() - t0
    targets = json.loads(targets_file.read_text())
    log(f"N={n:,}: seeded in {seed_s:.1f} s; HTTP load")
    http = http_load(targets, env, n_requests, workdir)
    log(f"N={n:,}: in-process: queries per page, dashboard counts, overdue sweep")
    inproc_file = Path(workdir) / "inproc.json"
    subprocess.run(
        [PY, "-m", "bench.inproc", "--targets", str(targets_file), "--out", str(inproc_file)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    inproc = json.loads(inproc_file.read_text())
    with psycopg2.connect(f"dbname={DB} user=postgres host=127.0.0.1") as conn:
        cur = conn.cursor()
        cur.execute(f"SELECT pg_size_pretty(pg_database_size('{DB}'))")
        db_size = cur.fetchone()[0]
    if not keep_db:
        drop_db()
    load_avg = [http.pop("_load_average_before"), http.pop("_load_average_after", None)]
    floor = http["floor"]["p50_ms"]
    for name, r in http.items():
        r["ratio_to_floor_p50"] = round(r["p50_ms"] / floor, 2)
        q = inproc.get("queries", {}).get(name)
        r["queries"] = q["queries"] if q else None
    return {
        "tickets": n,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "db_size": db_size,
        "migrate_s": round(migrate_s, 1),
        "seed_s": round(seed_s, 1),
        "seed_detail": targets["seed_timings"],
        "open_on_desk": targets["open_on_desk"],
        "deep_page": targets["deep_page"],
        "requester_ticket_count": targets["requester_ticket_count"],
        "http": http,
        "inproc": inproc,
        "concurrency": CONCURRENCY,
        # The machine is shared: other processes' load during the HTTP measurements.
        "load_average_before_after": load_avg,
        "gunicorn_workers": 2,
    }


# --- report ----------------------------------------------------------------------------------

LABELS = {
    "floor": "Floor: bare view, tiny template",
    "floor_base": "Empty page in base.html, as the agent (not a goal)",
    "open_queue": "Open queue, first page (with counts)",
    "open_queue_deep": "Open queue, deep page (the middle, or page 40, the last the desk offers)",
    "open_queue_htmx": "Open queue, htmx partial (no counts)",
    "filtered_sorted": "Filtered + sorted queue",
    "search": "Text search",
    "work_page": "Ticket work page",
    "my_tickets": "Requester: My tickets",
    "portal_new_get": "Portal: new ticket form (GET)",
    "portal_new_post": "Portal: submit ticket (POST)",
}


def goals(r: dict) -> list[tuple[str, str, bool]]:
    h, floor = r["http"], r["http"]["floor"]["p50_ms"]
    out = []
    for name in ("open_queue", "my_tickets", "work_page"):
        ratio = h[name]["p50_ms"] / floor
        out.append((f"{LABELS[name]} ≤ 3× floor p50", f"{ratio:.1f}×", ratio <= 3))
    counts = r["inproc"]["counts"]["p50_ms"]
    ratio = (counts + floor) / floor
    out.append(
        ("Dashboard counts ≤ 3× floor p50 (floor + counts query)", f"{ratio:.1f}× ({counts} ms query)", ratio <= 3)
    )
    out.append(("Search p50 < 100 ms", f"{h['search']['p50_ms']} ms", h["search"]["p50_ms"] < 100))
    sweep = r["inproc"]["sweep"]
    worst = max(sweep["first_run_s"], sweep["second_run_s"])
    out.append(("Overdue sweep < 2 s", f"{sweep['first_run_s']} s / {sweep['second_run_s']} s", worst < 2))
    return out


def markdown(all_results: list[dict]) -> str:
    m = all_results[0]["machine"]
    lines = [
        "# Frontdesk benchmark results",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM; PostgreSQL {m['postgresql']} "
        f"({', '.join(f'{k}={v}' for k, v in m['postgresql_settings'].items())}); Python {m['python']}; {m['os']}.",
        f"Load: gunicorn 2 sync workers, DEBUG off, {CONCURRENCY} keep-alive clients, {WARMUP} warm-up + up to "
        f"{REQUESTS} requests per page (capped at {TIME_CAP:.0f} s per page). Generated by `bench/run.py`; raw data in "
        "`results-<N>.json`.",
        "",
    ]
    for r in all_results:
        n = r["tickets"]
        lines += [
            f"## {n:,} tickets ({r['date']})",
            "",
            f"Seed {r['seed_s']} s (COPY + index rebuild + VACUUM ANALYZE: {r['seed_detail']}); "
            f"database {r['db_size']}. "
            f"The agent sees {r['open_on_desk']:,} open tickets (middle page = {r['deep_page']}); "
            f"the requester has {r['requester_ticket_count']:,} tickets. "
            f"Load average (1/5/15 min) before/after the HTTP load: {r.get('load_average_before_after')}.",
            "",
            "| Page | p50 ms | p95 ms | req/s | × floor p50 | SQL queries |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, h in r["http"].items():
            bad = {k: v for k, v in h["statuses"].items() if str(k) not in ("200", "302")}
            note = f" (statuses {bad})" if bad else ""
            lines.append(
                f"| {LABELS.get(name, name)}{note} | {h['p50_ms']} | {h['p95_ms']} | {h['rps']} | "
                f"{h['ratio_to_floor_p50']} | {h['queries']} |"
            )
        c, s = r["inproc"]["counts"], r["inproc"]["sweep"]
        lines += [
            "",
            f"Dashboard counts (`queue_counts`, in-process): p50 {c['p50_ms']} ms, max {c['max_ms']} ms.",
            f"Overdue sweep as beat runs it: first run {s['first_run_s']} s marking {s['first_run_marked']:,} "
            f"tickets ({s['notifications_written']:,} outbox rows written and enqueued to the filesystem broker); "
            f"second run {s['second_run_s']} s marking {s['second_run_marked']}. "
            + (
                f"Catching up after an hour without beat: {s['backlog_run_s']} s marking "
                f"{s['backlog_run_marked']:,} tickets (not a goal)."
                if "backlog_run_s" in s
                else ""
            ),
            "",
            "| Goal | Measured | Met |",
            "|---|---|---|",
        ]
        lines += [f"| {g} | {v} | {'yes' if ok else '**no**'} |" for g, v, ok in goals(r)]
        lines.append("")
    if len(all_results) > 1:
        names = list(dict.fromkeys(name for r in all_results for name in r["http"]))
        lines += [
            "## Queries per page across N",
            "",
            "| Page | " + " | ".join(f"{r['tickets']:,}" for r in all_results) + " |",
        ]
        lines.append("|---|" + "---:|" * len(all_results))
        for name in names:
            cells = [str(r["http"][name]["queries"]) if name in r["http"] else "–" for r in all_results]
            lines.append(f"| {LABELS.get(name, name)} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tickets", type=int, action="append", required=True, help="N; repeat for several")
    ap.add_argument("--requests", type=int, default=REQUESTS, help="measured requests per page (after warm-up)")
    ap.add_argument("--keep-db", action="store_true", help="leave the last database for inspection")
    args = ap.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    for n in args.tickets:
        result = run_one(n, args.requests, args.keep_db)
        (RESULTS / f"results-{n}.json").write_text(json.dumps(result, indent=1, default=str))
        log(f"N={n:,}: wrote {RESULTS / f'results-{n}.json'}")
        # The README table covers every N that has a results file, latest run of each.
        found = sorted(RESULTS.glob("results-*.json"), key=lambda p: int(p.stem.split("-")[1]))
        (RESULTS / "README.md").write_text(markdown([json.loads(p.read_text()) for p in found]))


if __name__ == "__main__":
    main()
