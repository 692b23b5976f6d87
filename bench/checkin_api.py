"""Throughput of the check-in API in a batch sync burst, under gunicorn, on SQLite and PostgreSQL.

    .venv/bin/python bench/checkin_api.py

500 phones come back online at once; each posts the 3 claims it queued while offline (one for
each of 3 events, scanned one to three hours ago) in one batch to `POST /api/v1/checkins`.
Every claim is genuine and within the events' offline limit, so all 1500 must be accepted and
the database must end with 1500 attendances.

For each database: a temporary instance folder, migrations and the people and events made with
the app's own services, then gunicorn (2 workers, its default sync worker class) on a free
loopback port. The members log in before the clock starts; only the burst is timed. No chain
node runs: an accepted claim only queues a chain job, and the worker is not started. The
PostgreSQL run uses its own database `enishi_bench` (made and dropped here; never `test`, the
suite's) and is skipped if PostgreSQL does not answer. Compare the rows with each other, not
with another machine's.
"""

from __future__ import annotations

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
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg
from flask_migrate import upgrade
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from webapp import create_app  # noqa: E402
from webapp.accounts.models import Role  # noqa: E402
from webapp.accounts.services import create_user  # noqa: E402
from webapp.checkin import codes  # noqa: E402
from webapp.checkin.models import Attendance, Claim  # noqa: E402
from webapp.core.db import utcnow  # noqa: E402
from webapp.events.services import create_event  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.membership.services import issue_membership  # noqa: E402
from webapp.onchain.connection import get_public_keyring, load_keyring  # noqa: E402

PHONES = 500
EVENTS = 3  # each phone has one claim for each event: all are accepted
CLIENTS = 50  # concurrent connections; the machine has 2 cores for client and server together
WORKERS = 2
PASSWORD = "bench-password"
POSTGRES_MAINTENANCE = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_DATABASE = "enishi_bench"  # dropped and made again: never the suite's `test`
POSTGRES_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{POSTGRES_DATABASE}"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


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
    answers: list[Answer]
    seconds: float
    attendances: int
    claims: int
    server_errors: int  # tracebacks in gunicorn's log


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the database and the data -----------------------------------------------------------------


def postgres_answers() -> bool:
    try:
        psycopg.connect(POSTGRES_MAINTENANCE, connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


def recreate_postgres_database(create: bool) -> None:
    # CREATE and DROP DATABASE cannot run in a transaction: autocommit on the maintenance db.
    with psycopg.connect(POSTGRES_MAINTENANCE, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")
        if create:
            connection.execute(f"CREATE DATABASE {POSTGRES_DATABASE}")


def environment(instance: Path, database_url: str) -> dict[str, str]:
    # A port where nothing listens: the API must serve without a chain, and the app must not
    # find another session's embedded node on the default port.
    return {
        "ENISHI_INSTANCE": str(instance),
        "ENISHI_DATABASE_URL": database_url,
        "ENISHI_RPC_URL": f"http://127.0.0.1:{free_port()}",
    }


def open_app(env: dict[str, str]):
    # The settings are read from the environment, as gunicorn's workers will read them; the
    # first app also writes the secret key and master secret the workers then share.
    os.environ.update(env)
    return create_app()


def prepare(app) -> list[Phone]:
    """Migrates, makes an organiser, the events and the members, and each phone's batch."""
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
        phones = [make_phone(keyring, n, events, now) for n in range(PHONES)]
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return phones


def make_phone(keyring, n: int, events, now) -> Phone:
    email = f"member{n}@example.org"
    user = create_user(
        db.session, keyring, email=email, password=PASSWORD, display_name=f"会員 {n}"
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
    return Phone(email=email, body=json.dumps({"claims": claims}).encode())


def count_rows(app) -> tuple[int, int]:
    with app.app_context():
        count = func.count()
        attendances = db.session.scalar(select(count).select_from(Attendance))
        claims = db.session.scalar(select(count).select_from(Claim))
        db.session.remove()
        db.engine.dispose()
    return attendances, claims


# -- gunicorn ----------------------------------------------------------------------------------


def start_gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", "--workers", str(WORKERS),
        "--bind", f"127.0.0.1:{port}", "webapp:create_app()",
    ]  # fmt: skip
    with log.open("wb") as output:
        return subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=output, stderr=output
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


# -- the client --------------------------------------------------------------------------------


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


def burst(port: int, phones: list[Phone]) -> tuple[list[Answer], float]:
    client = Client(port)
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(lambda phone: log_in(port, phone), phones))
        started = time.perf_counter()
        answers = list(pool.map(client.sync, phones))
        return answers, time.perf_counter() - started


# -- one run per database ----------------------------------------------------------------------


def run(database: str, database_url: str, folder: Path) -> Run:
    env = environment(folder, database_url)
    log = folder / "gunicorn.log"
    app = open_app(env)
    print(f"{database}: preparing {PHONES} members and {EVENTS} events", file=sys.stderr)
    phones = prepare(app)
    port = free_port()
    server = start_gunicorn(env, port, log)
    try:
        wait_until_serving(server, port, log)
        print(f"{database}: logging in, then the burst", file=sys.stderr)
        answers, seconds = burst(port, phones)
    finally:
        stop(server)
    attendances, claims = count_rows(app)
    tracebacks = log.read_text(errors="replace").count("Traceback")
    return Run(database, answers, seconds, attendances, claims, tracebacks)


def run_sqlite() -> Run:
    with tempfile.TemporaryDirectory() as folder:
        return run("sqlite", f"sqlite:///{Path(folder) / 'enishi.sqlite'}", Path(folder))


def run_postgres() -> Run:
    recreate_postgres_database(create=True)
    try:
        with tempfile.TemporaryDirectory() as folder:
            return run("postgresql", POSTGRES_URL, Path(folder))
    finally:
        recreate_postgres_database(create=False)


# -- the table ---------------------------------------------------------------------------------


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


def print_row(result: Run) -> None:
    latencies = [answer.seconds * 1000 for answer in result.answers]
    percentiles = statistics.quantiles(latencies, n=100, method="inclusive")
    unanswered = sum(1 for a in result.answers if a.status is None)
    non_2xx = sum(1 for a in result.answers if not is_2xx(a)) - unanswered
    claims = len(result.answers) * EVENTS
    expected = PHONES * EVENTS
    check = "ok" if result.attendances == expected else f"WRONG: expected {expected}"
    print(
        f"{result.database:<11} {len(result.answers):>8} {claims:>7} {result.seconds:>8.2f}"
        f" {claims / result.seconds:>9.1f} {percentiles[49]:>7.0f} {percentiles[98]:>7.0f}"
        f" {non_2xx:>8} {unanswered:>10} {result.attendances:>12} {check}"
    )


def print_details(result: Run) -> None:
    http_statuses = dict(Counter(str(a.status or "no answer") for a in result.answers))
    claims = dict(claim_statuses(result.answers))
    print(
        f"{result.database}: HTTP {http_statuses}; claims {claims}; claims stored"
        f" {result.claims}; tracebacks in gunicorn's log {result.server_errors}"
    )
    for answer in [a for a in result.answers if not is_2xx(a)][:3]:
        print(f"  {answer.status or 'no answer'}: {answer.body[:200].decode(errors='replace')}")


def main() -> None:
    print(
        f"Check-in API, batch sync burst: {PHONES} phones each POST {EVENTS} offline claims"
        f" (one per event) in one batch"
    )
    print(
        f"gunicorn {WORKERS} sync workers; client: {CLIENTS} concurrent connections"
        f" (threads, http.client); {os.cpu_count()} CPUs shared by client, server and database"
    )
    print(f"expected: all {PHONES * EVENTS} claims accepted, {PHONES * EVENTS} attendances")
    runs = [run_sqlite()]
    if postgres_answers():
        runs.append(run_postgres())
    header = f"{'database':<11} {'requests':>8} {'claims':>7} {'seconds':>8} {'claims/s':>9}"
    print(
        f"{header} {'p50 ms':>7} {'p99 ms':>7} {'non-2xx':>8} {'no answer':>10} {'attendances':>12}"
    )
    for result in runs:
        print_row(result)
    for result in runs:
        print_details(result)
    if len(runs) == 1:
        print(f"PostgreSQL does not answer at {POSTGRES_MAINTENANCE}: SQLite only")
    print("latency: from sending the batch to its whole answer, queueing for a worker included")


if __name__ == "__main__":
    main()
