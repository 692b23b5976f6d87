from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.db import UTCDateTime, utcnow
from webapp.extensions import db


class Membership(db.Model):
    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the first card was given: issued_at moves when a card taken back is given again.
    first_issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The end of the membership's term; None: no end. Past it, the membership has lapsed
    # until it is renewed.
    term_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The job that put the card on chain, and the one that burns it after a revocation.
    chain_job_id: Mapped[int | None] = mapped_column(ForeignKey("chain_jobs.id"))
    revoke_job_id: Mapped[int | None] = mapped_column(ForeignKey("chain_jobs.id"))

    chain_job = relationship("ChainJob", foreign_keys=[chain_job_id])
    revoke_job = relationship("ChainJob", foreign_keys=[revoke_job_id])

    def is_active_at(self, now: datetime) -> bool:
        """Whether the card gives its rights at `now`: not revoked and not lapsed."""
        return card_gives_rights(self.revoked_at, self.term_ends_at, now)

    @property
    def is_active(self) -> bool:
        return self.is_active_at(utcnow())


def card_gives_rights(
    revoked_at: datetime | None, term_ends_at: datetime | None, now: datetime
) -> bool:
    """The rule of `Membership.is_active_at`, for a card read as plain values (the check-in's
    set-based path reads it in the statement that locks the member)."""
    return revoked_at is None and (term_ends_at is None or now < term_ends_at)
