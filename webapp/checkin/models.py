from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.db import UTCDateTime, utcnow
from webapp.extensions import db


class ClaimStatus(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"
    HELD = "held"  # waits for an organiser's approval (a late display-code claim)


class Claim(db.Model):
    """One scan as the phone reported it; every claim is kept, whatever its answer."""

    __tablename__ = "claims"
    __table_args__ = (
        CheckConstraint("status IN ('accepted', 'duplicate', 'rejected', 'held')", name="status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # made by the client
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    code: Mapped[str] = mapped_column(String(512))
    slot: Mapped[int | None]
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(16))  # "link" (opened /c/...) or "api" (the app)
    offline: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    # What proved the presence: "display" (the rotating code), "printed" (a poster's code),
    # or "card" / "search" (an organiser checked the member in, and is `recorded_by`).
    via: Mapped[str] = mapped_column(String(16), default="display", server_default="display")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    event = relationship("Event")
    user = relationship("User", foreign_keys=[user_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])


class Attendance(db.Model):
    """A member's proven presence at an event: at most one per member and event."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("user_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"), unique=True)
    chain_job_id: Mapped[int] = mapped_column(ForeignKey("chain_jobs.id"))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    user = relationship("User")
    event = relationship("Event")
    claim = relationship("Claim")
    chain_job = relationship("ChainJob")


class DisplayLink(db.Model):
    """A link (`/display/<token>`) that shows one event's rotating check-in code and nothing
    else, for a tablet left at the venue: no login, no session. Only a hash of its token is
    kept; the link is shown once. Stopping it rotates the event's display key."""

    __tablename__ = "display_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    label: Mapped[str] = mapped_column(String(100))  # "受付のタブレット"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When a device last opened the link (to the minute): the organiser sees which are in use.
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    event = relationship("Event")
    created_by = relationship("User", foreign_keys=[created_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])


class RsvpStatus(StrEnum):
    GOING = "going"  # holds a seat
    WAITING = "waiting"  # on the waiting list, first come first served
    CANCELLED = "cancelled"


class Rsvp(db.Model):
    """A member's answer to an event's invitation: a seat, a place on the waiting list, or
    cancelled. Checking in needs none: seats are for planning."""

    __tablename__ = "rsvps"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        CheckConstraint("status IN ('going', 'waiting', 'cancelled')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When it took its current status: the waiting list's order.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")
