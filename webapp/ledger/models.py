from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.db import UTCDateTime, utcnow
from webapp.extensions import db


class LedgerEntry(db.Model):
    """A credit (positive) or debit (negative) of whole community tokens."""

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    amount: Mapped[int]
    # "reward"; "hold" (a perk's price, held by a ticket, burned when used; or the coins a 結い
    # request offers, held by its post, burned when the help is confirmed); "release" (a
    # cancelled or expired ticket, or a request withdrawn or hidden, gives the hold back);
    # "yui" (a helper paid the coins a request offered); "thanks_pool" (a share of a month's
    # pool of coins, in proportion to thanks received)
    kind: Mapped[str] = mapped_column(String(20))
    attendance_id: Mapped[int | None] = mapped_column(ForeignKey("attendances.id"), unique=True)
    chain_job_id: Mapped[int | None] = mapped_column(ForeignKey("chain_jobs.id"))
    redemption_id: Mapped[int | None] = mapped_column(ForeignKey("redemptions.id"), index=True)
    yui_post_id: Mapped[int | None] = mapped_column(ForeignKey("yui_posts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    chain_job = relationship("ChainJob")
