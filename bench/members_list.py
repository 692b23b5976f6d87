"""How fast the administrators' list of everyone (`/admin/members`) answers with 10,000 people,
on SQLite and PostgreSQL.

    .venv/bin/python bench/members_list.py

10,000 people, as a town's DAO might hold after some years: 5 % invited and not yet joined,
1 % closed, the rest with a membership (10 % lapsed, 5 % taken back) or none; seven cohorts;
most with one or two device sessions (for "last seen"). The rows are written in bulk straight
into the migrated tables (the app's services would take minutes hashing passwords); one
administrator is made with the app's own service and logs in.

Rows: the first page, a late page (page 150 of 200), a search by part of a name (「佐藤 花」), a
filter (lapsed members of 第3期). Each is the whole request through the app in this process
(Flask's test client: routing, login, the queries, the template), asked once to warm up, then
REPEATS times; the table gives the median and the slowest. The PostgreSQL run uses its own
database `enishi_bench_members` (made and dropped here) and is skipped if PostgreSQL does not
answer. Compare the rows with each other, not with another machine's.
"""

from __future__ import annotations

import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import postgres_db
from bench_app import open_app
from flask_migrate import upgrade
from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from webapp.accounts.models import DeviceSession, Role, User  # noqa: E402
from webapp.accounts.services import create_user  # noqa: E402
from webapp.core.db import utcnow  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.membership.models import Membership  # noqa: E402
from webapp.onchain.connection import get_public_keyring, load_keyring  # noqa: E402

PEOPLE = 10_000
REPEATS = 20
PASSWORD = "bench-password"
POSTGRES_DATABASE = "enishi_bench_members"  # dropped and made again: never the suite's
POSTGRES_URL = postgres_db.url(POSTGRES_DATABASE)
FAMILY = "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上".split()
GIVEN = "花子 太郎 一郎 美咲 翔太 陽菜 大輔 さくら 健 和子 清 幸子 誠 恵子 茂 節子 勇 洋子".split()
COHORTS = [f"第{n}期" for n in range(1, 8)]
CASES = [
    ("first page", "/admin/members"),
    ("page 150 of 200", "/admin/members?page=150"),
    ("search by name", "/admin/members?q=佐藤 花"),
    ("lapsed of a cohort", "/admin/members?state=lapsed&cohort=第3期"),
]


def fill(app) -> str:
    """Migrates and writes the people; returns the administrator's e-mail address."""
    rng = random.Random(10)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        load_keyring(app)
        admin = create_user(db.session, get_public_keyring(), email="admin@example.org",
                            password=PASSWORD, display_name="管理者", role=Role.ADMIN)  # fmt: skip
        now = utcnow()
        people = []
        for n in range(PEOPLE):
            roll = rng.random()
            joined = None if roll < 0.05 else now - timedelta(days=rng.randrange(1, 2000))
            people.append(
                {
                    "display_name": f"{rng.choice(FAMILY)} {rng.choice(GIVEN)} {n:05d}",
                    "email": f"person{n}@example.org" if rng.random() < 0.7 else None,
                    "role": "organiser" if rng.random() < 0.02 else "member",
                    "cohort": rng.choice(COHORTS),
                    "created_at": joined or now,
                    "joined_at": joined,
                    "closed_at": now if 0.05 <= roll < 0.06 else None,
                    "active": True,
                    "text_size": "standard",
                }
            )
        db.session.execute(insert(User), people)
        ids = db.session.scalars(select(User.id).where(User.id != admin.id)).all()
        joined_ids = set(db.session.scalars(select(User.id).where(User.joined_at.is_not(None))))
        memberships, sessions = [], []
        for user_id in ids:
            if user_id in joined_ids and rng.random() < 0.85:
                kind = rng.random()
                memberships.append(
                    {
                        "user_id": user_id,
                        "issued_at": now - timedelta(days=400),
                        "term_ends_at": now - timedelta(days=30) if kind < 0.10 else None,
                        "revoked_at": now - timedelta(days=5) if 0.10 <= kind < 0.15 else None,
                    }
                )
            for k in range(rng.choice((0, 1, 1, 2))):
                seen = now - timedelta(hours=rng.randrange(1, 24 * 400))
                sessions.append(
                    {
                        "id": f"bench-{user_id}-{k}",
                        "user_id": user_id,
                        "label": "Safari / iPhone",
                        "created_at": seen,
                        "last_seen_at": seen,
                    }
                )
        db.session.execute(insert(Membership), memberships)
        db.session.execute(insert(DeviceSession), sessions)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                connection.exec_driver_sql("ANALYZE")
        email = admin.email
        db.session.remove()
        return email


def log_in(client, email: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302, "the administrator could not log in"


def measure(client, path: str) -> tuple[list[float], int, str]:
    first = client.get(path)
    assert first.status_code == 200, (path, first.status_code)
    page = first.get_data(as_text=True)
    rows = page.count('data-testid="person"')
    total = re.search(r'data-testid="people-total">([^<]*)<', page).group(1).strip()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        answer = client.get(path)
        answer.get_data()
        times.append((time.perf_counter() - start) * 1000)
    return times, rows, total


def run(database: str, database_url: str, folder: Path) -> list[tuple]:
    app = open_app(folder, database_url)
    print(f"{database}: writing {PEOPLE:,} people", file=sys.stderr)
    email = fill(app)
    client = app.test_client()
    log_in(client, email)
    results = []
    for name, path in CASES:
        times, rows, total = measure(client, path)
        results.append((database, name, rows, total, statistics.median(times), max(times)))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return results


def run_sqlite() -> list[tuple]:
    with tempfile.TemporaryDirectory() as folder:
        return run("sqlite", f"sqlite:///{Path(folder) / 'enishi.sqlite'}", Path(folder))


def run_postgres() -> list[tuple]:
    postgres_db.recreate(POSTGRES_DATABASE, create=True)
    try:
        with tempfile.TemporaryDirectory() as folder:
            return run("postgresql", POSTGRES_URL, Path(folder))
    finally:
        postgres_db.recreate(POSTGRES_DATABASE, create=False)


def main() -> None:
    print(f"/admin/members with {PEOPLE:,} people: whole requests in this process, "
          f"median and slowest of {REPEATS}; {os.cpu_count()} CPUs")  # fmt: skip
    results = run_sqlite()
    if postgres_db.answers():
        results += run_postgres()
    else:
        print(f"PostgreSQL does not answer at {postgres_db.MAINTENANCE}: SQLite only")
    print(f"{'database':<11} {'case':<20} {'rows':>5} {'p50 ms':>7} {'max ms':>7}  total shown")
    for database, name, rows, total, median, slowest in results:
        print(f"{database:<11} {name:<20} {rows:>5} {median:>7.1f} {slowest:>7.1f}  {total}")


if __name__ == "__main__":
    main()
