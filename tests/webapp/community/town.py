"""A small town's two years, built by hand through the app's own services (check-ins, rewards,
perk tickets, member cards, projects, proposals) at fixed moments, for the community's figures.

Who (where they said they live; when they got their card):
  A  県外 from 2025-05, 市内 from 2026-05-10 (moved); card 2025-06-01
  B  市内; card 2025-01-15
  C  県内 from 2026-02; card 2026-03-05
  D  never said (unknown); card 2026-04-10
  E  市内; card 2025-02-01
  F  県外; card 2026-03-31T15:10Z (April 1st in Tokyo); never checks in

Check-ins (Tokyo month): B 2025-11, E 2025-12, E 2026-02, A 2026-03-10, C 2026-03-20,
B 2026-03-31T14:59Z (23:59 on March 31st in Tokyo: March, reward 30), A 2026-03-31T15:30Z
(00:30 on April 1st in Tokyo: April), A 2026-06, D 2026-07, C 2026-09, D 2026-10, B 2026-11;
every reward is 10 but B's on March 31st. An empty event on 2026-11-10 and one still to come
(2026-11-25, after NOW).

Perk tickets used: B the bookshop's (5) 2026-03-15 and the winery's (10) 2026-03-31T15:10Z
(April in Tokyo), A the winery's 2026-04-20 (still 県外) and 2026-06-20 (市内), C the
bookshop's 2026-09-10.

Projects: P1 active from 2026-01-31T15:00Z (February 1st in Tokyo) to 2026-05-15, P2 active
from 2026-06-01, P3 declined. Proposals decided: 2025-12-09, 2026-03-08, 2026-03-31T15:20Z
(April in Tokyo); one still voting at NOW."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from webapp.accounts.models import Role, User
from webapp.accounts.services import create_user
from webapp.checkin.models import Attendance
from webapp.core.db import utcnow
from webapp.decisions.services import advance, open_proposal
from webapp.events.services import create_event
from webapp.ledger.models import LedgerEntry
from webapp.membership.services import issue_membership
from webapp.perks.redemptions import start_redemption, ticket_key, use_ticket
from webapp.perks.services import add_staff, create_partner, create_perk
from webapp.profiles.models import Area
from webapp.profiles.residence import set_residence
from webapp.projects.services import (
    activate_project,
    close_project,
    decline_project,
    propose_project,
)

from ..checkin.rules import attend

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
KEY = ticket_key("test-secret")  # the test app's SECRET_KEY
PASSWORD = "correct horse battery"


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@dataclass
class Town:
    people: dict[str, User]
    organiser: User
    staff: User
    winery: object
    bookshop: object
    wine: object
    book: object


def person(session, keyring, name: str, role: Role = Role.MEMBER) -> User:
    return create_user(
        session, keyring, email=f"{name.lower()}@example.org", password=PASSWORD,
        display_name=name, role=role,
    )  # fmt: skip


def make_member(session, keyring, name: str, card: datetime, *moves: tuple[Area, datetime]):
    user = person(session, keyring, name)
    issue_membership(session, user, now=card)
    for area, since in moves:
        set_residence(session, user.id, area, since)
    return user


def check_in(session, town: Town, user: User, moment: datetime, reward: int = 10, starts=None):
    """`user` checks in at `moment` to an event of its own that started at `starts` (half an
    hour before, unless given); the reward is dated `moment`, as if credited then."""
    now = utcnow()
    event = create_event(
        session, town.organiser, title="塩尻ワイン講座", venue="えんぱーく", reward=reward,
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2),
    )  # fmt: skip
    session.commit()
    attendance = attend(session, user, event, at=moment)
    move_event(event, starts or moment - timedelta(minutes=30))
    reward_entry = session.scalar(
        select(LedgerEntry).where(LedgerEntry.attendance_id == attendance.id)
    )
    assert reward_entry is not None and reward_entry.amount == reward
    reward_entry.created_at = moment
    session.commit()
    return attendance


def move_event(event, starts: datetime) -> None:
    event.starts_at, event.ends_at = starts, starts + timedelta(hours=2)


def empty_event(session, town: Town, starts: datetime):
    event = create_event(
        session, town.organiser, title="草刈り", venue="公民館", reward=10,
        starts_at=starts, ends_at=starts + timedelta(hours=2),
    )  # fmt: skip
    session.commit()
    return event


def use_perk(session, town: Town, user: User, perk, shop, moment: datetime):
    ticket = start_redemption(session, user, perk, utcnow(), timedelta(minutes=15))
    use_ticket(session, town.staff, shop, ticket.short_code, KEY, utcnow())
    ticket.used_at = moment
    session.commit()
    return ticket


def decided_proposal(session, author: User, opened: datetime, closed: datetime | None):
    proposal = open_proposal(
        session, author, title="公民館に本棚を置く", body="", discussion_days=0, voting_days=7,
        min_turnout_percent=10, now=opened,
    )  # fmt: skip
    if closed is not None:
        assert advance(session, proposal, closed)
        assert proposal.closed_at == closed
    session.commit()
    return proposal


def build_town(session, keyring) -> Town:
    organiser = person(session, keyring, "Organiser", Role.ORGANISER)
    staff = person(session, keyring, "Staff")
    people = {
        "A": make_member(session, keyring, "A", at(2025, 6, 1, 3),
                         (Area.OUTSIDE, at(2025, 5, 1)), (Area.CITY, at(2026, 5, 10, 3))),
        "B": make_member(session, keyring, "B", at(2025, 1, 15, 3), (Area.CITY, at(2025, 1, 1))),
        "C": make_member(session, keyring, "C", at(2026, 3, 5, 3),
                         (Area.PREFECTURE, at(2026, 2, 1))),
        "D": make_member(session, keyring, "D", at(2026, 4, 10, 3)),
        "E": make_member(session, keyring, "E", at(2025, 2, 1, 3), (Area.CITY, at(2025, 1, 1))),
        "F": make_member(session, keyring, "F", at(2026, 3, 31, 15, 10),
                         (Area.OUTSIDE, at(2026, 1, 1))),
    }  # fmt: skip
    winery = create_partner(session, name_ja="塩尻ワイナリー", name_en="Shiojiri Winery")
    bookshop = create_partner(session, name_ja="本の店", name_en="Bookshop")
    add_staff(session, winery, staff.email)
    add_staff(session, bookshop, staff.email)
    wine = create_perk(session, winery, title_ja="グラスワイン1杯", price=10)
    book = create_perk(session, bookshop, title_ja="文庫本", price=5)
    session.commit()
    town = Town(people, organiser, staff, winery, bookshop, wine, book)
    a, b, c, d, e = (people[name] for name in "ABCDE")

    check_in(session, town, b, at(2025, 11, 20, 1))
    check_in(session, town, e, at(2025, 12, 15, 1))
    check_in(session, town, e, at(2026, 2, 10, 1))
    check_in(session, town, a, at(2026, 3, 10, 1))
    check_in(session, town, c, at(2026, 3, 20, 1))
    check_in(session, town, b, at(2026, 3, 31, 14, 59), reward=30)  # 23:59 in Tokyo: March
    # 00:30 on April 1st in Tokyo; its event starts at 00:00 in Tokyo, April too.
    check_in(session, town, a, at(2026, 3, 31, 15, 30), starts=at(2026, 3, 31, 15))
    check_in(session, town, a, at(2026, 6, 15, 1))
    check_in(session, town, d, at(2026, 7, 7, 1))
    check_in(session, town, c, at(2026, 9, 5, 1))
    check_in(session, town, d, at(2026, 10, 3, 1))
    check_in(session, town, b, at(2026, 11, 5, 1))
    empty_event(session, town, at(2026, 11, 10, 1))
    empty_event(session, town, at(2026, 11, 25, 1))  # after NOW: not held yet

    use_perk(session, town, b, book, bookshop, at(2026, 3, 15, 3))
    use_perk(session, town, b, wine, winery, at(2026, 3, 31, 15, 10))  # April in Tokyo
    use_perk(session, town, a, wine, winery, at(2026, 4, 20, 3))
    use_perk(session, town, a, wine, winery, at(2026, 6, 20, 3))
    use_perk(session, town, c, book, bookshop, at(2026, 9, 10, 3))

    p1 = propose_project(session, b, title="ぶどう畑の手入れ", purpose="畑", help_wanted="",
                         lead=b, now=at(2026, 1, 10))  # fmt: skip
    activate_project(session, p1, now=at(2026, 1, 31, 15))  # February 1st in Tokyo
    close_project(session, p1, actor=b, now=at(2026, 5, 15, 3))
    p2 = propose_project(session, e, title="灯りのまつり", purpose="祭", help_wanted="",
                         lead=e, now=at(2026, 5, 20))  # fmt: skip
    activate_project(session, p2, now=at(2026, 6, 1, 3))
    p3 = propose_project(session, b, title="古民家カフェ", purpose="", help_wanted="",
                         lead=b, now=at(2026, 2, 10))  # fmt: skip
    decline_project(session, p3, now=at(2026, 3, 1))
    session.commit()

    decided_proposal(session, b, at(2025, 12, 1, 3), at(2025, 12, 9, 3))
    decided_proposal(session, b, at(2026, 3, 1, 3), at(2026, 3, 8, 4))
    decided_proposal(session, b, at(2026, 3, 24, 3), at(2026, 3, 31, 15, 20))  # April in Tokyo
    decided_proposal(session, b, at(2026, 11, 15, 3), None)  # still voting at NOW
    return town


def attendances(session) -> int:
    return len(session.scalars(select(Attendance.id)).all())
