"""A chaos run: phones on bad connections while the worker is killed and the node restarted.

    .venv/bin/python bench/chaos.py [--phones 100] [--claims-per-phone 10] [--seed 20261130]
                                    [--worker-kills 3] [--node-restarts 3] [--chaos-every 3]
                                    [--faults 0.3] [--database-url URL] [--keep]

Real processes on a temporary instance folder: the embedded chain node (`python -m
chain.node`, its state in the folder), the web app under gunicorn (2 sync workers), and one
chain worker (`flask --app webapp enishi worker`). Migrations, the contracts, an organiser,
8 events and the members (each with a membership, so a card job each) are made first with the
app's own services; the members log in through the login form, straight to gunicorn.

Then 100 phones (threads) scan 10 codes each, a second or so apart, and post their queued
claims to `POST /api/v1/checkins` through a flaky proxy (bench/flaky_proxy.py: connections
refused, answers dropped after the server committed, 502/503/429 from the proxy, delays; 30%
of requests by default, from a fixed seed). Each claim keeps its id across retries; the phones
behave as webapp/static/js/outbox.js does: an answer per claim is final, a network error, a
5xx or a 429 keeps the claims for a retry with backoff and jitter (Retry-After if given). Each
phone scans 8 events and scans 2 of them a second time (new claim ids): those must come back
`duplicate`. Meanwhile a chaos thread kills the worker (SIGKILL) and starts it again, and stops
the node (SIGTERM) and starts it again, on a seeded timetable.

At the end the chaos stops, the worker drains the queue (with a timeout), and the table says:
claims lost (answered, or still being retried, and not in the claims table: must be 0), claims
whose stored status is not what the phone was told (0), attendances doubled per member and
event (0), award jobs doubled (0), every attendance made, every job confirmed, and `reconcile`
clean (badges, tokens and cards on chain equal to the ledger). The script exits 1 if any of
these fails.

`--database-url` runs on another database, e.g. your own PostgreSQL one
(`postgresql+psycopg://postgres@127.0.0.1:5432/h_chaos`); it must be empty (no tables), and the
run's data stays in it. `--keep` leaves the instance folder (the chain, the processes' logs).
tests/bench/test_chaos.py runs a tiny version (5 phones x 4 claims,
one kill, one restart) as a smoke test of the invariants.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from flask_migrate import upgrade
from sqlalchemy import func, inspect, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import webapp.accounts.services  # noqa: E402
from bench.flaky_proxy import Fates, make_proxy  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.accounts.models import Role  # noqa: E402
from webapp.accounts.services import create_user  # noqa: E402
from webapp.checkin import codes  # noqa: E402
from webapp.checkin.models import Attendance, Claim  # noqa: E402
from webapp.core.db import mark_writing, utcnow  # noqa: E402
from webapp.events.services import create_event  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.membership.services import issue_membership  # noqa: E402
from webapp.onchain.connection import (  # noqa: E402
    get_chain_client,
    get_public_keyring,
    load_keyring,
)
from webapp.onchain.deployments import deploy_contracts  # noqa: E402
from webapp.onchain.models import ChainJob, JobKind, JobStatus  # noqa: E402
from webapp.reports.reconcile import reconcile  # noqa: E402

EVENTS = 8
PASSWORD = "bench-password"
MNEMONIC = "test test test test test test test test test test test junk"
FIRST_RETRY = 0.25  # seconds; outbox.js waits 2 s, doubling up to 5 minutes: scaled down here
LONGEST_RETRY = 4.0
SCAN_GAP = (0.3, 2.0)  # seconds between two scans on one phone
PHONE_DEADLINE = 300  # seconds a phone keeps retrying before the run counts it as stuck
DRAIN_TIMEOUT = 240  # seconds for the worker to finish the queue after the chaos
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')

# Every member has the same password: hash it once (scrypt, ~0.1 s), as bench/throughput.py does.
webapp.accounts.services.generate_password_hash = functools.cache(
    webapp.accounts.services.generate_password_hash
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the processes -----------------------------------------------------------------------------


class Service:
    """One of the run's processes, started again after each stop, its output in one log."""

    def __init__(self, name: str, command: list[str], env: dict, folder: Path, port=None):
        self.name, self.command, self.env, self.port = name, command, env, port
        self.log_path = folder / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as output:
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT
            )
        if self.port is not None:
            self.wait_for_port()

    def wait_for_port(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited:\n{self.tail()}") from None
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not listen on {self.port} within 60 s")

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no cleanup, as when the machine dies
        self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-2000:]


def environment(folder: Path, database_url: str, node_port: int) -> dict[str, str]:
    """The caller's environment without any ENISHI_* setting of theirs, plus ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENISHI_")}
    env.update({
        "ENISHI_INSTANCE": str(folder),
        "ENISHI_DATABASE_URL": database_url,
        "ENISHI_RPC_URL": f"http://127.0.0.1:{node_port}",
        "ENISHI_MASTER_MNEMONIC": MNEMONIC,
        "ENISHI_SECRET_KEY": "bench-secret",
        "ENISHI_WORKER_INTERVAL": "0.5",
        # A killed worker's jobs wait out its lease before another round takes them again.
        "ENISHI_WORKER_LEASE_SECONDS": "5",
    })  # fmt: skip
    return env


def services(env: dict, folder: Path, node_port: int, web_port: int, operator: str) -> dict:
    python = sys.executable
    node = [python, "-m", "chain.node", "--db", str(folder / "chain.sqlite"), "--fund", operator,
            "--port", str(node_port)]  # fmt: skip
    web = [python, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{web_port}",
           "webapp:create_app()"]  # fmt: skip
    worker = [python, "-m", "flask", "--app", "webapp", "enishi", "worker"]
    return {
        "node": Service("node", node, env, folder, node_port),
        "web": Service("web", web, env, folder, web_port),
        "worker": Service("worker", worker, env, folder),
    }


# -- the instance, the people and the events ---------------------------------------------------


@dataclass
class Phone:
    number: int
    email: str
    scans: list[int]  # indexes into the events, in the order this phone scans them
    cookies: dict[str, str] = field(default_factory=dict)
    csrf_token: str = ""
    queued: list[dict] = field(default_factory=list)  # claims waiting for an answer
    answers: dict[str, str] = field(default_factory=dict)  # claim id -> status
    sent: list[dict] = field(default_factory=list)  # every claim made, answered or not
    requests: Counter = field(default_factory=Counter)  # HTTP outcome -> count


def plan_scans(rng: random.Random, claims: int) -> list[int]:
    """The events one phone scans: distinct ones, then a fifth of them scanned again later."""
    again = max(1, claims // 5) if claims > 1 else 0
    distinct = rng.sample(range(EVENTS), min(EVENTS, claims - again))
    scans = list(distinct)
    while len(scans) < claims:  # a second scan goes somewhere after the first
        event = rng.choice(distinct)
        scans.insert(rng.randint(scans.index(event) + 1, len(scans)), event)
    return scans


def prepare(app, phones: int, claims: int, seed: int) -> tuple[list[Phone], list[tuple]]:
    """Migrates, deploys, makes the organiser, the events and the members; the phones, and
    each event's (id, secret)."""
    with app.app_context():
        if inspect(db.engine).has_table("users"):
            raise SystemExit("the database is not empty: give an empty one (--database-url)")
        mark_writing()
        upgrade(directory=app.extensions["migrate"].directory)
        deploy_contracts(db.session, get_chain_client(db.session), "http://127.0.0.1")
        db.session.commit()
        keyring, now = get_public_keyring(), utcnow()
        organiser = create_user(
            db.session, keyring, email="organiser@example.org", password=PASSWORD,
            display_name="主催者", role=Role.ORGANISER,
        )  # fmt: skip
        events = [
            create_event(
                db.session, organiser, title=f"混沌 {n}", venue="bench", reward=n + 1,
                starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=3),
            )
            for n in range(EVENTS)
        ]  # fmt: skip
        rng = random.Random(seed)
        result = []
        for n in range(phones):
            email = f"member{n}@example.org"
            user = create_user(
                db.session, keyring, email=email, password=PASSWORD, display_name=f"会員 {n}"
            )
            issue_membership(db.session, user)
            result.append(Phone(n, email, plan_scans(rng, claims)))
        db.session.commit()
        secrets = [(event.id, event.secret) for event in events]
        db.session.remove()
    return result, secrets


# -- the phones --------------------------------------------------------------------------------


def request(port: int, method: str, path: str, phone: Phone, body=None, headers=None):
    """(status, headers, body), keeping the phone's cookies as a browser would."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = dict(headers or {})
        if phone.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in phone.cookies.items())
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    for header in response.headers.get_all("Set-Cookie") or ():
        phone.cookies.update({k: m.value for k, m in SimpleCookie(header).items()})
    return response.status, response.headers, data


def log_in(port: int, phone: Phone) -> None:
    """The login form, then the API's session state for the CSRF token (as the PWA does)."""
    _status, _headers, page = request(port, "GET", "/login", phone)
    form = urlencode({
        "email": phone.email, "password": PASSWORD,
        "csrf_token": CSRF_META.search(page.decode()).group(1),
    })  # fmt: skip
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _headers, _body = request(port, "POST", "/login", phone, form, form_type)
    _status, _headers, state = request(port, "GET", "/api/v1/session", phone)
    session = json.loads(state)
    if status != 302 or not session["logged_in"]:
        raise RuntimeError(f"{phone.email} could not log in (login answered {status})")
    phone.csrf_token = session["csrf_token"]


def retry_delay(rng: random.Random, attempts: int, retry_after: float) -> float:
    """outbox.js's rule: Retry-After if given, else doubling from the first wait, jittered."""
    if retry_after > 0:
        return retry_after
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY) * (0.5 + rng.random())


def send_due(phone: Phone, port: int, rng: random.Random) -> None:
    """One flush: every due claim in one batch; per-claim answers are final."""
    now = time.monotonic()
    due = [claim for claim in phone.queued if claim["next_at"] <= now][:50]
    if not due:
        return
    body = json.dumps({"claims": [{k: c[k] for k in ("id", "code", "scanned_at", "offline")}
                                  for c in due]})  # fmt: skip
    headers = {"Content-Type": "application/json", "X-CSRFToken": phone.csrf_token}
    try:
        status, response_headers, data = request(port, "POST", "/api/v1/checkins", phone, body,
                                                 headers)  # fmt: skip
    except (OSError, http.client.HTTPException):
        phone.requests["no answer"] += 1
        return keep(phone, due, rng, 0)
    phone.requests[str(status)] += 1
    if status == 200:
        answered = {result["id"]: result["status"] for result in json.loads(data)["results"]}
        for claim in due:
            if claim["id"] in answered:
                phone.answers[claim["id"]] = answered[claim["id"]]
                phone.queued.remove(claim)
        return
    # A 5xx, a 429, or anything the outbox would not call an answer about the claims.
    keep(phone, due, rng, float(response_headers.get("Retry-After") or 0))


def keep(phone: Phone, claims: list[dict], rng: random.Random, retry_after: float) -> None:
    now = time.monotonic()
    for claim in claims:
        claim["attempts"] += 1
        claim["next_at"] = now + retry_delay(rng, claim["attempts"], retry_after)


def scan(phone: Phone, event_id: int, secret: bytes) -> None:
    now = utcnow()
    token = codes.make_token(event_id, secret, codes.slot_at(now))
    claim = {
        "id": str(uuid.uuid4()), "code": codes.checkin_url("http://127.0.0.1", token),
        "scanned_at": now.isoformat().replace("+00:00", "Z"), "offline": False,
        "attempts": 0, "next_at": 0.0,
    }  # fmt: skip
    phone.queued.append(claim)
    phone.sent.append(claim)


def run_phone(phone: Phone, port: int, events: list[tuple], seed: int) -> None:
    """Scans on its timetable, flushes after each scan and whenever a retry is due."""
    rng = random.Random(seed * 1000 + phone.number)
    started = time.monotonic()
    next_scan = started + rng.uniform(0, SCAN_GAP[1])
    todo = list(phone.scans)
    while (todo or phone.queued) and time.monotonic() - started < PHONE_DEADLINE:
        if todo and time.monotonic() >= next_scan:
            scan(phone, *events[todo.pop(0)])
            next_scan = time.monotonic() + rng.uniform(*SCAN_GAP)
        send_due(phone, port, rng)
        waits = [claim["next_at"] for claim in phone.queued] + ([next_scan] if todo else [])
        if waits:
            time.sleep(min(1.0, max(0.02, min(waits) - time.monotonic())))


# -- the chaos ---------------------------------------------------------------------------------


@dataclass
class Chaos:
    worker_kills: int = 0
    node_restarts: int = 0
    queue_at_kills: list[str] = field(default_factory=list)  # "pending/sent" at each kill
    errors: list[str] = field(default_factory=list)


def run_chaos(app, procs: dict, plan: list[str], every: float, seed: int, chaos: Chaos) -> None:
    """Kills the worker or restarts the node, one after another on a seeded timetable."""
    rng = random.Random(seed + 1)
    for action in plan:
        time.sleep(every * rng.uniform(0.5, 1.5))
        try:
            if action == "worker":
                counts = job_counts(app)  # the work the worker had in hand, or still to do
                chaos.queue_at_kills.append(f"{counts[JobStatus.PENDING]}/{counts[JobStatus.SENT]}")
                procs["worker"].kill()
                time.sleep(rng.uniform(0.2, 2.0))
                procs["worker"].start()
                chaos.worker_kills += 1
                log(f"chaos: worker killed and started again ({chaos.worker_kills})")
            else:
                procs["node"].stop()  # SIGTERM: the node closes its state file
                time.sleep(rng.uniform(0.5, 3.0))
                procs["node"].start()
                chaos.node_restarts += 1
                log(f"chaos: node stopped and started again ({chaos.node_restarts})")
        except Exception as exc:  # noted and shown: a failed restart fails the run
            chaos.errors.append(f"{action}: {exc}")


def chaos_plan(kills: int, restarts: int) -> list[str]:
    """Worker kills and node restarts taking turns, then whichever has more left."""
    plan = []
    for n in range(max(kills, restarts)):
        plan += (["worker"] if n < kills else []) + (["node"] if n < restarts else [])
    return plan


# -- the end: drain, then read the database and the chain --------------------------------------


def job_counts(app) -> Counter:
    with app.app_context():
        query = select(ChainJob.status, func.count()).group_by(ChainJob.status)
        counts = Counter(dict(db.session.execute(query).all()))
        db.session.remove()
    return counts


def drain(app, worker: Service, timeout: float) -> float:
    """Waits until no job is pending or sent; the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        counts = job_counts(app)
        if not counts[JobStatus.PENDING] and not counts[JobStatus.SENT]:
            break
        if not worker.running():
            raise RuntimeError(f"the worker exited:\n{worker.tail()}")
        time.sleep(0.5)
    return time.monotonic() - started


@dataclass
class Outcome:
    claims_stored: int = 0
    lost: list[str] = field(default_factory=list)
    contradicted: list[str] = field(default_factory=list)
    attendances: int = 0
    doubled: int = 0
    awards_doubled: int = 0
    jobs: Counter = field(default_factory=Counter)
    differences: list[str] = field(default_factory=list)
    reconcile_seconds: float = 0.0


def measure(app, phones: list[Phone]) -> Outcome:
    outcome = Outcome()
    with app.app_context():
        stored = dict(db.session.execute(select(Claim.id, Claim.status)).all())
        outcome.claims_stored = len(stored)
        for phone in phones:
            # Answered, or still being retried: the phone holds on to it, the server must too
            # once it answered. A claim the server never saw may only be one still queued.
            for claim in phone.sent:
                told = phone.answers.get(claim["id"])
                if told is not None and claim["id"] not in stored:
                    outcome.lost.append(f"{phone.email} {claim['id']} told {told}")
                elif told is not None and stored[claim["id"]] != told:
                    outcome.contradicted.append(f"{claim['id']}: told {told}, stored "
                                                f"{stored[claim['id']]}")  # fmt: skip
        outcome.attendances = db.session.scalar(select(func.count()).select_from(Attendance))
        outcome.doubled = doubles(Attendance.user_id, Attendance.event_id)
        is_award = ChainJob.kind == JobKind.AWARD
        outcome.awards_doubled = doubles(ChainJob.user_id, ChainJob.event_id, where=is_award)
        started = time.monotonic()
        try:
            client = get_chain_client(db.session)
            outcome.differences = [d.describe() for d in reconcile(db.session, client)]
        except Exception as exc:  # e.g. the node too slow to answer: not clean either
            outcome.differences = [f"reconcile failed: {type(exc).__name__}: {exc}"]
        outcome.reconcile_seconds = time.monotonic() - started
        db.session.remove()
    outcome.jobs = job_counts(app)
    return outcome


def doubles(user_column, event_column, where=None) -> int:
    """How many (member, event) pairs have more than one row."""
    query = select(user_column, event_column).group_by(user_column, event_column)
    if where is not None:
        query = query.where(where)
    query = query.having(func.count() > 1)
    return len(db.session.execute(query).all())


# -- the table ---------------------------------------------------------------------------------


def print_table(args, procs, phones, fates, chaos, outcome, expected, drained, wall) -> bool:
    statuses = Counter(status for phone in phones for status in phone.answers.values())
    requests = sum((phone.requests for phone in phones), Counter())
    unanswered = sum(len(phone.queued) for phone in phones)
    sent = sum(len(phone.sent) for phone in phones)
    retried = sum(claim["attempts"] > 0 for phone in phones for claim in phone.sent)
    unfinished = outcome.jobs[JobStatus.PENDING] + outcome.jobs[JobStatus.SENT]
    checks = [
        ("claims lost", len(outcome.lost), 0),
        ("answers the claims table contradicts", len(outcome.contradicted), 0),
        ("claims never answered (phone gave up)", unanswered, 0),
        ("claims accepted", statuses["accepted"], expected["accepted"]),
        ("claims duplicate", statuses["duplicate"], expected["duplicate"]),
        ("claims rejected", statuses["rejected"], 0),
        ("attendances", outcome.attendances, expected["accepted"]),
        ("attendances doubled", outcome.doubled, 0),
        ("award jobs doubled", outcome.awards_doubled, 0),
        ("jobs failed", outcome.jobs[JobStatus.FAILED], 0),
        ("jobs unfinished after the drain", unfinished, 0),
        ("reconcile differences", len(outcome.differences), 0),
        ("worker kills", chaos.worker_kills, args.worker_kills),
        ("node restarts", chaos.node_restarts, args.node_restarts),
    ]
    figures = [
        ("claims sent (distinct ids)", sent),
        ("claims stored", outcome.claims_stored),
        ("requests posted", sum(requests.values())),
        ("  answered 200", requests["200"]),
        ("  no answer (refused or dropped)", requests["no answer"]),
        ("  answered 5xx or 429", sum(n for s, n in requests.items() if s[0] in "45")),
        ("proxy: passed", fates.counts["passed"]),
        ("proxy: delayed, then passed", fates.counts["delayed"]),
        ("proxy: refused before the server", fates.counts["refused"]),
        ("proxy: dropped after the server answered", fates.counts["dropped"]),
        ("proxy: its own 502 / 503 / 429",
         f"{fates.counts['502']} / {fates.counts['503']} / {fates.counts['429']}"),
        ("claims sent more than once", retried),
        ("jobs pending/sent at each worker kill", " ".join(chaos.queue_at_kills) or "-"),
        ("tracebacks in the web app's log", procs["web"].log_path.read_text().count("Traceback")),
        ("'worker tick failed' in the worker's log",
         procs["worker"].log_path.read_text().count("worker tick failed")),
        ("jobs confirmed", outcome.jobs[JobStatus.CONFIRMED]),
        ("drain after the chaos (s)", f"{drained:.1f}"),
        ("reconcile (s)", f"{outcome.reconcile_seconds:.1f}"),
        ("wall time (s)", f"{wall:.1f}"),
    ]  # fmt: skip
    print(
        f"Chaos run: {args.phones} phones x {args.claims_per_phone} claims, {EVENTS} events,"
        f" seed {args.seed}, faults {args.faults:.0%} of requests, {args.database}"
    )
    print(f"{'check':<42} {'found':>7} {'expected':>9}")
    ok = True
    for name, found, wanted in checks:
        good = found == wanted
        ok = ok and good
        print(f"{name:<42} {found:>7} {wanted:>9}  {'ok' if good else 'WRONG'}")
    print(f"{'reconcile':<42} {'clean' if not outcome.differences else 'DIFFERENCES':>7}")
    print()
    for name, value in figures:
        print(f"{name:<42} {value!s:>7}")
    for line in [*outcome.lost, *outcome.contradicted, *outcome.differences, *chaos.errors][:10]:
        print(f"  {line}")
    ok = ok and not chaos.errors
    print("result:", "every invariant holds" if ok else "AN INVARIANT FAILED")
    return ok


# -- the run -----------------------------------------------------------------------------------


def run(args) -> bool:
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="enishi-chaos-"))
    database_url = args.database_url or f"sqlite:///{folder / 'enishi.sqlite'}"
    args.database = database_url.split(":", 1)[0].split("+", 1)[0]
    node_port, web_port = free_port(), free_port()
    env = environment(folder, database_url, node_port)
    os.environ.clear()
    os.environ.update(env)
    app = create_app()
    # The bench plays setup: its own app loads the keyring (the web processes read the public one).
    procs = services(env, folder, node_port, web_port, load_keyring(app).operator.address)
    proxy = None
    try:
        procs["node"].start()
        log(f"preparing {args.phones} members and {EVENTS} events in {folder}")
        phones, events = prepare(app, args.phones, args.claims_per_phone, args.seed)
        expected = Counter()
        for phone in phones:
            expected["accepted"] += len(set(phone.scans))
            expected["duplicate"] += len(phone.scans) - len(set(phone.scans))
        procs["web"].start()
        procs["worker"].start()
        for phone in phones:
            log_in(web_port, phone)
        fates = Fates(args.seed, args.faults)
        proxy = make_proxy(web_port, fates)
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        log(f"{time.monotonic() - started:.0f} s: {args.phones} phones logged in; the chaos starts")
        chaos = Chaos()
        plan = chaos_plan(args.worker_kills, args.node_restarts)
        chaos_thread = threading.Thread(
            target=run_chaos, args=(app, procs, plan, args.chaos_every, args.seed, chaos)
        )
        threads = [
            threading.Thread(target=run_phone, args=(p, proxy.server_port, events, args.seed))
            for p in phones
        ]
        for thread in [chaos_thread, *threads]:
            thread.start()
        for thread in threads:
            thread.join()
        log(f"{time.monotonic() - started:.0f} s: every phone is done")
        chaos_thread.join()
        for name in ("node", "worker"):  # a failed restart is in chaos.errors; run it anyway
            if not procs[name].running():
                procs[name].start()
        log(f"{time.monotonic() - started:.0f} s: the chaos is over; the worker drains the queue")
        drained = drain(app, procs["worker"], DRAIN_TIMEOUT)
        procs["worker"].stop()
        outcome = measure(app, phones)
        return print_table(args, procs, phones, fates, chaos, outcome, expected, drained,
                           time.monotonic() - started)  # fmt: skip
    finally:
        if proxy is not None:
            proxy.shutdown()
        for name in ("worker", "web", "node"):
            procs[name].stop()
        with app.app_context():
            db.engine.dispose()
        if args.keep:
            log(f"the instance folder (databases, logs) is kept: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=100)
    parser.add_argument("--claims-per-phone", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--worker-kills", type=int, default=3)
    parser.add_argument("--node-restarts", type=int, default=3)
    parser.add_argument("--chaos-every", type=float, default=3.0,
                        help="seconds between two chaos actions, on average")  # fmt: skip
    parser.add_argument("--faults", type=float, default=0.3,
                        help="share of requests the proxy spoils")  # fmt: skip
    parser.add_argument("--database-url", help="an empty database (default: SQLite in a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the instance folder and logs")
    args = parser.parse_args()
    # SIGTERM exits as Ctrl-C does, through the `finally` that stops every process.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    sys.exit(0 if run(args) else 1)


if __name__ == "__main__":
    main()
