from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.db import UTCDateTime, utcnow
from webapp.extensions import db


class ThanksSettings(db.Model):
    """The community's rules for thanks (one row; without it, the defaults below)."""

    __tablename__ = "thanks_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Points each member may give in a month (Asia/Tokyo); what is not given lapses.
    allowance: Mapped[int] = mapped_column(default=100)
    # At most this share (%) of the allowance to one person in a month.
    per_person_percent: Mapped[int] = mapped_column(default=30)
    # The month's pool of coins, shared at its end in proportion to thanks received (off: 0).
    pool_on: Mapped[bool] = mapped_column(default=False)
    pool_coins: Mapped[int] = mapped_column(default=0)
    # Since when the pool is on (None while off): a month is shared if it ended after this.
    pool_on_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Thanks(db.Model):
    """Points one member gave another, with a short message, in a month of the allowance."""

    __tablename__ = "thanks"
    __table_args__ = (
        CheckConstraint("points > 0", name="points"),
        CheckConstraint("giver_id <> receiver_id", name="not_self"),
        CheckConstraint("via IN ('profile', 'card', 'checkin', 'feed')", name="via"),
        Index("ix_thanks_giver_id_month", "giver_id", "month"),
        Index("ix_thanks_receiver_id_month", "receiver_id", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    giver_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    receiver_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    points: Mapped[int]
    message: Mapped[str] = mapped_column(Text, default="")  # at most 140 characters
    # The allowance's month it was given from, in the community's time zone ("2026-12").
    month: Mapped[str] = mapped_column(String(7), index=True)
    # Where it was given: a profile, a scanned member card, a check-in's
    # 主催者にありがとう, the feed.
    via: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))  # via a check-in
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    giver = relationship("User", foreign_keys=[giver_id])
    receiver = relationship("User", foreign_keys=[receiver_id])


class ThanksOptOut(db.Model):
    """A member who does not appear in the thanks feed (neither as giver nor as receiver)."""

    __tablename__ = "thanks_optouts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ThanksPool(db.Model):
    """A month's pool of coins, shared out once: the row is written in the same transaction as
    every share, its ledger credit and its chain job, so a month is shared exactly once."""

    __tablename__ = "thanks_pools"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    coins: Mapped[int]  # the pool as it was set when shared
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ThanksPoolShare(db.Model):
    __tablename__ = "thanks_pool_shares"
    __table_args__ = (UniqueConstraint("month", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(ForeignKey("thanks_pools.month"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    points: Mapped[int]  # thanks received in the month
    givers: Mapped[int]  # distinct givers (at least 3 to share)
    coins: Mapped[int]
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))
    chain_job_id: Mapped[int | None] = mapped_column(ForeignKey("chain_jobs.id"))

    user = relationship("User")
