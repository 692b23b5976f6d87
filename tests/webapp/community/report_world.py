"""A small town for the report's tests, built through the app's services at fixed moments: three
members with distinctive names and e-mail addresses (one moved from 県外 to 市内, one lives in
県内, one never said), three events at two venues in the period and one before it, a perk used
at a shop, a project; then the monthly summary made from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from webapp.accounts.models import Role
from webapp.community.periods import custom_period
from webapp.community.summary import rebuild_summary
from webapp.ledger.models import LedgerEntry
from webapp.membership.models import Membership
from webapp.perks.redemptions import start_redemption, use_ticket
from webapp.perks.services import add_staff, create_partner, create_perk
from webapp.profiles.models import Area
from webapp.profiles.residence import set_residence
from webapp.projects.services import activate_project, join_project, propose_project

from ..checkin.rules import attend

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2027, 4, 2, tzinfo=UTC)  # 2 April 2027, 09:00 in Tokyo
PERIOD = custom_period(202604, 202703)  # the town's year: April 2026 to March 2027
KEY = b"k" * 32

# Names no file of the report may hold (the PDF's text is read without whitespace).
PEOPLE = {
    "aoi": ("城山蒼一郎", "sou.shiroyama@example.org"),
    "beni": ("ZephyrineQuillfeather", "zephyrine.q@example.org"),
    "kou": ("鷹野原紅葉", "momiji.takanohara@example.org"),
    "admin": ("霧島管理子", "kirishima.admin@example.org"),
    "organiser": ("砂原主催太", "sunahara.host@example.org"),
    "staff": ("楢崎店員美", "narasaki.shop@example.org"),
}


@dataclass
class Town:
    admin: object
    people: dict


def at(year, month, day, hour=3, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def build_town(session, make_user, make_event) -> Town:
    users = {}
    for key, (name, email) in PEOPLE.items():
        role = {"admin": Role.ADMIN, "organiser": Role.ORGANISER}.get(key, Role.MEMBER)
        user = make_user(role, member=key in ("aoi", "beni", "kou"), email=email)
        user.display_name = name
        users[key] = user
    aoi, beni, kou = users["aoi"], users["beni"], users["kou"]
    set_residence(session, aoi.id, Area.OUTSIDE, at(2026, 1, 1))
    set_residence(session, aoi.id, Area.CITY, at(2026, 10, 1))  # moved to the city
    set_residence(session, beni.id, Area.PREFECTURE, at(2026, 1, 1))
    for user, joined in ((aoi, at(2026, 4, 10)), (beni, at(2026, 5, 20)), (kou, at(2025, 12, 1))):
        card = session.scalar(select(Membership).where(Membership.user_id == user.id))
        card.issued_at = card.first_issued_at = joined

    def event(title, venue, starts):
        made = make_event(title=title, venue=venue, organiser=users["organiser"])
        return made, starts

    events = [
        event("ワイン講座", "えんぱーく", at(2026, 3, 31, 15)),  # 1 April, 00:00 in Tokyo
        event("ぶどう収穫", "  塩尻市洗馬のぶどう畑 ", at(2026, 9, 12, 1)),
        event("冬の集い", "えんぱーく", at(2027, 1, 15, 1)),
        event("春の下見", "旧会場", at(2026, 3, 1, 1)),  # before the period
    ]
    visits = [
        (aoi, 0, at(2026, 3, 31, 15, 30)),  # 00:30 on 1 April in Tokyo: April, from 県外
        (aoi, 1, at(2026, 9, 12, 2)),
        (aoi, 2, at(2027, 1, 15, 2)),  # from the city by then
        (beni, 0, at(2026, 4, 1, 2)),
        (beni, 2, at(2027, 1, 15, 3)),
        (beni, 3, at(2026, 3, 1, 2)),  # before the period: beni returns in it
        (kou, 1, at(2026, 9, 12, 3)),
    ]
    for user, index, moment in visits:
        attendance = attend(session, user, events[index][0], at=moment)
        for entry in session.scalars(
            select(LedgerEntry).where(LedgerEntry.attendance_id == attendance.id)
        ):
            entry.created_at = moment
    for made, starts in events:
        made.starts_at, made.ends_at = starts, starts + timedelta(hours=3)
    session.commit()

    shop = create_partner(session, name_ja="塩尻ワイナリー", name_en="Shiojiri Winery")
    perk = create_perk(session, shop, title_ja="グラスワイン1杯", title_en="Wine", price=5)
    add_staff(session, shop, users["staff"].email)
    session.commit()
    ticket = start_redemption(session, aoi, perk, at(2026, 10, 20), timedelta(minutes=30))
    use_ticket(session, users["staff"], shop, ticket.short_code, KEY, at(2026, 10, 20, 3, 5))

    project = propose_project(
        session, aoi, title="ぶどう畑の手入れ", purpose="畑", help_wanted="", lead=aoi,
        now=at(2026, 5, 1),
    )  # fmt: skip
    activate_project(session, project, now=at(2026, 6, 1))
    join_project(session, project, beni, now=at(2026, 6, 2))
    session.commit()
    rebuild_summary(session, NOW, TOKYO)
    session.commit()
    return Town(admin=users["admin"], people=users)
