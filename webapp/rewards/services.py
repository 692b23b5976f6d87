"""Ledger operations: credit rewards, read balances. The ledger decides; the chain records."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
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
    total: int  # what the ledger says the member has
    pending: int  # the part not yet confirmed on chain


def get_balance(session: Session, user: User) -> Balance:
    total = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(LedgerEntry.user_id == user.id)
    )
    # Not yet on chain: entries whose job is not confirmed, and held tickets (no job yet; a
    # release cancels its hold out).
    pending = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0))
        .outerjoin(ChainJob, LedgerEntry.chain_job_id == ChainJob.id)
        .where(
            LedgerEntry.user_id == user.id,
            (ChainJob.status != JobStatus.CONFIRMED) | LedgerEntry.chain_job_id.is_(None),
        )
    )
    return Balance(total=int(total), pending=int(pending))
