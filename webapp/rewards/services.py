"""Ledger operations: credit rewards, read balances. The ledger decides; the chain records."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.checkin.models import Attendance
from webapp.onchain.models import ChainJob, JobStatus
from webapp.rewards.models import LedgerEntry


def credit_reward(session: Session, attendance: Attendance, amount: int) -> LedgerEntry:
    entry = LedgerEntry(
        user_id=attendance.user_id,
        amount=amount,
        kind="reward",
        attendance_id=attendance.id,
        chain_job_id=attendance.chain_job_id,
    )
    session.add(entry)
    session.flush()
    return entry


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
