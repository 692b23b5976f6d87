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
        return self.revoked_at is None and (self.term_ends_at is None or now < self.term_ends_at)

    @property
    def is_active(self) -> bool:
        return self.is_active_at(utcnow())
