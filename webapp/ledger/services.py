"""The ledger: the only writer of ledger entries (credit, hold, release, burn) and the reader of
balances. The ledger decides; the chain records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, insert, select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.ledger.models import LedgerEntry
from webapp.onchain.models import ChainJob, JobStatus


@dataclass(frozen=True)
class Reward:
    """An event's reward for one attendance, recorded on chain by the award job."""

    user_id: int
    amount: int
    attendance_id: int
    chain_job_id: int


_INSERT_ENTRIES = insert(LedgerEntry.__table__)


def credit_rewards(session: Session, rewards: list[Reward], now: datetime) -> None:
    """Credits the rewards in one statement (a check-in batch's hot path)."""
    if not rewards:
        return
    rows = [
        {
            "user_id": reward.user_id,
            "amount": reward.amount,
            "kind": "reward",
            "attendance_id": reward.attendance_id,
            "chain_job_id": reward.chain_job_id,
            "created_at": now,
        }
        for reward in rewards
    ]
    session.connection().execute(_INSERT_ENTRIES, rows)


def hold(
    session: Session,
    *,
    user_id: int,
    amount: int,
    redemption_id: int | None = None,
    yui_post_id: int | None = None,
) -> LedgerEntry:
    """Sets coins aside, for a perk ticket or for what a 結い request offers: spent for the
    ledger, still on chain until burned."""
    return _add(
        session,
        LedgerEntry(
            user_id=user_id,
            amount=-amount,
            kind="hold",
            redemption_id=redemption_id,
            yui_post_id=yui_post_id,
        ),
    )


def release(
    session: Session,
    *,
    user_id: int,
    amount: int,
    redemption_id: int | None = None,
    yui_post_id: int | None = None,
) -> LedgerEntry:
    """Gives a hold back: a cancelled or expired ticket's, a withdrawn or hidden request's."""
    return _add(
        session,
        LedgerEntry(
            user_id=user_id,
            amount=amount,
            kind="release",
            redemption_id=redemption_id,
            yui_post_id=yui_post_id,
        ),
    )


def burn(
    session: Session,
    *,
    chain_job_id: int,
    redemption_id: int | None = None,
    yui_post_id: int | None = None,
) -> LedgerEntry:
    """A hold becomes spent for good (a used ticket's, a confirmed 結い's): the job burns its
    tokens on chain."""
    if (redemption_id is None) == (yui_post_id is None):
        raise ValueError("burn names a redemption or a 結い post, one of them")
    held_by = (
        LedgerEntry.redemption_id == redemption_id
        if redemption_id is not None
        else LedgerEntry.yui_post_id == yui_post_id
    )
    entry = session.scalar(select(LedgerEntry).where(held_by, LedgerEntry.kind == "hold"))
    entry.chain_job_id = chain_job_id
    session.flush()
    return entry


def credit(
    session: Session, *, user_id: int, amount: int, kind: str, chain_job_id: int
) -> LedgerEntry:
    """Coins a member is paid outside a check-in: "yui" (the coins a request offered, paid to
    its helper) or "thanks_pool" (a share of a month's pool); the job mints them on chain."""
    if kind not in ("yui", "thanks_pool"):
        raise ValueError(f"unknown credit kind {kind!r}")
    return _add(
        session,
        LedgerEntry(user_id=user_id, amount=amount, kind=kind, chain_job_id=chain_job_id),
    )


def _add(session: Session, entry: LedgerEntry) -> LedgerEntry:
    session.add(entry)
    session.flush()
    return entry


def sum_rewards_since(session: Session, user: User, since: datetime) -> int:
    """The rewards credited to `user` after `since`."""
    query = select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.user_id == user.id,
        LedgerEntry.kind == "reward",
        LedgerEntry.created_at > since,
    )
    return int(session.scalar(query))


@dataclass(frozen=True)
class Balance:
    """A member's tokens as the ledger counts them, and how they differ from the chain's: each
    part a positive number, as the wallet says it."""

    total: int  # what the ledger says the member has (what they can spend)
    held: int  # set aside by tickets not yet used: still on chain, back if a ticket is not used
    incoming: int  # earned, not yet recorded on chain
    outgoing: int  # used at a shop, its burn not yet recorded on chain


def get_balance(session: Session, user: User) -> Balance:
    # A hold and its release have no job: together they are an open ticket's tokens (a
    # cancelled or expired ticket's cancel out). A used ticket's hold has the burn's job.
    ticket = LedgerEntry.kind.in_(("hold", "release")) & LedgerEntry.chain_job_id.is_(None)
    not_on_chain = (ChainJob.status != JobStatus.CONFIRMED) | (
        LedgerEntry.chain_job_id.is_(None) & ~ticket
    )

    def amount_where(condition) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, LedgerEntry.amount), else_=0)), 0)

    total, held, incoming, outgoing = session.execute(
        select(
            func.coalesce(func.sum(LedgerEntry.amount), 0),
            -amount_where(ticket),
            amount_where(not_on_chain & (LedgerEntry.amount > 0)),
            -amount_where(not_on_chain & (LedgerEntry.amount < 0)),
        )
        .select_from(LedgerEntry)
        .outerjoin(ChainJob, LedgerEntry.chain_job_id == ChainJob.id)
        .where(LedgerEntry.user_id == user.id)
    ).one()
    return Balance(int(total), held=int(held), incoming=int(incoming), outgoing=int(outgoing))
