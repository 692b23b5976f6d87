"""How fast the community's figures answer with 10,000 members and 200,000 attendances over
24 months, on SQLite and PostgreSQL.

    .venv/bin/python bench/community_page.py [--members N] [--attendances N] [--repeats N]

The town: 10,000 members with their cards (a third from before the 24 months, the rest given
during them), three in four saying where they live (市内 / 県内 / 県外) and a few percent of
those moving once; about 40 events a month and 200,000 attendances, a few members coming
often and most rarely; a reward for each; 20,000 perk tickets used at five partner shops; a
few projects and proposals. The rows are written in bulk with Core inserts straight into the
migrated tables (the app's services would take an hour); one member is made with the app's own
services and logs in.

Rows: the summary made from scratch (rebuild_summary, once) and the month under way summed
again (refresh_summary, forced); then, warm, `community_figures` for this month, this season,
this year and a custom 24 months, and the whole request GET /community?year=YYYY through the
app in this process (Flask's test client, logged in as the member) when the page exists. Each
warm row is asked once to warm up, then REPEATS times: the median and the 95th percentile.
The target is under 300 ms warm. The PostgreSQL run uses its own database
`enishi_bench_community` (made and dropped here) and is skipped if PostgreSQL does not answer.
The machine is shared: the load average is printed before and after; compare the rows with
each other, not with another machine's.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from itertools import accumulate
from pathlib import Path

import postgres_db
from bench_app import open_app

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MEMBERS = 10_000
ATTENDANCES = 200_000
MONTHS = 24
REPEATS = 30
EVENTS_PER_MONTH = 40
TICKETS = 20_000
SHOPS = ("塩尻ワイナリー", "本の店", "珈琲 縁", "道の駅", "そば処")
PASSWORD = "bench-password"
POSTGRES_DATABASE = "enishi_bench_community"  # dropped and made again: never the suite's
TARGET_MS = 300


def arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=MEMBERS)
    parser.add_argument("--attendances", type=int, default=ATTENDANCES)
    parser.add_argument("--repeats", type=int, default=REPEATS, help="warm runs per row")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    return parser.parse_args(argv)


def fill(app, options, now: datetime) -> str:
    """Migrates and writes the town; returns the logging-in member's e-mail address."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from webapp.accounts.models import Role, User
    from webapp.accounts.services import create_user
    from webapp.checkin.models import Attendance, Claim
    from webapp.community.periods import add_months, month_of, month_start
    from webapp.core.i18n import local_zone
    from webapp.decisions.models import Proposal
    from webapp.events.models import Event
    from webapp.extensions import db
    from webapp.ledger.models import LedgerEntry
    from webapp.membership.models import Membership
    from webapp.membership.services import issue_membership
    from webapp.onchain.connection import get_public_keyring, load_keyring
    from webapp.onchain.models import ChainJob
    from webapp.perks.models import Partner, Perk, Redemption
    from webapp.profiles.models import Residence
    from webapp.projects.models import Project

    rng = random.Random(17)
    with app.app_context():
        zone = local_zone()
        upgrade(directory=app.extensions["migrate"].directory)
        load_keyring(app)
        session = db.session
        keyring = get_public_keyring()
        me = create_user(session, keyring, email="member@example.org", password=PASSWORD,
                         display_name="ベンチ 会員")  # fmt: skip
        issue_membership(session, me, now - timedelta(days=800))
        organiser = create_user(session, keyring, email="organiser@example.org", password=None,
                                display_name="主催者", role=Role.ORGANISER)  # fmt: skip
        session.commit()

        first = add_months(month_of(now, zone), 1 - MONTHS)
        window_start = month_start(first, zone)
        span = (now - window_start).total_seconds()

        def moment_in_window() -> datetime:
            return window_start + timedelta(seconds=rng.uniform(0, span))

        session.execute(
            insert(User),
            [
                {
                    "display_name": f"会員 {n:05d}",
                    "email": f"person{n}@example.org",
                    "role": "member",
                    "created_at": window_start,
                    "joined_at": window_start,
                    "active": True,
                    "text_size": "standard",
                }
                for n in range(options.members)
            ],
        )
        ids = session.scalars(
            select(User.id).where(User.id.not_in((me.id, organiser.id))).order_by(User.id)
        ).all()
        cards = {
            user_id: window_start - timedelta(days=rng.randrange(1, 400))
            if rng.random() < 0.33
            else moment_in_window()
            for user_id in ids
        }
        session.execute(
            insert(Membership),
            [{"user_id": u, "issued_at": at, "first_issued_at": at} for u, at in cards.items()],
        )
        residences, moved = [], 0
        for user_id, card in cards.items():
            if rng.random() < 0.25:
                continue
            area = rng.choices(("city", "prefecture", "outside"), (45, 20, 35))[0]
            residences.append({"user_id": user_id, "area": area, "since": card})
            if rng.random() < 0.04:
                moved += 1
                later = card + (now - card) * rng.uniform(0.2, 0.9)
                to = rng.choice([a for a in ("city", "prefecture", "outside") if a != area])
                residences.append({"user_id": user_id, "area": to, "since": later})
        session.execute(insert(Residence), residences)

        # A few members come often, most rarely (weights from a Pareto law).
        weights = list(accumulate(rng.paretovariate(1.2) for _ in ids))
        job = session.execute(
            insert(ChainJob).returning(ChainJob.id),
            {"kind": "award", "user_id": ids[0], "address": "0x" + "0" * 40, "status": "confirmed"},
        ).scalar_one()
        months = [add_months(first, k) for k in range(MONTHS)]
        events = []
        for month in months:
            start = month_start(month, zone)
            end = min(month_start(add_months(month, 1), zone), now)
            for _ in range(EVENTS_PER_MONTH):
                starts = start + (end - start) * rng.random()
                events.append(
                    {
                        "title": "塩尻ワイン講座",
                        "venue": "えんぱーく",
                        "starts_at": starts,
                        "ends_at": starts + timedelta(hours=2),
                        "reward": rng.choice((10, 20, 30)),
                        "secret": rng.randbytes(32),
                        "organiser_id": organiser.id,
                        "created_at": starts - timedelta(days=7),
                    }
                )
        session.execute(insert(Event), events)
        held = session.execute(select(Event.id, Event.starts_at, Event.reward)).all()
        per_event = options.attendances // len(held)
        claims, attendances, rewards = [], [], []
        for number, (event_id, starts, reward) in enumerate(held):
            count = per_event + (1 if number < options.attendances % len(held) else 0)
            people: set[int] = set()
            while len(people) < count:
                people.update(rng.choices(ids, cum_weights=weights, k=count - len(people)))
            for user_id in people:
                at = starts + timedelta(minutes=rng.uniform(0, 120))
                claim = str(uuid.UUID(int=rng.getrandbits(128)))
                claims.append(
                    {
                        "id": claim,
                        "user_id": user_id,
                        "event_id": event_id,
                        "code": "bench",
                        "scanned_at": at,
                        "received_at": at,
                        "source": "api",
                        "offline": False,
                        "status": "accepted",
                        "via": "display",
                    }
                )
                attendances.append(
                    {
                        "user_id": user_id,
                        "event_id": event_id,
                        "claim_id": claim,
                        "chain_job_id": job,
                        "checked_in_at": at,
                    }
                )
                rewards.append(
                    {"user_id": user_id, "amount": reward, "kind": "reward", "created_at": at}
                )
        for rows, model in ((claims, Claim), (attendances, Attendance), (rewards, LedgerEntry)):
            for k in range(0, len(rows), 20_000):
                session.execute(insert(model), rows[k : k + 20_000])

        session.execute(
            insert(Partner), [{"name_ja": name, "name_en": "", "place": ""} for name in SHOPS]
        )
        partners = session.scalars(select(Partner.id)).all()
        session.execute(
            insert(Perk),
            [
                {
                    "partner_id": p,
                    "title_ja": f"特典 {k}",
                    "title_en": "",
                    "price": price,
                    "active": True,
                }
                for p in partners
                for k, price in enumerate((10, 30))
            ],
        )
        perks = session.execute(select(Perk.id, Perk.price)).all()
        tickets = []
        for _ in range(TICKETS):
            perk_id, price = rng.choice(perks)
            used = moment_in_window()
            tickets.append(
                {
                    "perk_id": perk_id,
                    "user_id": rng.choices(ids, cum_weights=weights)[0],
                    "price": price,
                    "status": "used",
                    "short_code": f"{rng.randrange(10**6):06d}",
                    "created_at": used,
                    "expires_at": used + timedelta(minutes=15),
                    "used_at": used,
                    "used_by_id": organiser.id,
                }
            )
        session.execute(insert(Redemption), tickets)
        session.execute(
            insert(Project),
            [
                {
                    "title": f"プロジェクト {k}",
                    "lead_id": ids[k],
                    "proposed_by_id": ids[k],
                    "status": "active" if k % 3 else "closed",
                    "created_at": window_start,
                    "activated_at": moment_in_window(),
                    "ended_at": now - timedelta(days=20) if k % 3 == 0 else None,
                }
                for k in range(30)
            ],
        )
        proposals = []
        for k in range(60):
            opened = moment_in_window() - timedelta(days=14)
            proposals.append(
                {
                    "title": f"提案 {k}",
                    "author_id": ids[k],
                    "created_at": opened,
                    "voting_starts_at": opened,
                    "voting_ends_at": opened + timedelta(days=7),
                    "min_turnout_percent": 10,
                    "status": "passed",
                    "closed_at": opened + timedelta(days=7),
                    "electorate_size": 100,
                }
            )
        session.execute(insert(Proposal), proposals)
        session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                connection.exec_driver_sql("ANALYZE")
        print(
            f"  {len(ids):,} members, {len(residences):,} residences ({moved} moved),"
            f" {len(held):,} events, {len(attendances):,} attendances, {TICKETS:,} tickets",
            file=sys.stderr,
        )
        session.remove()
    return "member@example.org"


def timed(call, repeats: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of `repeats` calls after a first one."""
    call()  # warm
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def once(call) -> tuple[list[float], list[float]]:
    start, start_cpu = time.perf_counter(), time.process_time()
    call()
    return [(time.perf_counter() - start) * 1000], [(time.process_time() - start_cpu) * 1000]


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def log_in(client, email: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302, "the member could not log in"


def page_exists(app) -> bool:
    return "community.page" in app.view_functions or any(
        rule.rule == "/community" for rule in app.url_map.iter_rules()
    )


def run(database: str, database_url: str, folder: Path, options) -> tuple[list[tuple], list]:
    from webapp.community.figures import community_figures
    from webapp.community.periods import (
        add_months,
        custom_period,
        month_of,
        month_period,
        season_period,
        year_period,
    )
    from webapp.community.summary import rebuild_summary, refresh_summary
    from webapp.core.db import utcnow
    from webapp.core.i18n import local_zone
    from webapp.extensions import db

    app = open_app(folder, database_url)
    now = utcnow()
    print(f"{database}: writing the town", file=sys.stderr)
    email = fill(app, options, now)
    results, notes = [], []

    def row(what: str, times: tuple[list[float], list[float]], shown: str = "") -> None:
        wall, cpu = times
        results.append(
            (database, what, len(wall), statistics.median(wall), p95(wall),
             statistics.median(cpu), shown)
        )  # fmt: skip

    with app.app_context():
        zone, session = local_zone(), db.session
        summed = []

        def rebuild() -> None:
            summed.append(rebuild_summary(session, now, zone))
            session.commit()

        row("rebuild_summary", once(rebuild), f"{summed[0]} months")
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                connection.exec_driver_sql("ANALYZE")

        def refresh() -> None:
            refresh_summary(session, now, zone, force=True)
            session.commit()

        row("refresh_summary (month under way)", timed(refresh, 3))

        this_month = month_of(now, zone)
        periods = [
            ("this month", month_period(this_month)),
            ("this season", season_period(this_month)),
            ("this year", year_period(this_month // 100)),
            ("custom 24 months", custom_period(add_months(this_month, -23), this_month)),
        ]
        for name, period in periods:
            figures = community_figures(session, period, now, zone)
            shown = (
                f"{figures.checkins.total:,} check-ins, {figures.participants.total:,} people,"
                f" {figures.active_members.total:,} active"
            )
            times = timed(
                lambda p=period: community_figures(session, p, now, zone), options.repeats
            )
            session.rollback()
            row(f"figures: {name}", times, shown)
        if options.explain:
            explain(session, periods[-1][1])
        session.remove()

    year = this_month // 100
    if page_exists(app):
        client = app.test_client()
        log_in(client, email)
        path = f"/community?year={year}"
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)

        def get() -> None:
            client.get(path).get_data()

        row(f"GET {path}", timed(get, options.repeats), f"{len(answer.get_data()):,} bytes")
    else:
        notes.append(f"{database}: GET /community?year={year} skipped: the page is not there yet")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return results, notes


def explain(session, period) -> None:
    """The plans of the figures' statements, as the database runs them."""
    from sqlalchemy import event

    from webapp.community.figures import community_figures
    from webapp.core.db import utcnow
    from webapp.core.i18n import local_zone

    statements = []
    engine = session.get_bind()

    def keep(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        community_figures(session, period, utcnow(), local_zone())
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    prefix = "EXPLAIN ANALYZE " if engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
    connection = session.connection()
    for statement, parameters in statements:
        print("--", statement.replace("\n", " ")[:200])
        for line in connection.exec_driver_sql(prefix + statement, parameters):
            print("   ", " ".join(str(part) for part in line))


def run_sqlite(options) -> tuple[list, list]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'enishi.sqlite'}"
        return run("sqlite", url, Path(folder), options)


def run_postgres(options) -> tuple[list, list]:
    postgres_db.recreate(POSTGRES_DATABASE, create=True)
    try:
        with tempfile.TemporaryDirectory() as folder:
            return run("postgresql", postgres_db.url(POSTGRES_DATABASE), Path(folder), options)
    finally:
        postgres_db.recreate(POSTGRES_DATABASE, create=False)


def load() -> str:
    """The 1-minute load average: other work on the machine makes every row slower."""
    return f"{os.getloadavg()[0]:.1f}"


def main() -> None:
    options = arguments()
    print(
        f"The community's figures with {options.members:,} members and"
        f" {options.attendances:,} attendances over {MONTHS} months: median and 95th"
        f" percentile of {options.repeats} warm runs (the summary's rows: one run, or three);"
        f" target under {TARGET_MS} ms warm; {os.cpu_count()} CPUs"
    )
    load_before = load()
    results, notes = run_sqlite(options)
    if options.sqlite_only:
        notes.append("PostgreSQL skipped (--sqlite-only)")
    elif postgres_db.answers():
        more, more_notes = run_postgres(options)
        results, notes = results + more, notes + more_notes
    else:
        notes.append(f"PostgreSQL does not answer at {postgres_db.MAINTENANCE}: SQLite only")
    print(f"load average before and after: {load_before}, {load()}")
    print("cpu: this process's CPU time (all of SQLite's work; none of PostgreSQL's server's)")
    print(
        f"{'database':<11} {'what':<34} {'runs':>4} {'p50 ms':>8} {'p95 ms':>8} {'cpu p50':>8}"
        "  shown"
    )
    for database, what, runs, median, slowest, cpu, shown in results:
        print(
            f"{database:<11} {what:<34} {runs:>4} {median:>8.1f} {slowest:>8.1f} {cpu:>8.1f}"
            f"  {shown}"
        )
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
