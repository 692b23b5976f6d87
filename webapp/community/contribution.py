"""A member's own contribution, for マイページ: what they did, a year at a time and newest first
(events attended, projects launched and joined, votes cast, project badges, perk tickets used
at shops, thanks and 結い given and received), and the year summary 「2026年のあなた」. Reads
only; every figure is the member's own.

Years and months are the community's (Japan time): the caller gives the zone. A year is read
between its two local midnights, so the database compares plain UTC instants and no query needs
a time-zone function (SQLite has none)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from itertools import groupby
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, func, select, union_all
from sqlalchemy.orm import Session, aliased

from webapp.accounts.models import User
from webapp.checkin.models import Attendance
from webapp.community.periods import year_period
from webapp.decisions.models import Ballot, Proposal
from webapp.events.models import Event
from webapp.ledger.models import LedgerEntry
from webapp.perks.models import Partner, Perk, Redemption, RedemptionStatus
from webapp.projects.models import Project, ProjectBadge, ProjectMember
from webapp.thanks.models import Thanks
from webapp.yui.models import YuiConfirmation, YuiPost, YuiThread


class Kind(StrEnum):
    EVENT = "event"  # attended an event
    PROJECT_LAUNCHED = "project_launched"
    PROJECT_JOINED = "project_joined"
    VOTE = "vote"  # the proposal only: a ballot's choice is the member's own business
    PROJECT_BADGE = "project_badge"
    PERK_USED = "perk_used"  # a perk ticket a shop confirmed
    THANKS_GIVEN = "thanks_given"  # the title is who was thanked
    THANKS_RECEIVED = "thanks_received"  # the title is who thanked
    YUI_HELPED = "yui_helped"  # helped a neighbour: a 結い confirmed face to face
    YUI_WAS_HELPED = "yui_was_helped"  # was helped by one


@dataclass(frozen=True)
class Moment:
    """One thing the member did. `coins`: earned (positive) or spent (negative), when coins
    moved; `ref`: the id of what it is about (event, project, proposal, perk ticket)."""

    kind: str
    at: datetime
    title: str
    place: str = ""  # where: an event's venue, a shop's name
    coins: int | None = None
    ref: int | None = None
    points: int | None = None  # thanks' points, given or received


@dataclass(frozen=True)
class Month:
    """A month of the timeline: `starts` is its first local midnight (for its name)."""

    starts: datetime
    moments: list[Moment]


@dataclass(frozen=True)
class YearSummary:
    year: int
    events: int
    people_met: int  # met for the first time at an event that year
    coins_earned: int
    coins_spent: int  # at local shops
    projects: int  # launched or joined that year


@dataclass(frozen=True)
class Contribution:
    year: int
    years: list[int]  # every year with something in it, this year and the one shown; newest first
    summary: YearSummary
    months: list[Month]  # newest first, each newest first


@dataclass(frozen=True)
class TimelineSource:
    """One kind of thing a member does, read for the timeline. `moments` reads a member's
    between two instants; `times` selects the instants of all of theirs (one column), for the
    years that have any."""

    moments: Callable[[Session, int, datetime, datetime, str], list[Moment]]
    times: Callable[[int], Select]


def _events(session: Session, user_id: int, start: datetime, end: datetime, locale: str):
    reward = aliased(LedgerEntry)
    rows = session.execute(
        select(Attendance.checked_in_at, Event.id, Event.title, Event.venue, reward.amount)
        .join(Event, Attendance.event_id == Event.id)
        .outerjoin(reward, and_(reward.attendance_id == Attendance.id, reward.kind == "reward"))
        .where(
            Attendance.user_id == user_id,
            Attendance.checked_in_at >= start,
            Attendance.checked_in_at < end,
        )
    )
    return [
        Moment(Kind.EVENT, at, title, venue, amount or None, event_id)
        for at, event_id, title, venue, amount in rows
    ]


def _projects_launched(session: Session, user_id: int, start, end, locale):
    rows = session.execute(
        select(Project.created_at, Project.id, Project.title).where(
            Project.proposed_by_id == user_id,
            Project.created_at >= start,
            Project.created_at < end,
        )
    )
    return [Moment(Kind.PROJECT_LAUNCHED, at, title, ref=ref) for at, ref, title in rows]


def _projects_joined(session: Session, user_id: int, start, end, locale):
    # The lead of a project its proposer launched joined it then: the launch says so already.
    rows = session.execute(
        select(ProjectMember.joined_at, Project.id, Project.title)
        .join(Project, ProjectMember.project_id == Project.id)
        .where(
            ProjectMember.user_id == user_id,
            ProjectMember.joined_at >= start,
            ProjectMember.joined_at < end,
            ~and_(Project.proposed_by_id == user_id, ProjectMember.joined_at == Project.created_at),
        )
    )
    return [Moment(Kind.PROJECT_JOINED, at, title, ref=ref) for at, ref, title in rows]


def _votes(session: Session, user_id: int, start, end, locale):
    rows = session.execute(
        select(Ballot.cast_at, Proposal.id, Proposal.title)
        .join(Proposal, Ballot.proposal_id == Proposal.id)
        .where(Ballot.voter_id == user_id, Ballot.cast_at >= start, Ballot.cast_at < end)
    )
    return [Moment(Kind.VOTE, at, title, ref=ref) for at, ref, title in rows]


def _project_badges(session: Session, user_id: int, start, end, locale):
    rows = session.execute(
        select(ProjectBadge.given_at, Project.id, Project.title)
        .join(Project, ProjectBadge.project_id == Project.id)
        .where(
            ProjectBadge.user_id == user_id,
            ProjectBadge.given_at >= start,
            ProjectBadge.given_at < end,
        )
    )
    return [Moment(Kind.PROJECT_BADGE, at, title, ref=ref) for at, ref, title in rows]


def _perks_used(session: Session, user_id: int, start, end, locale):
    rows = session.execute(
        select(Redemption.used_at, Redemption.id, Redemption.price, Perk, Partner)
        .join(Perk, Redemption.perk_id == Perk.id)
        .join(Partner, Perk.partner_id == Partner.id)
        .where(
            Redemption.user_id == user_id,
            Redemption.status == RedemptionStatus.USED,
            Redemption.used_at >= start,
            Redemption.used_at < end,
        )
    )
    return [
        Moment(Kind.PERK_USED, at, perk.title(locale), partner.name(locale), -price, ref)
        for at, ref, price, perk, partner in rows
    ]


def _thanks(kind: Kind, mine, other):
    """Thanks the member gave (`mine` the giver's column, `other` the receiver's) or received."""

    def moments(session: Session, user_id: int, start, end, locale):
        rows = session.execute(
            select(Thanks.created_at, Thanks.points, User.display_name)
            .join(User, other == User.id)
            .where(mine == user_id, Thanks.created_at >= start, Thanks.created_at < end)
        )
        return [Moment(kind, at, name, points=points) for at, points, name in rows]

    return moments
def _yui(helper: bool):
    """The 結い the member gave (`helper`) or received, by the post's title, when the help
    happened (the scan), with the coins it moved: received by the helper, paid by the helped."""
    person = YuiConfirmation.helper_id if helper else YuiConfirmation.helped_id

    def moments(session: Session, user_id: int, start, end, locale):
        rows = session.execute(
            select(YuiConfirmation.scanned_at, YuiConfirmation.id, YuiConfirmation.coins,
                   YuiPost.title)
            .join(YuiThread, YuiConfirmation.thread_id == YuiThread.id)
            .join(YuiPost, YuiThread.post_id == YuiPost.id)
            .where(person == user_id, YuiConfirmation.scanned_at >= start,
                   YuiConfirmation.scanned_at < end)
        )  # fmt: skip
        kind = Kind.YUI_HELPED if helper else Kind.YUI_WAS_HELPED
        return [
            Moment(kind, at, title, coins=(coins if helper else -coins) or None, ref=ref)
            for at, ref, coins, title in rows
        ]

    return TimelineSource(
        moments, lambda uid: select(YuiConfirmation.scanned_at).where(person == uid)
    )


# What the timeline reads, one source per kind of thing a member does. The thanks issue adds
# its kinds here (thanks given and received, help): a TimelineSource of its own and the words for
# its kinds in community/contribution.html (KINDS); nothing else changes.
TIMELINE_SOURCES: list[TimelineSource] = [
    TimelineSource(
        _events, lambda uid: select(Attendance.checked_in_at).where(Attendance.user_id == uid)
    ),
    TimelineSource(
        _projects_launched,
        lambda uid: select(Project.created_at).where(Project.proposed_by_id == uid),
    ),
    TimelineSource(
        _projects_joined,
        lambda uid: select(ProjectMember.joined_at).where(ProjectMember.user_id == uid),
    ),
    TimelineSource(_votes, lambda uid: select(Ballot.cast_at).where(Ballot.voter_id == uid)),
    TimelineSource(
        _project_badges,
        lambda uid: select(ProjectBadge.given_at).where(ProjectBadge.user_id == uid),
    ),
    TimelineSource(
        _perks_used,
        lambda uid: select(Redemption.used_at).where(
            Redemption.user_id == uid, Redemption.status == RedemptionStatus.USED
        ),
    ),
    TimelineSource(
        _thanks(Kind.THANKS_GIVEN, Thanks.giver_id, Thanks.receiver_id),
        lambda uid: select(Thanks.created_at).where(Thanks.giver_id == uid),
    ),
    TimelineSource(
        _thanks(Kind.THANKS_RECEIVED, Thanks.receiver_id, Thanks.giver_id),
        lambda uid: select(Thanks.created_at).where(Thanks.receiver_id == uid),
    ),
    _yui(helper=True),
    _yui(helper=False),
]


def year_bounds(year: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The year's first instant and the next year's, as the community counts them."""
    period = year_period(year)
    return period.start(zone), period.end(zone)


def active_years(session: Session, user_id: int, zone: ZoneInfo) -> set[int]:
    """The years in which the member did anything the timeline shows: one query, a column of
    instants (a few hundred for the busiest member, read through the per-member indexes)."""
    instants = union_all(*(source.times(user_id) for source in TIMELINE_SOURCES))
    return {at.astimezone(zone).year for (at,) in session.execute(instants) if at is not None}


def year_moments(
    session: Session, user_id: int, year: int, zone: ZoneInfo, locale: str
) -> list[Moment]:
    """Everything the member did in `year`, newest first: one query per kind."""
    start, end = year_bounds(year, zone)
    moments = [
        moment
        for source in TIMELINE_SOURCES
        for moment in source.moments(session, user_id, start, end, locale)
    ]
    return sorted(moments, key=lambda moment: (moment.at, moment.kind), reverse=True)


def by_month(moments: list[Moment], zone: ZoneInfo) -> list[Month]:
    """`moments` (newest first) grouped by their local month, newest first."""

    def month_of(moment: Moment) -> datetime:
        local = moment.at.astimezone(zone)
        return datetime(local.year, local.month, 1, tzinfo=zone)

    return [Month(starts, list(group)) for starts, group in groupby(moments, key=month_of)]


def new_people_met(session: Session, user_id: int, year: int, zone: ZoneInfo) -> int:
    """Other members who were at one of the member's events of `year` and had never been at an
    event with them before that year: one query. Everyone who shared an event with the member
    up to the year's end, grouped by person; someone is new that year when the first event they
    shared falls in it. It reads the member's attendances (a few hundred) out to their events'
    other attendances through the index on the event, and needs no anti-join (a NOT IN over
    everyone met before is planned as a rescan per row once it outgrows PostgreSQL's memory)."""
    start, end = year_bounds(year, zone)
    mine, theirs = aliased(Attendance), aliased(Attendance)
    met = (
        select(theirs.user_id)
        .select_from(mine)
        .join(theirs, theirs.event_id == mine.event_id)
        .where(mine.user_id == user_id, mine.checked_in_at < end, theirs.user_id != user_id)
        .group_by(theirs.user_id)
        .having(func.min(mine.checked_in_at) >= start)
        .subquery()
    )
    return session.scalar(select(func.count()).select_from(met)) or 0


def summarise(
    session: Session, user_id: int, year: int, zone: ZoneInfo, moments: list[Moment]
) -> YearSummary:
    """The year in figures, from its moments (so that they add up to what the timeline lists)
    and the one query of the people met."""
    events = [m for m in moments if m.kind == Kind.EVENT]
    spent = [m for m in moments if m.kind == Kind.PERK_USED]
    projects = {m.ref for m in moments if m.kind in (Kind.PROJECT_LAUNCHED, Kind.PROJECT_JOINED)}
    return YearSummary(
        year=year,
        events=len(events),
        people_met=new_people_met(session, user_id, year, zone) if events else 0,
        coins_earned=sum(m.coins or 0 for m in events),
        coins_spent=-sum(m.coins or 0 for m in spent),
        projects=len(projects),
    )


def get_contribution(
    session: Session, user_id: int, year: int, *, zone: ZoneInfo, locale: str, now: datetime
) -> Contribution:
    """The page 「わたしの参加」 for `year`: its summary, its timeline and the years to go to."""
    moments = year_moments(session, user_id, year, zone, locale)
    years = active_years(session, user_id, zone) | {now.astimezone(zone).year, year}
    return Contribution(
        year=year,
        years=sorted(years, reverse=True),
        summary=summarise(session, user_id, year, zone, moments),
        months=by_month(moments, zone),
    )
