"""The monthly summary: one row per member and month (activity_months), their totals per area
and month (area_months) and one row per shop, area and month (shop_months), summed from
attendances, rewards, used perk tickets and new members. This module is their only writer;
the worker keeps them current (community_round in webapp/tasks.py) and `enishi
community-rebuild` makes them again from scratch.

Why a summary and not aggregate queries over the source tables: the community page sums up to
three years of a town's check-ins (200,000 attendances for 10,000 members) and counts distinct
people, first-timers and where they lived, for every period a member picks. Summed once a
month per member, and once more per month and area for the sums and the charts, a month's
figures read a few thousand rows and a year's a pass over one index: with 10,000 members and
200,000 attendances, 40 to 60 ms of CPU a view on SQLite and well under 300 ms warm on SQLite
and PostgreSQL alike (bench/community_page.py).

Every fact it sums is dated the moment it happens (an attendance when the claim reaches the
server, a ticket when the shop confirms it, a first member card when it is given), so only the
month under way changes; months from the last refresh's month on (less a few minutes, for
requests that commit late) are summed again, which also closes a month the first time the
worker runs after it ended. A reward counts in its check-in's month: one an administrator
approves later brings its check-in's month back into the next refresh. Members are counted
where they lived at the month's end (now, for the month under way)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from webapp.checkin.models import Attendance
from webapp.community.models import ActivityMonth, AreaMonth, ShopMonth, SummaryState
from webapp.community.periods import add_months, month_of, month_start, months_between
from webapp.ledger.models import LedgerEntry
from webapp.membership.models import Membership
from webapp.perks.models import Perk, Redemption, RedemptionStatus
from webapp.profiles.models import Area
from webapp.profiles.residence import areas_at

# How stale the page may be: the month under way is summed again at most this often.
REFRESH_EVERY = timedelta(seconds=60)
# A fact is dated when its request began and committed a moment later: one dated 23:59:59 on
# the month's last day may commit after the round that closed the month. Months are summed
# again from this long before the last refresh.
LATE_COMMITS = timedelta(minutes=5)


def refresh_summary(session: Session, now: datetime, zone: tzinfo, *, force: bool = False) -> int:
    """Sums again the months that may have changed since the last refresh; the number of
    months summed (0 when the last refresh is recent enough, unless `force`)."""
    state = session.get(SummaryState, 1, with_for_update=True)
    if state is None:
        state = SummaryState(id=1)
        session.add(state)
    if state.refreshed_at is None:
        return rebuild_summary(session, now, zone)
    if not force and now - state.refreshed_at < REFRESH_EVERY:
        return 0
    since = state.refreshed_at - LATE_COMMITS
    first = min(since, _earliest_late_reward(session, since) or since)
    months = months_between(month_of(first, zone), month_of(now, zone))
    for month in months:
        _sum_month(session, month, now, zone)
    state.refreshed_at = now
    session.flush()
    return len(months)


def rebuild_summary(session: Session, now: datetime, zone: tzinfo) -> int:
    """Sums every month from the first fact on, from scratch."""
    # The state's row first, locked: a rebuild and the worker's round then take turns.
    state = session.get(SummaryState, 1, with_for_update=True)
    session.execute(delete(ActivityMonth))
    session.execute(delete(AreaMonth))
    session.execute(delete(ShopMonth))
    first = _first_fact(session)
    months = months_between(month_of(first, zone), month_of(now, zone)) if first else []
    for month in months:
        _sum_month(session, month, now, zone)
    state = state or SummaryState(id=1)
    state.refreshed_at = now
    session.add(state)
    session.flush()
    return len(months)


def _earliest_late_reward(session: Session, since: datetime) -> datetime | None:
    """The earliest check-in whose reward the ledger credited since `since` (an administrator
    approved it): its month is summed again."""
    return session.scalar(
        select(func.min(Attendance.checked_in_at))
        .join(LedgerEntry, LedgerEntry.attendance_id == Attendance.id)
        .where(LedgerEntry.kind == "reward", LedgerEntry.created_at >= since)
    )


def refreshed_at(session: Session) -> datetime | None:
    state = session.get(SummaryState, 1)
    return state.refreshed_at if state else None


def _sum_month(session: Session, month: int, now: datetime, zone: tzinfo) -> None:
    start, end = month_start(month, zone), month_start(add_months(month, 1), zone)
    areas = areas_at(session, min(end, now))
    rows: dict[int, dict] = defaultdict(
        lambda: {
            "checkins": 0,
            "coins_earned": 0,
            "coins_spent": 0,
            "perks_used": 0,
            "joined": False,
        }
    )

    def within(column):
        return (column >= start, column < end)

    for user_id, count in session.execute(
        select(Attendance.user_id, func.count())
        .where(*within(Attendance.checked_in_at))
        .group_by(Attendance.user_id)
    ):
        rows[user_id]["checkins"] = count
    # A reward counts in the month of its check-in, also when an administrator approved it
    # (and the ledger credited it) later.
    for user_id, amount in session.execute(
        select(Attendance.user_id, func.sum(LedgerEntry.amount))
        .join(LedgerEntry, LedgerEntry.attendance_id == Attendance.id)
        .where(LedgerEntry.kind == "reward", *within(Attendance.checked_in_at))
        .group_by(Attendance.user_id)
    ):
        rows[user_id]["coins_earned"] = int(amount)
    shops: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for user_id, partner_id, count, coins in session.execute(
        select(Redemption.user_id, Perk.partner_id, func.count(), func.sum(Redemption.price))
        .join(Perk, Perk.id == Redemption.perk_id)
        .where(Redemption.status == RedemptionStatus.USED, *within(Redemption.used_at))
        .group_by(Redemption.user_id, Perk.partner_id)
    ):
        rows[user_id]["perks_used"] += count
        rows[user_id]["coins_spent"] += int(coins)
        shop = shops[(partner_id, areas.get(user_id, Area.UNKNOWN).value)]
        shop[0] += count
        shop[1] += int(coins)
    for (user_id,) in session.execute(
        select(Membership.user_id).where(*within(Membership.first_issued_at))
    ):
        rows[user_id]["joined"] = True

    members = [
        {
            "month": month,
            "user_id": user_id,
            "area": areas.get(user_id, Area.UNKNOWN).value,
            **facts,
        }
        for user_id, facts in rows.items()
    ]
    session.execute(delete(ActivityMonth).where(ActivityMonth.month == month))
    session.execute(delete(AreaMonth).where(AreaMonth.month == month))
    session.execute(delete(ShopMonth).where(ShopMonth.month == month))
    if members:
        session.execute(insert(ActivityMonth), members)
        session.execute(insert(AreaMonth), _by_area(month, members))
    if shops:
        session.execute(
            insert(ShopMonth),
            [
                {
                    "month": month,
                    "partner_id": partner_id,
                    "area": area,
                    "perks_used": used,
                    "coins_spent": coins,
                }
                for (partner_id, area), (used, coins) in shops.items()
            ],
        )


def _by_area(month: int, members: list[dict]) -> list[dict]:
    """The month's members summed by where they lived (area_months' rows)."""
    totals: dict[str, dict] = {}
    for member in members:
        total = totals.setdefault(
            member["area"],
            {"month": month, "area": member["area"], "participants": 0, "joined": 0}
            | dict.fromkeys(("checkins", "coins_earned", "coins_spent", "perks_used"), 0),
        )
        for key in ("checkins", "coins_earned", "coins_spent", "perks_used"):
            total[key] += member[key]
        total["participants"] += member["checkins"] > 0
        total["joined"] += member["joined"]
    return list(totals.values())


def _first_fact(session: Session) -> datetime | None:
    firsts = [
        session.scalar(select(func.min(Attendance.checked_in_at))),
        session.scalar(select(func.min(Redemption.used_at))),
        session.scalar(select(func.min(Membership.first_issued_at))),
    ]
    known = [first for first in firsts if first is not None]
    return min(known) if known else None
