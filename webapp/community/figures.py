"""The community's figures for a period, read from the monthly summary (community.summary) and
from the few small tables that need no summary (events, projects, proposals).

Where people live: acts (check-ins, coins) count where the member lived at the end of the
month they happened in; people (participants, first-timers, active members) count where they
lived at the end of the period, so each person is in one column and the columns add up to the
total. New members count where they lived at the end of the month they joined."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from webapp.community.models import ActivityMonth, AreaMonth, ShopMonth
from webapp.community.periods import Period, add_months, month_of, month_start, months_between
from webapp.community.summary import refreshed_at
from webapp.decisions.models import CLOSED_STATUSES, Proposal
from webapp.events.models import Event
from webapp.perks.models import Partner
from webapp.profiles.models import Area
from webapp.profiles.residence import AREAS, areas_at
from webapp.projects.models import Project, ProjectStatus

# The columns of every split figure, on the page, in the report and in its files.
AREA_NAMES = {
    Area.CITY: _l("In the city"),
    Area.PREFECTURE: _l("In the prefecture"),
    Area.OUTSIDE: _l("Outside the prefecture"),
    Area.UNKNOWN: _l("Not said"),
}

# "Active": a check-in in the last 90 days, read as the period's last three months (the
# summary is kept by month).
ACTIVE_MONTHS = 3
# Up to a season, who took part is read from the period's months and a probe per person; a
# longer period holds most of the summary, read in one pass (each is the faster, by far).
PROBE_MONTHS = 3
# The charts show at least a year, so that a month's figures are seen against the ones before.
TREND_MONTHS = 12


@dataclass(frozen=True)
class Split:
    """A figure in total and by where people live (every area, in AREAS' order)."""

    by_area: dict[Area, int] = field(default_factory=lambda: {area: 0 for area in AREAS})

    @property
    def total(self) -> int:
        return sum(self.by_area.values())

    def __getitem__(self, area: Area) -> int:
        return self.by_area[area]

    @classmethod
    def of(cls, counts: dict) -> Split:
        return cls({area: int(counts.get(area, 0)) for area in AREAS})


@dataclass(frozen=True)
class ShopFigure:
    partner_id: int
    name_ja: str
    name_en: str
    perks_used: Split
    coins_spent: Split


@dataclass(frozen=True)
class MonthFigure:
    month: int
    checkins: Split
    participants: Split  # by where they lived at that month's end
    coins_issued: int
    coins_spent: int
    events_held: int


@dataclass(frozen=True)
class Figures:
    period: Period
    refreshed_at: datetime | None  # when the summary was last brought up to date
    checkins: Split
    participants: Split
    first_time: Split  # their first check-in ever is in the period
    returning: Split
    active_members: Split
    new_members: Split
    coins_issued: Split
    coins_spent: Split  # at partner shops, on perk tickets used there
    events_held: int
    projects_active: int
    proposals_decided: int
    shops: list[ShopFigure]
    trend: list[MonthFigure]  # the period's months, or the 12 up to its end when shorter

    def local_share(self, area: Area | None = None) -> Fraction | None:
        """The share of the coins issued in the period that were spent at partner shops (None
        when none were issued)."""
        issued = self.coins_issued.total if area is None else self.coins_issued[area]
        spent = self.coins_spent.total if area is None else self.coins_spent[area]
        return Fraction(spent, issued) if issued else None


def community_figures(session: Session, period: Period, now: datetime, zone: tzinfo) -> Figures:
    start, end = period.start(zone), period.end(zone)
    people_area = areas_at(session, min(end, now))
    trend_first = min(period.first, add_months(period.last, 1 - TREND_MONTHS))
    monthly = _monthly(session, trend_first, period.last)
    in_period = [row for row in monthly.values() if period.first <= row["month"] <= period.last]

    participants, first_time = _participants(session, period, people_area)
    active = _distinct_people(
        session, add_months(period.last, 1 - ACTIVE_MONTHS), period.last, people_area
    )
    events = _events_by_month(session, trend_first, period.last, now, zone)
    return Figures(
        period=period,
        refreshed_at=refreshed_at(session),
        checkins=_sum(in_period, "checkins"),
        participants=participants,
        first_time=first_time,
        returning=Split.of({a: participants[a] - first_time[a] for a in AREAS}),
        active_members=active,
        new_members=_sum(in_period, "joined"),
        coins_issued=_sum(in_period, "coins_earned"),
        coins_spent=_sum(in_period, "coins_spent"),
        events_held=sum(n for month, n in events.items() if period.first <= month <= period.last),
        projects_active=_projects_active(session, start, end),
        proposals_decided=session.scalar(
            select(func.count())
            .select_from(Proposal)
            .where(
                Proposal.status.in_(CLOSED_STATUSES),
                Proposal.closed_at >= start,
                Proposal.closed_at < end,
            )
        ),
        shops=_shops(session, period),
        trend=[
            _month_figure(month, monthly, events)
            for month in months_between(trend_first, period.last)
        ],
    )


def _monthly(session: Session, first: int, last: int) -> dict[tuple[int, str], dict]:
    """Per month and area: sums, and distinct people with a check-in (area_months)."""
    rows = session.execute(
        select(
            AreaMonth.month,
            AreaMonth.area,
            AreaMonth.checkins,
            AreaMonth.coins_earned,
            AreaMonth.coins_spent,
            AreaMonth.joined,
            AreaMonth.participants,
        ).where(AreaMonth.month >= first, AreaMonth.month <= last)
    )
    return {
        (month, area): {
            "month": month,
            "area": Area(area),
            "checkins": checkins,
            "coins_earned": earned,
            "coins_spent": spent,
            "joined": joined,
            "participants": people,
        }
        for month, area, checkins, earned, spent, joined, people in rows
    }


def _sum(rows: list[dict], key: str) -> Split:
    counts: dict[Area, int] = defaultdict(int)
    for row in rows:
        counts[row["area"]] += row[key]
    return Split.of(counts)


def _participants(
    session: Session, period: Period, people_area: dict[int, Area]
) -> tuple[Split, Split]:
    """Everyone with a check-in in the period, and those of them whose first check-in ever
    is in it, by where they lived at the period's end."""
    if len(period.months) <= PROBE_MONTHS:
        # A short period: its people (a range of the summary's key), then for each of them
        # whether they had come before (a probe of the (user_id, month, checkins) index).
        people = (
            select(ActivityMonth.user_id)
            .where(
                ActivityMonth.checkins > 0,
                ActivityMonth.month >= period.first,
                ActivityMonth.month <= period.last,
            )
            .distinct()
            .subquery()
        )
        earlier = aliased(ActivityMonth)
        came_before = exists().where(
            earlier.user_id == people.c.user_id,
            earlier.month < period.first,
            earlier.checkins > 0,
        )
        # As a first month: 0 (before any period) for those who had come before.
        query = select(people.c.user_id, case((came_before, 0), else_=period.first))
    else:
        # A long one holds most of the summary: one pass over every member's months, each
        # person's first month with a check-in (the index alone, on SQLite).
        query = (
            select(ActivityMonth.user_id, func.min(ActivityMonth.month))
            .where(ActivityMonth.checkins > 0, ActivityMonth.month <= period.last)
            .group_by(ActivityMonth.user_id)
            .having(func.max(ActivityMonth.month) >= period.first)
        )
    rows = session.execute(query)
    everyone: dict[Area, int] = defaultdict(int)
    first: dict[Area, int] = defaultdict(int)
    for user_id, first_month in rows:
        area = people_area.get(user_id, Area.UNKNOWN)
        everyone[area] += 1
        if first_month >= period.first:
            first[area] += 1
    return Split.of(everyone), Split.of(first)


def _distinct_people(
    session: Session, first: int, last: int, people_area: dict[int, Area]
) -> Split:
    counts: dict[Area, int] = defaultdict(int)
    for (user_id,) in session.execute(
        select(ActivityMonth.user_id)
        .where(
            ActivityMonth.checkins > 0, ActivityMonth.month >= first, ActivityMonth.month <= last
        )
        .distinct()
    ):
        counts[people_area.get(user_id, Area.UNKNOWN)] += 1
    return Split.of(counts)


def _events_by_month(
    session: Session, first: int, last: int, now: datetime, zone: tzinfo
) -> dict[int, int]:
    """Events held (started by now) per month of their start."""
    counts: dict[int, int] = defaultdict(int)
    for (starts_at,) in session.execute(
        select(Event.starts_at).where(
            Event.starts_at >= month_start(first, zone),
            Event.starts_at < min(month_start(add_months(last, 1), zone), now),
        )
    ):
        counts[month_of(starts_at, zone)] += 1
    return counts


def active_during(start: datetime, end: datetime) -> tuple:
    """Where-clauses: the project was active at some moment between `start` and `end` (the
    figures count them; the report lists them)."""
    return (
        Project.activated_at.is_not(None),
        Project.activated_at < end,
        Project.status.in_((ProjectStatus.ACTIVE, ProjectStatus.CLOSED)),
        or_(Project.ended_at.is_(None), Project.ended_at >= start),
    )


def _projects_active(session: Session, start: datetime, end: datetime) -> int:
    return session.scalar(
        select(func.count()).select_from(Project).where(*active_during(start, end))
    )


def _shops(session: Session, period: Period) -> list[ShopFigure]:
    used: dict[int, dict[Area, int]] = defaultdict(dict)
    coins: dict[int, dict[Area, int]] = defaultdict(dict)
    for partner_id, area, perks, spent in session.execute(
        select(
            ShopMonth.partner_id,
            ShopMonth.area,
            func.sum(ShopMonth.perks_used),
            func.sum(ShopMonth.coins_spent),
        )
        .where(ShopMonth.month >= period.first, ShopMonth.month <= period.last)
        .group_by(ShopMonth.partner_id, ShopMonth.area)
    ):
        used[partner_id][Area(area)] = int(perks)
        coins[partner_id][Area(area)] = int(spent)
    partners = session.execute(
        select(Partner.id, Partner.name_ja, Partner.name_en).where(Partner.id.in_(list(used)))
    ).all()
    shops = [
        ShopFigure(pid, name_ja, name_en, Split.of(used[pid]), Split.of(coins[pid]))
        for pid, name_ja, name_en in partners
    ]
    return sorted(shops, key=lambda shop: (-shop.perks_used.total, shop.name_ja))


def _month_figure(month: int, monthly: dict, events: dict[int, int]) -> MonthFigure:
    rows = [monthly[(month, area.value)] for area in AREAS if (month, area.value) in monthly]
    return MonthFigure(
        month=month,
        checkins=_sum(rows, "checkins"),
        participants=_sum(rows, "participants"),
        coins_issued=sum(row["coins_earned"] for row in rows),
        coins_spent=sum(row["coins_spent"] for row in rows),
        events_held=events.get(month, 0),
    )
