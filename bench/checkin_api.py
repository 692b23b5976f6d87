"""Throughput of the check-in API in a batch sync burst, under gunicorn, on SQLite and PostgreSQL:
a baseline revision and the working tree side by side, in one run.

    .venv/bin/python bench/checkin_api.py [--baseline REV|none] [--pg-workers 2,4]
                                          [--phones 500] [--clients 50] [--show-statements]

500 phones come back online at once; each posts the 3 claims it queued while offline (one for
each of 3 events, scanned one to three hours ago) in one batch to `POST /api/v1/checkins`.
Every claim is genuine and within the events' offline limit, so all 1500 must be accepted and
the database must end with 1500 attendances; a run where they are not is flagged WRONG and the
script exits with status 1.

Two trees are measured: the baseline (`--baseline`, a git revision, by default 0ec3e82, the last
commit before the set-based path; `none` skips it), checked out with `git worktree add --detach`
in a temporary folder that is removed afterwards, and the working tree ("new"). Each tree runs
its own code everywhere, with this script's python: the preparation and the statement count run
in a child process of this script with that tree first on sys.path (the editable install would
otherwise import the main checkout), and gunicorn runs with that tree as cwd and PYTHONPATH. So
each tree migrates its own database with its own migrations, whatever the schema. The bench
itself only speaks HTTP to the server and uses the public services to prepare (create_user,
create_event, issue_membership, codes, the keyring), never the check-in path's internals.

For each database, worker count and tree: a temporary instance folder, migrations and the people
and events made with that tree's services, then gunicorn (its default sync worker class) on a
free loopback port. The members log in through the login form before the clock starts; only the
burst is timed. SQLite runs with 2 workers; PostgreSQL once per `--pg-workers` count, each with a
fresh database. The trees take turns on each configuration, so a noisy moment hits both alike.
No chain node runs: an accepted claim only queues a chain job, and the worker is not started.
The PostgreSQL runs use their own database `enishi_bench` (made and dropped for each run; never
`test`, the suite's) and are skipped if PostgreSQL does not answer.

Statements per request: after the burst, two more members (not part of the burst) each send one
3-claim batch through that tree's Flask app and test client in the child process; the second is
counted (the first warms the process' caches), whole request, login loader and deferred writes
included. "stmts" counts SQLAlchemy's `before_cursor_execute` (an executemany is one; SQLite's
BEGIN IMMEDIATE is one, PostgreSQL's implicit BEGIN and every COMMIT are none). "driver" counts
below SQLAlchemy, so a statement sent on the raw driver connection is not missed: on PostgreSQL
each psycopg cursor execute or executemany call, on SQLite each statement sqlite3 runs (its trace
callback: an executemany counts once per row, and BEGIN and COMMIT count).

The machine is noisy: compare the rows of one run with each other (the ratio line at the end),
not with another machine's or another run's.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import postgres_db
import psycopg

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASELINE = "0ec3e82"  # the last commit before the set-based check-in path (issue 19)
PHONES = 500
EVENTS = 3  # each phone has one claim for each event: all are accepted
CLIENTS = 50  # concurrent connections; the machine has 2 cores for client and server together
SQLITE_WORKERS = 2
PG_WORKERS = "2,4"
PROBES = 2  # members outside the burst whose batch is sent in-process to count statements
PASSWORD = "bench-password"
POSTGRES_DATABASE = "enishi_bench"  # dropped and made again: never the suite's `test`
POSTGRES_URL = postgres_db.url(POSTGRES_DATABASE)
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@dataclass(frozen=True)
class Tree:
    name: str  # "baseline" or "new"
    path: Path
    revision: str  # a short commit id, "+changes" when the working tree is not clean


@dataclass
class Phone:
    email: str
    body: bytes  # the queued batch, encoded before the clock starts
    cookies: dict[str, str] = field(default_factory=dict)
    csrf_token: str = ""

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())


@dataclass(frozen=True)
class Answer:
    seconds: float
    status: int | None  # None: the connection failed
    body: bytes


@dataclass(frozen=True)
class Run:
    database: str
    workers: int
    tree: Tree
    answers: list[Answer]
    seconds: float
    attendances: int
    claims: int
    statements: int | None  # per 3-claim request, SQLAlchemy's count; None: the probe failed
    driver_statements: int | None
    probe: dict  # what the child reported about the probe request
    server_errors: int  # tracebacks in gunicorn's log


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the child: one tree's own code --------------------------------------------------------------
# Runs as `checkin_api.py --child prepare|finish FILE` with cwd and PYTHONPATH set to the tree.


def child(mode: str, file: Path, phones: int) -> None:
    tree = Path.cwd().resolve()
    sys.path.insert(0, str(tree))
    import webapp

    if not Path(webapp.__file__).resolve().is_relative_to(tree):
        raise SystemExit(f"imported {webapp.__file__}, not the tree at {tree}")
    from webapp import create_app

    app = create_app()  # the settings come from the environment, as gunicorn's workers read them
    if mode == "prepare":
        file.write_text(json.dumps(child_prepare(app, phones)))
    else:
        print(json.dumps(child_finish(app, json.loads(file.read_text()))))


def child_prepare(app, phones: int) -> dict:
    """Migrates, makes an organiser, the events and the members, and each phone's batch; also
    writes the secret key and master secret the gunicorn workers then share."""
    from datetime import timedelta

    from flask_migrate import upgrade

    from webapp.accounts import services as accounts_services
    from webapp.accounts.models import Role
    from webapp.accounts.services import create_user
    from webapp.core.db import utcnow
    from webapp.events.services import create_event
    from webapp.extensions import db
    from webapp.onchain.connection import get_public_keyring, load_keyring

    same_password_once(accounts_services)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        load_keyring(app)  # as setup does: the bench's app writes the public keyring
        keyring, now = get_public_keyring(), utcnow()
        organiser = create_user(
            db.session, keyring, email="organiser@example.org", password=PASSWORD,
            display_name="主催者", role=Role.ORGANISER,
        )  # fmt: skip
        events = [
            create_event(
                db.session, organiser, title=f"計測 {n}", venue="bench", reward=10,
                starts_at=now - timedelta(hours=4), ends_at=now + timedelta(hours=2),
            )
            for n in range(EVENTS)
        ]  # fmt: skip
        burst = [make_member(keyring, f"member{n}", n, events, now) for n in range(phones)]
        probes = [make_member(keyring, f"probe{n}", n, events, now) for n in range(PROBES)]
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return {"phones": burst, "probes": probes}


def same_password_once(module) -> None:
    """Everyone has the same password: hash it once, not once a member (a slow hash on purpose,
    seconds of preparation per hundred members). Only in this child, only while preparing; the
    server checks each login with the real hash."""
    hash_password = getattr(module, "generate_password_hash", None)
    if hash_password is not None:
        module.generate_password_hash = functools.lru_cache(maxsize=4)(hash_password)


def make_member(keyring, name: str, n: int, events, now) -> dict:
    from datetime import timedelta

    from webapp.accounts.services import create_user
    from webapp.checkin import codes
    from webapp.extensions import db
    from webapp.membership.services import issue_membership

    email = f"{name}@example.org"
    user = create_user(
        db.session, keyring, email=email, password=PASSWORD, display_name=f"会員 {name}"
    )
    issue_membership(db.session, user)
    # Event k was scanned (EVENTS - k) hours ago, phones a second apart: late for a live code,
    # well within the 7-day offline limit, so each claim is accepted as offline.
    claims = []
    for k, event in enumerate(events):
        scanned_at = now - timedelta(hours=EVENTS - k) + timedelta(seconds=n)
        token = codes.make_token(event.id, event.secret, codes.slot_at(scanned_at))
        claims.append({
            "id": str(uuid.uuid4()), "code": codes.checkin_url("http://127.0.0.1", token),
            "scanned_at": scanned_at.isoformat().replace("+00:00", "Z"), "offline": True,
        })  # fmt: skip
    return {"email": email, "body": json.dumps({"claims": claims})}


def child_finish(app, prepared: dict) -> dict:
    """The rows the burst left, then the statements of one probe member's batch."""
    from sqlalchemy import func, select

    from webapp.checkin.models import Attendance, Claim
    from webapp.extensions import db

    with app.app_context():
        count = func.count()
        attendances = db.session.scalar(select(count).select_from(Attendance))
        claims = db.session.scalar(select(count).select_from(Claim))
        db.session.remove()
        engine = db.engine
    # No app context stays pushed: each test request must push its own, with its own `g`.
    probes = [probe_request(app, engine, probe) for probe in prepared["probes"]]
    return {"attendances": attendances, "claims": claims, "probe": probes[-1]}


def probe_request(app, engine, probe: dict) -> dict:
    from sqlalchemy import event

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    form = {"email": probe["email"], "password": PASSWORD}
    client.post("/login", data={**form, "csrf_token": CSRF_META.search(page).group(1)})
    state = client.get("/api/v1/session").get_json()
    if not state["logged_in"]:
        return {"error": f"{probe['email']} could not log in"}

    statements: list[str] = []
    driver: list[str] = []

    def count(connection, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    def trace(dbapi_connection, record, proxy):
        if engine.dialect.name == "sqlite":
            dbapi_connection.set_trace_callback(driver.append)

    def untrace(dbapi_connection, record):
        if engine.dialect.name == "sqlite":
            dbapi_connection.set_trace_callback(None)

    event.listen(engine, "before_cursor_execute", count)
    event.listen(engine, "checkout", trace)
    event.listen(engine, "checkin", untrace)
    restore = count_psycopg_calls(driver) if engine.dialect.name == "postgresql" else None
    try:
        headers = {"Content-Type": "application/json", "X-CSRFToken": state["csrf_token"]}
        response = client.post("/api/v1/checkins", data=probe["body"], headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", count)
        event.remove(engine, "checkout", trace)
        event.remove(engine, "checkin", untrace)
        if restore:
            restore()
    results = (response.get_json(silent=True) or {}).get("results", [])
    return {
        "status": response.status_code,
        "claims": [r.get("status") for r in results],
        "statements": statements,
        "driver": driver,
    }


def count_psycopg_calls(calls: list[str]):
    """Counts every psycopg cursor execute and executemany (Connection.execute goes through a
    cursor too), whoever calls them; returns what puts the methods back."""
    execute, executemany = psycopg.Cursor.execute, psycopg.Cursor.executemany

    def counted_execute(self, query, *args, **kwargs):
        calls.append(str(query))
        return execute(self, query, *args, **kwargs)

    def counted_executemany(self, query, *args, **kwargs):
        calls.append(str(query))
        return executemany(self, query, *args, **kwargs)

    psycopg.Cursor.execute, psycopg.Cursor.executemany = counted_execute, counted_executemany

    def restore():
        psycopg.Cursor.execute, psycopg.Cursor.executemany = execute, executemany

    return restore


def run_child(tree: Tree, env: dict[str, str], *arguments: str) -> str:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", *arguments]
    done = subprocess.run(
        command, cwd=tree.path, env=tree_environment(tree, env), capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"{tree.name}: {' '.join(arguments[:1])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def tree_environment(tree: Tree, env: dict[str, str]) -> dict[str, str]:
    return {**os.environ, **env, "PYTHONPATH": str(tree.path)}


# -- the trees -----------------------------------------------------------------------------------


def git(*arguments: str, cwd: Path = ROOT) -> str:
    return subprocess.run(
        ["git", *arguments], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def working_tree() -> Tree:
    revision = git("rev-parse", "--short", "HEAD")
    if git("status", "--porcelain", "--untracked-files=no"):
        revision += "+changes"
    return Tree("new", ROOT, revision)


def add_baseline(revision: str, folder: Path) -> Tree:
    commit = git("rev-parse", "--verify", "--short", f"{revision}^{{commit}}")
    path = folder / "baseline"
    git("worktree", "add", "--detach", str(path), commit)
    # The compiled catalogues are not in git; both trees serve the same translated pages.
    subprocess.run(
        [str(Path(sys.executable).parent / "pybabel"), "compile", "-d", "webapp/translations"],
        cwd=path, check=True, capture_output=True,
    )  # fmt: skip
    return Tree("baseline", path, commit)


def remove_baseline(tree: Tree) -> None:
    subprocess.run(["git", "worktree", "remove", "--force", str(tree.path)], cwd=ROOT)
    subprocess.run(["git", "worktree", "prune"], cwd=ROOT)


# -- the database --------------------------------------------------------------------------------


def environment(instance: Path, database_url: str) -> dict[str, str]:
    # A port where nothing listens: the API must serve without a chain, and the app must not
    # find another session's embedded node on the default port.
    return {
        "ENISHI_INSTANCE": str(instance),
        "ENISHI_DATABASE_URL": database_url,
        "ENISHI_RPC_URL": f"http://127.0.0.1:{free_port()}",
    }


# -- gunicorn ------------------------------------------------------------------------------------


def start_gunicorn(
    tree: Tree, env: dict[str, str], workers: int, port: int, log: Path
) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", "--workers", str(workers),
        "--bind", f"127.0.0.1:{port}", "webapp:create_app()",
    ]  # fmt: skip
    with log.open("wb") as output:
        return subprocess.Popen(
            command, cwd=tree.path, env=tree_environment(tree, env), stdout=output, stderr=output
        )


def wait_until_serving(server: subprocess.Popen, port: int, log: Path) -> None:
    """Waits for /healthz to see the database. It answers 503 here: there is no chain."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text(errors='replace')[-2000:]}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            status, body = request(connection, "GET", "/healthz")
            if status in (200, 503) and json.loads(body)["database"]["ok"]:
                return
        except (OSError, http.client.HTTPException, ValueError, KeyError):
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not serve /healthz within 60 seconds")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# -- the client ----------------------------------------------------------------------------------


def request(connection, method, path, body=None, headers=None, phone: Phone | None = None):
    """(status, body), keeping the phone's cookies as a browser would."""
    headers = dict(headers or {})
    if phone is not None and phone.cookies:
        headers["Cookie"] = phone.cookie_header()
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    if phone is not None:
        for header in response.headers.get_all("Set-Cookie") or ():
            phone.cookies.update({k: m.value for k, m in SimpleCookie(header).items()})
    return response.status, data


def log_in(port: int, phone: Phone) -> None:
    """What the PWA does: the login form, then the API's session state for a CSRF token."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        _status, page = request(connection, "GET", "/login", phone=phone)
        form = urlencode({
            "email": phone.email, "password": PASSWORD,
            "csrf_token": CSRF_META.search(page.decode()).group(1),
        })  # fmt: skip
        form_type = {"Content-Type": "application/x-www-form-urlencoded"}
        status, _body = request(connection, "POST", "/login", form, form_type, phone=phone)
        _status, state = request(connection, "GET", "/api/v1/session", phone=phone)
    finally:
        connection.close()
    session = json.loads(state)
    if status != 302 or not session["logged_in"]:
        raise RuntimeError(f"{phone.email} could not log in (login answered {status})")
    phone.csrf_token = session["csrf_token"]


class Client:
    """One keep-alive connection per thread. gunicorn's sync workers close each connection
    after their answer; http.client then reconnects by itself."""

    def __init__(self, port: int):
        self.port = port
        self.local = threading.local()

    def connection(self) -> http.client.HTTPConnection:
        if not hasattr(self.local, "connection"):
            self.local.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        return self.local.connection

    def sync(self, phone: Phone) -> Answer:
        headers = {"Content-Type": "application/json", "X-CSRFToken": phone.csrf_token}
        started = time.perf_counter()
        try:
            status, body = request(
                self.connection(), "POST", "/api/v1/checkins", phone.body, headers, phone
            )
        except (OSError, http.client.HTTPException) as exc:
            self.connection().close()
            return Answer(time.perf_counter() - started, None, repr(exc).encode())
        return Answer(time.perf_counter() - started, status, body)


def burst(port: int, phones: list[Phone], clients: int) -> tuple[list[Answer], float]:
    client = Client(port)
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda phone: log_in(port, phone), phones))
        started = time.perf_counter()
        answers = list(pool.map(client.sync, phones))
        return answers, time.perf_counter() - started


# -- one run -------------------------------------------------------------------------------------


def run(tree: Tree, database: str, workers: int, options) -> Run:
    label = f"{database} {workers}w {tree.name} {tree.revision}"
    with tempfile.TemporaryDirectory(prefix="enishi-bench-") as name:
        folder = Path(name)
        if database == "sqlite":
            env = environment(folder, f"sqlite:///{folder / 'enishi.sqlite'}")
        else:
            env = environment(folder, POSTGRES_URL)
            postgres_db.recreate(POSTGRES_DATABASE, create=True)
        try:
            print(f"{label}: preparing {options.phones} members", file=sys.stderr)
            prepared_file = folder / "prepared.json"
            run_child(tree, env, "prepare", str(prepared_file), "--phones", str(options.phones))
            prepared = json.loads(prepared_file.read_text())
            phones = [Phone(p["email"], p["body"].encode()) for p in prepared["phones"]]
            port, log = free_port(), folder / "gunicorn.log"
            server = start_gunicorn(tree, env, workers, port, log)
            try:
                wait_until_serving(server, port, log)
                print(f"{label}: logging in, then the burst", file=sys.stderr)
                answers, seconds = burst(port, phones, options.clients)
            finally:
                stop(server)
            finished = json.loads(run_child(tree, env, "finish", str(prepared_file)))
        finally:
            if database == "postgresql":
                postgres_db.recreate(POSTGRES_DATABASE, create=False)
        tracebacks = log.read_text(errors="replace").count("Traceback")
    probe = finished["probe"]
    probe_ok = probe.get("status") == 200 and probe.get("claims") == ["accepted"] * EVENTS
    return Run(
        database, workers, tree, answers, seconds, finished["attendances"], finished["claims"],
        len(probe["statements"]) if probe_ok else None,
        len(probe["driver"]) if probe_ok else None, probe, tracebacks,
    )  # fmt: skip


# -- the table -----------------------------------------------------------------------------------


def claim_statuses(answers: list[Answer]) -> Counter:
    """How the server answered the claims themselves: status, and reason if any."""
    statuses = Counter()
    for answer in answers:
        if answer.status == 200:
            statuses.update(describe(result) for result in json.loads(answer.body)["results"])
    return statuses


def describe(result: dict) -> str:
    return f"{result['status']} ({result['reason']})" if result["reason"] else result["status"]


def is_2xx(answer: Answer) -> bool:
    return answer.status is not None and 200 <= answer.status < 300


def claims_per_second(result: Run) -> float:
    return len(result.answers) * EVENTS / result.seconds


def problems(result: Run, phones: int) -> list[str]:
    """What makes a run's figures meaningless: not every claim accepted and recorded."""
    expected = phones * EVENTS
    found = []
    accepted = claim_statuses(result.answers)["accepted"]
    if accepted != expected:
        found.append(f"{accepted} of {expected} claims accepted")
    if result.attendances != expected or result.claims != expected:
        found.append(f"{result.attendances} attendances and {result.claims} claims stored")
    if result.statements is None:
        found.append(f"the statement probe failed: {result.probe}")
    if result.server_errors:
        found.append(f"{result.server_errors} tracebacks in gunicorn's log")
    return found


HEADER = (
    f"{'database':<10} {'wk':>2} {'tree':<8} {'revision':<14} {'claims':>6} {'seconds':>7}"
    f" {'claims/s':>8} {'p50 ms':>6} {'p99 ms':>6} {'stmts':>5} {'driver':>6} {'non-2xx':>7}"
    f" {'no answer':>9} {'tracebacks':>10} {'attendances':>11} check"
)


def print_row(result: Run, phones: int) -> None:
    latencies = [answer.seconds * 1000 for answer in result.answers]
    percentiles = statistics.quantiles(latencies, n=100, method="inclusive")
    unanswered = sum(1 for a in result.answers if a.status is None)
    non_2xx = sum(1 for a in result.answers if not is_2xx(a)) - unanswered
    statements = "?" if result.statements is None else result.statements
    driver = "?" if result.driver_statements is None else result.driver_statements
    check = "WRONG" if problems(result, phones) else "ok"
    print(
        f"{result.database:<10} {result.workers:>2} {result.tree.name:<8}"
        f" {result.tree.revision:<14} {len(result.answers) * EVENTS:>6} {result.seconds:>7.2f}"
        f" {claims_per_second(result):>8.1f} {percentiles[49]:>6.0f} {percentiles[98]:>6.0f}"
        f" {statements:>5} {driver:>6} {non_2xx:>7} {unanswered:>9} {result.server_errors:>10}"
        f" {result.attendances:>11} {check}"
    )


def print_details(result: Run, show_statements: bool) -> None:
    http_statuses = dict(Counter(str(a.status or "no answer") for a in result.answers))
    claims = dict(claim_statuses(result.answers))
    print(
        f"{result.database} {result.workers}w {result.tree.name}: HTTP {http_statuses};"
        f" claims {claims}; claims stored {result.claims}"
    )
    for answer in [a for a in result.answers if not is_2xx(a)][:3]:
        print(f"  {answer.status or 'no answer'}: {answer.body[:200].decode(errors='replace')}")
    if show_statements:
        for statement in result.probe.get("statements", []):
            print("    " + " ".join(statement.split())[:160])


def print_ratios(runs: list[Run]) -> None:
    by_key = {(r.database, r.workers, r.tree.name): r for r in runs}
    ratios = []
    for database, workers, name in by_key:
        baseline = by_key.get((database, workers, "baseline"))
        if name == "new" and baseline is not None:
            ratio = claims_per_second(by_key[database, workers, name]) / claims_per_second(baseline)
            ratios.append(f"{database} {workers} workers ×{ratio:.2f}")
    if ratios:
        print("claims/s, new / baseline: " + "; ".join(ratios))


def load() -> str:
    """The 1-minute load average: other work on the machine makes every row slower."""
    return f"{os.getloadavg()[0]:.1f}"


def worker_counts(text: str) -> list[int]:
    counts = [int(part) for part in text.split(",") if part.strip()]
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("worker counts: positive integers, e.g. 2,3,4")
    return counts


def arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help="a git revision, or none")
    parser.add_argument("--pg-workers", type=worker_counts, default=worker_counts(PG_WORKERS))
    parser.add_argument("--phones", type=int, default=PHONES)
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--show-statements", action="store_true", help="list each probe's SQL")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main() -> None:
    options = arguments()
    if options.child:
        child(options.child[0], Path(options.child[1]), options.phones)
        return
    print(
        f"Check-in API, batch sync burst: {options.phones} phones each POST {EVENTS} offline"
        f" claims (one per event) in one batch"
    )
    print(
        f"gunicorn sync workers (wk); client: {options.clients} concurrent connections"
        f" (threads, http.client); {os.cpu_count()} CPUs shared by client, server and database"
    )
    print(
        f"expected: all {options.phones * EVENTS} claims accepted,"
        f" {options.phones * EVENTS} attendances"
    )
    configurations = [("sqlite", SQLITE_WORKERS)]
    if postgres_db.answers():
        configurations += [("postgresql", workers) for workers in options.pg_workers]
    runs, load_before = [], load()
    with tempfile.TemporaryDirectory(prefix="enishi-baseline-") as folder:
        trees = [working_tree()]
        if options.baseline.lower() != "none":
            trees.insert(0, add_baseline(options.baseline, Path(folder)))
        try:
            for database, workers in configurations:
                runs += [run(tree, database, workers, options) for tree in trees]
        finally:
            if trees[0].name == "baseline":
                remove_baseline(trees[0])
    print(f"load average before and after: {load_before}, {load()}")
    print(HEADER)
    for result in runs:
        print_row(result, options.phones)
    for result in runs:
        print_details(result, options.show_statements)
    if not any(r.database == "postgresql" for r in runs):
        print(f"PostgreSQL does not answer at {postgres_db.MAINTENANCE}: SQLite only")
    print("latency: from sending the batch to its whole answer, queueing for a worker included")
    print("stmts: SQLAlchemy statements of one 3-claim request; driver: the same, counted below it")
    print_ratios(runs)
    wrong = [(r, problems(r, options.phones)) for r in runs if problems(r, options.phones)]
    for result, found in wrong:
        print(f"WRONG {result.database} {result.workers}w {result.tree.name}: {'; '.join(found)}")
    if wrong:
        sys.exit(1)


if __name__ == "__main__":
    main()
