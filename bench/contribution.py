"""How fast 「わたしの参加」 (`/account/contribution`) answers for a member with 500
attendances among 200,000, on SQLite and PostgreSQL.

    .venv/bin/python bench/contribution.py

10,000 people and 4,000 events of 50 attendees each (200,000 attendances, each with its claim
and reward), over 2024 to 2026; the measured member was at 500 of them, with people they met in
earlier years among the others. The rows are written in bulk straight into the migrated tables;
the member is made with the app's own service and logs in.

Rows: the busiest year (2026) and an earlier one, each the whole request through the app in this
process (Flask's test client), asked once to warm up, then REPEATS times: the median and the
slowest. The PostgreSQL run uses its own database `enishi_bench_contribution` (made and dropped
here) and is skipped if PostgreSQL does not answer. Compare the rows with each other, not with
another machine's.
"""

from __future__ import annotations

import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import postgres_db
from bench_app import open_app
from flask_migrate import upgrade
from members_list import PASSWORD, log_in
from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from webapp.accounts.models import Role, User  # noqa: E402
from webapp.accounts.services import create_user  # noqa: E402
from webapp.checkin.models import Attendance, Claim  # noqa: E402
from webapp.events.models import Event  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.ledger.models import LedgerEntry  # noqa: E402
from webapp.onchain.connection import get_public_keyring, load_keyring  # noqa: E402
from webapp.onchain.models import ChainJob  # noqa: E402

PEOPLE = 10_000
EVENTS = 4_000
PER_EVENT = 50
MINE = 500
REPEATS = 20
POSTGRES_DATABASE = "enishi_bench_contribution"  # dropped and made again: never the suite's
FIRST_DAY = datetime(2024, 1, 1, tzinfo=UTC)
CASES = [("2026", "/account/contribution?year=2026"), ("2024", "/account/contribution?year=2024")]


def fill(app) -> str:
    """Migrates and writes the history; returns the measured member's e-mail address."""
    rng = random.Random(17)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        load_keyring(app)
        me = create_user(db.session, get_public_keyring(), email="me@example.org",
                         password=PASSWORD, display_name="塩尻 花子", role=Role.MEMBER)  # fmt: skip
        organiser = create_user(db.session, get_public_keyring(), email="org@example.org",
                                password=PASSWORD, display_name="主催者",
                                role=Role.ORGANISER)  # fmt: skip
        db.session.execute(insert(User), [
            {"display_name": f"参加者 {n:05d}", "role": "member", "active": True,
             "text_size": "standard"}
            for n in range(PEOPLE)
        ])  # fmt: skip
        others = db.session.scalars(select(User.id).where(User.id.not_in([me.id, organiser.id])))
        others = list(others)
        span = (datetime(2026, 12, 1, tzinfo=UTC) - FIRST_DAY).total_seconds()
        starts = sorted(FIRST_DAY + timedelta(seconds=rng.random() * span) for _ in range(EVENTS))
        db.session.execute(insert(Event), [
            {"title": f"イベント {n}", "venue": "えんぱーく", "starts_at": at,
             "ends_at": at + timedelta(hours=2), "reward": 10, "secret": os.urandom(32),
             "organiser_id": organiser.id}
            for n, at in enumerate(starts)
        ])  # fmt: skip
        events = db.session.execute(select(Event.id, Event.starts_at)).all()
        job = ChainJob(kind="award", user_id=me.id, address=me.address)
        db.session.add(job)
        db.session.flush()
        mine = set(rng.sample(range(EVENTS), MINE))
        claims, attendances = [], []
        for n, (event_id, starts_at) in enumerate(events):
            # A small circle of regulars: the member meets many of them again year after year.
            pool = others[:6000] if n in mine else others
            people = rng.sample(pool, PER_EVENT - (1 if n in mine else 0))
            if n in mine:
                people.append(me.id)
            for k, user_id in enumerate(people):
                at = starts_at + timedelta(minutes=k)
                claim_id = str(uuid.UUID(int=rng.getrandbits(128)))
                claims.append({"id": claim_id, "user_id": user_id, "event_id": event_id,
                               "code": "bench", "scanned_at": at, "received_at": at,
                               "source": "api", "status": "accepted"})  # fmt: skip
                attendances.append({"user_id": user_id, "event_id": event_id,
                                    "claim_id": claim_id, "chain_job_id": job.id,
                                    "checked_in_at": at})  # fmt: skip
        for start in range(0, len(claims), 20_000):
            db.session.execute(insert(Claim), claims[start : start + 20_000])
            db.session.execute(insert(Attendance), attendances[start : start + 20_000])
        rows = db.session.execute(
            select(Attendance.id, Attendance.user_id, Attendance.checked_in_at)
        )
        entries = [{"user_id": user_id, "amount": 10, "kind": "reward", "attendance_id": id_,
                    "created_at": at} for id_, user_id, at in rows]  # fmt: skip
        for start in range(0, len(entries), 20_000):
            db.session.execute(insert(LedgerEntry), entries[start : start + 20_000])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # Outside a transaction: statistics gathered in one rolled back are lost.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("ANALYZE")
        db.session.remove()
        return "me@example.org"


def measure(client, path: str) -> tuple[list[float], str, str]:
    first = client.get(path)
    assert first.status_code == 200, (path, first.status_code)
    page = first.get_data(as_text=True)
    events = re.search(r'data-testid="summary-events">([^<]*)<', page).group(1)
    people = re.search(r'data-testid="summary-people">([^<]*)<', page).group(1)
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        client.get(path).get_data()
        times.append((time.perf_counter() - start) * 1000)
    return times, events, people


def run(database: str, database_url: str, folder: Path) -> list[tuple]:
    app = open_app(folder, database_url)
    print(f"{database}: writing {EVENTS * PER_EVENT:,} attendances", file=sys.stderr)
    email = fill(app)
    client = app.test_client()
    log_in(client, email)
    results = []
    for name, path in CASES:
        times, events, people = measure(client, path)
        results.append((database, name, events, people, statistics.median(times), max(times)))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return results


def main() -> None:
    print(f"/account/contribution, {MINE} attendances among {EVENTS * PER_EVENT:,}: whole "
          f"requests, median and slowest of {REPEATS}; {os.cpu_count()} CPUs")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        results = run("sqlite", f"sqlite:///{Path(folder) / 'enishi.sqlite'}", Path(folder))
    if postgres_db.answers():
        postgres_db.recreate(POSTGRES_DATABASE, create=True)
        try:
            with tempfile.TemporaryDirectory() as folder:
                results += run("postgresql", postgres_db.url(POSTGRES_DATABASE), Path(folder))
        finally:
            postgres_db.recreate(POSTGRES_DATABASE, create=False)
    else:
        print(f"PostgreSQL does not answer at {postgres_db.MAINTENANCE}: SQLite only")
    print(f"{'database':<11} {'year':<5} {'events':>6} {'met':>5} {'p50 ms':>7} {'max ms':>7}")
    for database, name, events, people, median, slowest in results:
        print(f"{database:<11} {name:<5} {events:>6} {people:>5} {median:>7.1f} {slowest:>7.1f}")


if __name__ == "__main__":
    main()
