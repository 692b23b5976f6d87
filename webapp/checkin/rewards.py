"""The reward policy: what an attendance pays, and an administrator's approval of rewards above
the community's limits (tokens buy real goods at partner shops, so nobody may mint them at will).

An event's reward is approved by rule when it and the event's budget are within the limits
(events.services.RewardLimits); otherwise each attendance's award waits, held, until an
administrator approves the reward (the badge and tokens then go) or drops it (the badge goes
alone). Past its budget an event pays the badge without tokens.

What an attendance brings is told to the member, at the scan, as an `Award`: its state says
whether the coins come, wait for the approval, or do not come at all.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.checkin.models import Attendance
from webapp.core.i18n import coin_name, coins
from webapp.events.models import Event
from webapp.events.services import approve_reward, drop_reward, needs_reward_approval
from webapp.ledger.models import LedgerEntry
from webapp.ledger.services import Reward, credit_rewards
from webapp.onchain.jobs import award_total_of, release_held_awards


@dataclass(frozen=True)
class AwardTerms:
    amount: int  # tokens paid with the badge
    held: bool  # waits for an administrator's approval


_events = Event.__table__
_LOCK_BUDGETS = (
    select(_events.c.id)
    .where(
        _events.c.id.in_(bindparam("event_ids", expanding=True)),
        _events.c.budget.is_not(None),
        _events.c.reward > 0,
    )
    .order_by(_events.c.id)
    .with_for_update(key_share=True)
)
_AWARDED = select(_events.c.id, award_total_of(_events.c.id)).where(
    _events.c.id.in_(bindparam("event_ids", expanding=True))
)


def lock_budgets(session: Session, event_ids) -> None:
    """Locks those of the events whose awards a budget limits, before what they paid is read:
    two members checking in at once must not both be paid an event's last tokens. FOR NO KEY
    UPDATE on PostgreSQL: claims and awards being inserted for an event hold a key-share lock on
    it (their foreign keys), which FOR UPDATE would deadlock on; in id order, so that two
    batches lock the same events in the same order. On SQLite there is nothing to lock: its one
    writer, taken at BEGIN IMMEDIATE, serialises every check-in already."""
    connection = session.connection()
    if event_ids and connection.dialect.name != "sqlite":
        connection.execute(_LOCK_BUDGETS, {"event_ids": sorted(event_ids)})


def terms_of(event, awarded: int) -> AwardTerms:
    """What the next attendance of `event` (anything with an event's reward, budget and
    reward_approved_at) is paid, its awards paying `awarded` already (read after
    `lock_budgets`). Past its budget, the badge alone."""
    if event.reward == 0:
        return AwardTerms(0, held=False)
    if event.budget is not None and awarded + event.reward > event.budget:
        return AwardTerms(0, held=False)
    return AwardTerms(event.reward, held=needs_reward_approval(event))


def award_terms(session: Session, events: list[Event]) -> dict[int, AwardTerms]:
    """`terms_of` each event, by id, locking and reading what they paid."""
    lock_budgets(session, [event.id for event in events])
    budgeted = [event.id for event in events if event.budget is not None]
    totals = dict(session.execute(_AWARDED, {"event_ids": budgeted}).all()) if budgeted else {}
    return {event.id: terms_of(event, totals.get(event.id, 0)) for event in events}


class AwardState(StrEnum):
    """What an attendance brings, as the member is told at the scan. Part of the API: never
    rename one."""

    PAID = "paid"  # the badge and the coins
    HELD = "held"  # the coins wait for an administrator's approval, and the badge with them
    BUDGET_SPENT = "budget_spent"  # the event's budget is spent: the badge alone
    BADGE_ONLY = "badge_only"  # the event gives no coins: the badge alone


AWARD_MESSAGES = {
    AwardState.PAID: _l("Your badge and %(coins)s are on their way to your wallet."),
    AwardState.HELD: _l(
        "Your badge will come. The %(coins)s wait for the office to approve this event's coins."
    ),
    AwardState.BUDGET_SPENT: _l("Your badge will come. This event has given out all its %(coin)s."),
    AwardState.BADGE_ONLY: _l("Your badge will come. This event gives no %(coin)s."),
}


@dataclass(frozen=True)
class Award:
    state: AwardState
    coins: int  # paid, or waiting for the approval; 0 when none come

    @classmethod
    def of(cls, terms: AwardTerms, reward: int) -> Award:
        """What terms mean to the member, for an event that pays `reward` an attendance."""
        if terms.held:
            return cls(AwardState.HELD, terms.amount)
        if terms.amount:
            return cls(AwardState.PAID, terms.amount)
        state = AwardState.BUDGET_SPENT if reward else AwardState.BADGE_ONLY
        return cls(state, 0)

    @property
    def message(self) -> str:
        return str(AWARD_MESSAGES[self.state]) % {"coins": coins(self.coins), "coin": coin_name()}

    def as_dict(self) -> dict:
        return {"state": self.state.value, "coins": self.coins, "message": self.message}


def approve_event_reward(session: Session, admin: User, event: Event, now: datetime) -> int:
    """Approves the event's reward and pays its held awards. Returns how many were held."""
    approve_reward(session, event, admin, now)
    return _pay_held(session, event, now, amount=None)


def drop_event_reward(session: Session, admin: User, event: Event, now: datetime) -> int:
    """Refuses the event's reward: its held awards, and later ones, are the badge alone."""
    drop_reward(session, event, admin, now)
    return _pay_held(session, event, now, amount=0)


def _pay_held(session: Session, event: Event, now: datetime, amount: int | None) -> int:
    jobs = release_held_awards(session, event.id, now, amount=amount)
    attendances = dict(
        session.execute(
            select(Attendance.chain_job_id, Attendance.id).where(
                Attendance.chain_job_id.in_([job.id for job in jobs])
            )
        ).all()
    )
    rewards = [Reward(job.user_id, job.amount, attendances[job.id], job.id) for job in jobs]
    credit_rewards(session, rewards, now)
    return len(jobs)


@dataclass(frozen=True)
class AwaitingApproval:
    event: Event
    held: int  # attendances whose award waits


def list_awaiting_approval(session: Session, events: list[Event]) -> list[AwaitingApproval]:
    ids = [event.id for event in events]
    held = dict(
        session.execute(
            select(Attendance.event_id, func.count())
            .outerjoin(LedgerEntry, LedgerEntry.attendance_id == Attendance.id)
            .where(Attendance.event_id.in_(ids), LedgerEntry.id.is_(None))
            .group_by(Attendance.event_id)
        ).all()
    )
    return [AwaitingApproval(event, held.get(event.id, 0)) for event in events]


@dataclass(frozen=True)
class IssuedRow:
    month: str  # "2026-11", in the community's time zone
    organiser: str
    events: int
    participants: int
    tokens: int


def tokens_issued(session: Session, since: datetime, tz: str) -> list[IssuedRow]:
    """Tokens credited for attendances since `since`, per month and per event's organiser,
    newest month first and the largest issuer first within it."""
    rows = session.execute(
        select(LedgerEntry.created_at, LedgerEntry.amount, Event.id, User.display_name, User.email)
        .join(Attendance, LedgerEntry.attendance_id == Attendance.id)
        .join(Event, Attendance.event_id == Event.id)
        .join(User, Event.organiser_id == User.id)
        .where(LedgerEntry.kind == "reward", LedgerEntry.created_at >= since)
    )
    zone = ZoneInfo(tz)
    groups: dict[tuple[str, str], list] = defaultdict(lambda: [set(), 0, 0])
    for created_at, amount, event_id, name, email in rows:
        group = groups[(created_at.astimezone(zone).strftime("%Y-%m"), name or email)]
        group[0].add(event_id)
        group[1] += 1
        group[2] += amount
    table = [
        IssuedRow(month, organiser, len(events), participants, tokens)
        for (month, organiser), (events, participants, tokens) in groups.items()
    ]
    return sorted(table, key=lambda row: (row.month, row.tokens), reverse=True)
