"""Chain throughput, from an accepted claim to its confirmed on-chain job, with real workers.

    .venv/bin/python bench/throughput.py [--seconds 20] [--no-postgres]    (anvil: `npm ci`)

Rows: anvil and the embedded chain (`python -m chain.node`), each with 1 and then 2 worker
processes, on SQLite; then anvil with 1 and 2 workers on PostgreSQL (its own database
`enishi_bench2` at 127.0.0.1:5432, made and dropped here, never `test`; skipped if none
answers). Each row has a fresh node on a free port, a temporary instance folder, migrations,
the contracts deployed and the people and events made with the app's own services; the
workers are real `flask --app webapp enishi worker` processes. Each member's membership card
is a job too: the workers put the cards on chain first, and only then does the clock start, so
the figures count attendance awards only (the cards' time is printed apart). Then the claims
arrive as a stream: 100 members each check in to 3 events, in a shuffled order, in bursts every
half second for 20 seconds (`--seconds`), through the check-in algorithm itself (`record_claim`
in this process, one commit per claim as one phone's request makes), while the workers run.

Rate: confirmed awards per minute of wall time from the first accepted claim to the last
confirmation; at the default pace the workers keep up, so it is close to the offered rate and
the latency tells the setups apart (a shorter `--seconds` finds where they stop keeping up).
Latency: each award job's `confirmed_at - created_at`, split into queued until sent and sent
until confirmed. Transactions: those the awards were mined in, and those signed meanwhile (a
replacement counts too). CPU: the node's and the workers' over the measured time, from /proc.
The check: every job confirmed and `reconcile` (ledger against chain) finds no difference.
The workers keep the default pause between rounds (ENISHI_WORKER_INTERVAL, 2 s) unless the
variable is set for this script. Compare the rows with each other, not with another machine's;
rows with 2 workers vary more from run to run (how the two workers' rounds happen to interleave).
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import postgres_db
from flask_migrate import upgrade
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import webapp.accounts.services  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.accounts.models import Role, User  # noqa: E402
from webapp.accounts.services import create_user  # noqa: E402
from webapp.checkin import codes  # noqa: E402
from webapp.checkin.services import ClaimInput, record_claim  # noqa: E402
from webapp.core.db import mark_writing, utcnow  # noqa: E402
from webapp.events.models import Event  # noqa: E402
from webapp.events.services import create_event  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.membership.services import issue_membership  # noqa: E402
from webapp.onchain.connection import get_chain_client, get_keyring, load_keyring  # noqa: E402
from webapp.onchain.deployments import deploy_contracts  # noqa: E402
from webapp.onchain.models import ChainJob, ChainTransaction, JobKind, JobStatus  # noqa: E402
from webapp.reports.reconcile import reconcile  # noqa: E402

CHAINS = ("anvil", "embedded")
WORKER_COUNTS = (1, 2)
MEMBERS = 100
EVENTS = 3
STREAM_SECONDS = 20.0  # default of --seconds
BURST_EVERY = 0.5  # seconds between bursts: 40 bursts of 7 or 8 claims
SEED = 20261130  # the order of the claims, the same in every row
WORKER_INTERVAL = os.environ.get("ENISHI_WORKER_INTERVAL", "2")  # the app's default
MNEMONIC = "test test test test test test test test test test test junk"
PASSWORD = "bench-password"
ANVIL_LAUNCHER = ROOT / "node_modules" / ".bin" / "anvil"
CARDS_TIMEOUT = 120  # seconds for the workers to put the cards on chain
DRAIN_TIMEOUT = 120  # seconds after the last claim for the last confirmation
TICK_FAILED = "worker tick failed"
POSTGRES_DATABASE = "enishi_bench2"  # made and dropped here: never the suite's `test`
POSTGRES_URL = postgres_db.url(POSTGRES_DATABASE)
POSTGRES_ROWS = (("anvil", 1), ("anvil", 2))

# Every member has the same password: hash it once, not 100 times per row (scrypt, ~0.1 s).
webapp.accounts.services.generate_password_hash = functools.cache(
    webapp.accounts.services.generate_password_hash
)


@dataclass
class Row:
    database: str
    chain: str
    workers: int
    cards_seconds: float = 0.0  # the cards' warm-up, before the clock
    stream_seconds: float = 0.0  # from the first claim recorded to the last
    accepted: int = 0
    statuses: dict[str, int] = field(default_factory=dict)  # award jobs by status
    wall_seconds: float = 0.0  # first accepted claim to last confirmation
    latencies: list[float] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)  # created_at to sent_at
    chain_times: list[float] = field(default_factory=list)  # sent_at to confirmed_at
    measured_seconds: float = 0.0  # from the first claim until every award was done
    node_cpu: float = math.nan  # CPU seconds over `measured_seconds`
    workers_cpu: float = math.nan
    mined_transactions: int = 0
    signed_transactions: int = 0
    differences: list[str] = field(default_factory=list)
    tick_failures: int = 0
    warnings: int = 0
    log_excerpts: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def confirmed(self) -> int:
        return self.statuses.get(JobStatus.CONFIRMED, 0)

    @property
    def correct(self) -> bool:
        total = sum(self.statuses.values())
        return (
            self.error is None
            and total == MEMBERS * EVENTS
            and self.confirmed == total
            and not self.differences
        )


# -- processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(process: subprocess.Popen, port: int, what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"{what} exited with {process.returncode}") from None
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {port} within 60 seconds")


def anvil_binary() -> Path:
    """The binary npm's launcher would run (its platform's package), else the launcher itself.
    The launcher forwards SIGTERM and exits at once, leaving anvil behind as an orphan; run
    directly, anvil is this process's child, to stop and reap."""
    native = sorted(ROOT.glob("node_modules/@foundry-rs/anvil-*/bin/anvil"))
    if native:
        return native[0]
    if ANVIL_LAUNCHER.exists():
        return ANVIL_LAUNCHER
    raise RuntimeError(f"anvil is missing at {ANVIL_LAUNCHER} (run `npm ci`)")


def start_node(chain: str, folder: Path, operator: str, port: int) -> subprocess.Popen:
    if chain == "anvil":
        command = [str(anvil_binary()), "--host", "127.0.0.1", "--port", str(port), "--silent"]
    else:
        command = [
            sys.executable, "-m", "chain.node", "--db", str(folder / "chain.sqlite"),
            "--fund", operator, "--port", str(port),
        ]  # fmt: skip
    with (folder / "node.log").open("wb") as log:
        node = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(node, port, chain)
    except BaseException:
        stop(node)
        raise
    return node


def cpu_seconds(pid: int) -> float:
    """User and system CPU time so far of a process and its descendants (were anvil started
    through npm's launcher, it would be the launcher's child), from /proc; NaN without one."""
    children: dict[int, list[int]] = {}
    used: dict[int, int] = {}
    try:
        entries = [entry for entry in Path("/proc").iterdir() if entry.name.isdigit()]
    except OSError:
        return math.nan
    for entry in entries:
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        fields = text[text.rindex(")") + 2 :].split()  # state, ppid, ..., utime (11), stime (12)
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        used[int(entry.name)] = int(fields[11]) + int(fields[12])
    if pid not in used:
        return math.nan
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += used.get(current, 0)
        todo.extend(children.get(current, ()))
    return total / os.sysconf("SC_CLK_TCK")


def start_worker(env: dict[str, str], log_path: Path) -> subprocess.Popen:
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "webapp", "enishi", "worker"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# -- the instance, the people and the events ---------------------------------------------------


def environment(folder: Path, rpc_url: str, database_url: str) -> dict[str, str]:
    """The caller's environment without any ENISHI_* setting of theirs, plus ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENISHI_")}
    env.update({
        "ENISHI_INSTANCE": str(folder),
        "ENISHI_DATABASE_URL": database_url,
        "ENISHI_RPC_URL": rpc_url,
        "ENISHI_MASTER_MNEMONIC": MNEMONIC,
        "ENISHI_SECRET_KEY": "bench-secret",
        "ENISHI_WORKER_INTERVAL": WORKER_INTERVAL,
    })  # fmt: skip
    return env


def open_app(env: dict[str, str]):
    """The app as the workers see it: its settings read from the same environment."""
    os.environ.clear()
    os.environ.update(env)
    return create_app()


def prepare(app, chain: str) -> tuple[list[int], list[int]]:
    """Migrates, deploys, makes an organiser, the members and the events; their ids."""
    with app.app_context():
        mark_writing()
        upgrade(directory=app.extensions["migrate"].directory)
        client = get_chain_client(db.session)
        keyring = get_keyring()
        if chain == "anvil":  # anvil's own accounts are funded; the operator is not
            operator = keyring.operator.address
            client.w3.provider.make_request("anvil_setBalance", [operator, hex(10**24)])
        deploy_contracts(db.session, client, "http://127.0.0.1")
        db.session.commit()
        organiser = create_user(
            db.session, keyring, email="organiser@example.org", password=PASSWORD,
            display_name="主催者", role=Role.ORGANISER,
        )  # fmt: skip
        now = utcnow()
        events = [
            create_event(
                db.session, organiser, title=f"計測 {n}", venue="bench", reward=n + 1,
                starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2),
            )
            for n in range(EVENTS)
        ]  # fmt: skip
        members = []
        for n in range(MEMBERS):
            user = create_user(
                db.session, keyring, email=f"member{n}@example.org", password=PASSWORD,
                display_name=f"会員 {n}",
            )  # fmt: skip
            issue_membership(db.session, user)
            members.append(user.id)
        db.session.commit()
        event_ids = [event.id for event in events]
        db.session.remove()
    return members, event_ids


def job_counts(app, kind: str) -> dict[str, int]:
    with app.app_context():
        query = (
            select(ChainJob.status, func.count())
            .where(ChainJob.kind == kind)
            .group_by(ChainJob.status)
        )
        counts = dict(db.session.execute(query).all())
        db.session.remove()
    return counts


def wait_for_jobs(app, kind: str, total: int, workers, timeout: float) -> None:
    """Until `total` jobs of `kind` are confirmed or failed; a worker that exits is an error."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = job_counts(app, kind)
        if counts.get(JobStatus.CONFIRMED, 0) + counts.get(JobStatus.FAILED, 0) >= total:
            return
        for worker in workers:
            if worker.poll() is not None:
                raise RuntimeError(f"a worker exited with {worker.returncode}")
        time.sleep(0.1)
    raise RuntimeError(f"{kind} jobs not done within {timeout:.0f} s: {job_counts(app, kind)}")


# -- the stream of claims ----------------------------------------------------------------------


def burst_count(seconds: float) -> int:
    return max(1, math.ceil(seconds / BURST_EVERY))


def bursts(members: list[int], events: list[int], seconds: float) -> list[list[tuple[int, int]]]:
    pairs = [(member, event) for member in members for event in events]
    random.Random(SEED).shuffle(pairs)
    count = burst_count(seconds)
    size, extra = divmod(len(pairs), count)
    result, start = [], 0
    for n in range(count):
        end = start + size + (1 if n < extra else 0)
        result.append(pairs[start:end])
        start = end
    return result


def stream(app, members: list[int], events: list[int], seconds: float) -> tuple[int, float]:
    """Records every claim, burst by burst on a fixed timetable; (accepted, seconds taken)."""
    accepted = 0
    started = time.monotonic()
    for n, burst in enumerate(bursts(members, events, seconds)):
        time.sleep(max(0.0, started + n * BURST_EVERY - time.monotonic()))
        with app.app_context():
            mark_writing()  # SQLite: take the write lock at BEGIN, as a POST request does
            for member_id, event_id in burst:
                user, event = db.session.get(User, member_id), db.session.get(Event, event_id)
                now = utcnow()
                code = codes.make_token(event.id, event.secret, codes.slot_at(now))
                result = record_claim(
                    db.session, user, ClaimInput(str(uuid.uuid4()), code, now),
                    now=now, source="api",
                )  # fmt: skip
                db.session.commit()
                accepted += result.accepted
            db.session.remove()
    return accepted, time.monotonic() - started


# -- one row -----------------------------------------------------------------------------------


def measure(app, row: Row, stream_started: datetime, check: bool = True) -> None:
    """The figures from the database; with `check`, also reconcile against the node."""
    with app.app_context():
        awards = list(db.session.scalars(select(ChainJob).where(ChainJob.kind == JobKind.AWARD)))
        row.statuses = {}
        for job in awards:
            row.statuses[job.status] = row.statuses.get(job.status, 0) + 1
        confirmed = [job for job in awards if job.status == JobStatus.CONFIRMED]
        row.latencies = [(j.confirmed_at - j.created_at).total_seconds() for j in confirmed]
        row.waits = [(j.sent_at - j.created_at).total_seconds() for j in confirmed]
        row.chain_times = [(j.confirmed_at - j.sent_at).total_seconds() for j in confirmed]
        if confirmed:
            first = min(job.created_at for job in awards)
            last = max(job.confirmed_at for job in confirmed)
            row.wall_seconds = (last - first).total_seconds()
        row.mined_transactions = len({job.tx_hash for job in confirmed})
        query = select(func.count()).select_from(ChainTransaction)
        row.signed_transactions = db.session.scalar(
            query.where(ChainTransaction.created_at >= stream_started)
        )
        if check:
            client = get_chain_client(db.session)
            row.differences = [d.describe() for d in reconcile(db.session, client)]
        db.session.remove()


def read_logs(row: Row, logs: list[Path]) -> None:
    for path in logs:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        row.tick_failures += sum(TICK_FAILED in line for line in lines)
        notable = [line for line in lines if " WARNING " in line or TICK_FAILED in line]
        row.warnings += sum(" WARNING " in line for line in lines)
        for line in notable[:3]:
            row.log_excerpts.append(f"{path.name}: {line[:300]}")


def run_row(database: str, chain: str, workers: int, seconds: float) -> Row:
    row = Row(database, chain, workers)
    name = f"{database}, {chain}, {workers} worker(s)"
    folder = Path(tempfile.mkdtemp(prefix=f"enishi-throughput-{chain}-{workers}-"))
    node, processes, logs, app = None, [], [], None
    try:
        if database == "postgresql":
            postgres_db.recreate(POSTGRES_DATABASE, create=True)
            database_url = POSTGRES_URL
        else:
            database_url = f"sqlite:///{folder / 'enishi.sqlite'}"
        port = free_port()
        env = environment(folder, f"http://127.0.0.1:{port}", database_url)
        app = open_app(env)
        node = start_node(chain, folder, load_keyring(app).operator.address, port)  # plays setup
        log(f"{name}: deploying, {MEMBERS} members, {EVENTS} events")
        members, events = prepare(app, chain)
        started = time.monotonic()
        for n in range(workers):
            logs.append(folder / f"worker{n}.log")
            processes.append(start_worker(env, logs[-1]))
        wait_for_jobs(app, JobKind.ISSUE_CARD, MEMBERS, processes, CARDS_TIMEOUT)
        row.cards_seconds = time.monotonic() - started
        log(f"{name}: cards on chain in {row.cards_seconds:.1f} s; the stream of claims")
        stream_started, clock = utcnow(), time.monotonic()
        node_cpu, workers_cpu = cpu_seconds(node.pid), sum(cpu_seconds(p.pid) for p in processes)
        row.accepted, row.stream_seconds = stream(app, members, events, seconds)
        wait_for_jobs(app, JobKind.AWARD, row.accepted, processes, DRAIN_TIMEOUT)
        row.measured_seconds = time.monotonic() - clock
        row.node_cpu = cpu_seconds(node.pid) - node_cpu
        row.workers_cpu = sum(cpu_seconds(p.pid) for p in processes) - workers_cpu
        for process in processes:
            stop(process)
        measure(app, row, stream_started)
    except Exception as exc:
        row.error = f"{type(exc).__name__}: {exc}"
        log(f"{name}: {row.error}")
        if app is not None:
            try:
                measure(app, row, utcnow() - timedelta(days=1), check=False)
            except Exception as inner:
                log(f"  and measuring what there is failed too: {inner}")
    finally:
        steps = [functools.partial(stop, process) for process in [*processes, node] if process]
        steps.append(functools.partial(read_logs, row, logs))
        if app is not None:
            steps.append(functools.partial(dispose, app))
        if database == "postgresql":
            steps.append(functools.partial(postgres_db.recreate, POSTGRES_DATABASE, create=False))
        steps.append(functools.partial(shutil.rmtree, folder, ignore_errors=True))
        clean_up(steps)
    return row


def dispose(app) -> None:
    with app.app_context():
        db.engine.dispose()


def clean_up(steps) -> None:
    """Takes every step even if one fails, then raises the first failure."""
    failure = None
    for step in steps:
        try:
            step()
        except BaseException as exc:  # an interrupt too: the other steps still run
            failure = failure or exc
    if failure is not None:
        raise failure


# -- the table ---------------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else math.nan
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def print_row(row: Row) -> None:
    offered = row.accepted / row.stream_seconds * 60 if row.stream_seconds else 0.0
    rate = row.confirmed / row.wall_seconds * 60 if row.wall_seconds else 0.0
    per_tx = row.confirmed / row.mined_transactions if row.mined_transactions else 0.0
    check = "ok" if row.correct else "WRONG"
    print(
        f"{row.database:<10} {row.chain:<9} {row.workers:>7} {offered:>8.0f} {rate:>8.0f}"
        f" {row.wall_seconds:>7.1f} {percentile(row.latencies, 50):>6.2f}"
        f" {percentile(row.latencies, 95):>6.2f} {row.mined_transactions:>5}"
        f" {row.signed_transactions:>7} {per_tx:>7.1f} {row.cards_seconds:>8.1f}"
        f" {row.tick_failures:>12} {check}"
    )


def print_details(row: Row) -> None:
    total = sum(row.statuses.values())
    print(
        f"{row.database}, {row.chain}, {row.workers} worker(s): {row.accepted} claims accepted"
        f" in {row.stream_seconds:.1f} s; award jobs {dict(row.statuses) or '{}'} of {total};"
        f" reconcile: {len(row.differences)} difference(s); 'worker tick failed'"
        f" {row.tick_failures}, warnings {row.warnings} in the worker logs"
    )
    print(
        f"  medians: {percentile(row.waits, 50):.2f} s queued until sent, then"
        f" {percentile(row.chain_times, 50):.2f} s until confirmed; CPU over the"
        f" {row.measured_seconds:.1f} s from the first claim to the last award done: node"
        f" {row.node_cpu:.1f} s, workers {row.workers_cpu:.1f} s"
    )
    if row.error:
        print(f"  error: {row.error}")
    for difference in row.differences[:5]:
        print(f"  difference: {difference}")
    for line in row.log_excerpts[:6]:
        print(f"  {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=STREAM_SECONDS,
        help=f"how long the claims take to arrive (default {STREAM_SECONDS:.0f})",
    )  # fmt: skip
    parser.add_argument("--no-postgres", action="store_true", help="SQLite rows only")
    args = parser.parse_args()
    # SIGTERM exits as Ctrl-C does, through the `finally` blocks that stop every process.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    started = time.monotonic()
    plan = [("sqlite", chain, workers) for chain in CHAINS for workers in WORKER_COUNTS]
    postgres = not args.no_postgres and postgres_db.answers()
    if postgres:
        plan += [("postgresql", chain, workers) for chain, workers in POSTGRES_ROWS]
    print(
        f"Chain throughput, accepted claim to confirmed job: {MEMBERS} members x {EVENTS} events"
        f" = {MEMBERS * EVENTS} attendances, in {burst_count(args.seconds)} bursts every"
        f" {BURST_EVERY} s over {args.seconds:.0f} s (record_claim in this process, one commit"
        f" per claim)"
    )
    print(
        f"real worker processes, ENISHI_WORKER_INTERVAL={WORKER_INTERVAL} s, batch size 100,"
        f" 1 confirmation; {os.cpu_count()} CPUs shared by the node, the workers and the claims"
    )
    print(
        f"the {MEMBERS} membership-card jobs (one transaction each) go on chain before the clock"
        f" starts and are in no figure but 'cards s', the time they took"
    )
    rows = [run_row(database, chain, workers, args.seconds) for database, chain, workers in plan]
    header = f"{'database':<10} {'chain':<9} {'workers':>7} {'offered':>8} {'att/min':>8}"
    print(
        f"{header} {'wall s':>7} {'p50 s':>6} {'p95 s':>6} {'txs':>5} {'signed':>7}"
        f" {'att/tx':>7} {'cards s':>8} {'tick failed':>12} check"
    )
    for row in rows:
        print_row(row)
    for row in rows:
        print_details(row)
    if not postgres:
        print(f"no PostgreSQL rows (--no-postgres, or none answers at {postgres_db.MAINTENANCE})")
    print(
        "offered: claims accepted per minute while they arrived; att/min: confirmed awards per"
        " minute of wall time (first accepted claim to last confirmation); p50/p95:"
        " confirmed_at - created_at of the award jobs; txs: transactions the awards were mined"
        " in; signed: transactions signed from the first claim on (replacements included);"
        " check: all confirmed and reconcile finds no difference"
    )
    print(f"total {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
