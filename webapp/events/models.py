from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.db import UTCDateTime, utcnow
from webapp.extensions import db


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="window"),
        CheckConstraint("reward >= 0", name="reward"),
        CheckConstraint("offline_claim_days BETWEEN 0 AND 30", name="offline_claim_days"),
        CheckConstraint("budget IS NULL OR budget >= 0", name="budget"),
        CheckConstraint("audience IN ('everyone', 'members', 'rule')", name="audience"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity"),
        CheckConstraint(
            "(rule_badges IS NULL) = (rule_days IS NULL) AND "
            "(rule_badges IS NULL OR (rule_badges > 0 AND rule_days > 0))",
            name="rule_badges",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    venue: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reward: Mapped[int] = mapped_column(default=0)
    # The most the event pays in rewards, all participants together; past it, participants get
    # the badge without tokens. None (events made before budgets): never approved by rule.
    budget: Mapped[int | None]
    # Set when an administrator approved a reward or budget above the community's limits.
    reward_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reward_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Claims scanned with no connection count if they arrive within this many days of the
    # scan (0: only live scans count).
    offline_claim_days: Mapped[int] = mapped_column(default=7, server_default="7")
    # Said aloud at the event and typed by members who scan the printed poster's code.
    secret_word: Mapped[str | None] = mapped_column(String(64))
    # Claims of the display code that arrive after it changed (a screenshot sent on, or a scan
    # kept offline) wait for an organiser's approval. On by default with a secret word.
    hold_late_claims: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Signs the event's check-in codes; it reaches only the event's organisers.
    secret: Mapped[bytes] = mapped_column(LargeBinary(32))
    # Which display key signs the rotating codes (derived from `secret`, see checkin.codes): one
    # more each time a display link is stopped, so the stopped tablet's key stops counting. The
    # poster's key does not depend on it: printed posters keep working.
    display_key_version: Mapped[int] = mapped_column(default=0, server_default="0")
    organiser_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The project this event belongs to, if any: its check-ins count as taking part in it.
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who is invited (checkin.eligibility decides): "everyone" with an account, "members" whose
    # 会員証 gives its rights, or those who meet the "rule": every condition set below holds.
    audience: Mapped[str] = mapped_column(String(16), default="members", server_default="members")
    rule_card: Mapped[bool] = mapped_column(default=False, server_default=false())
    # At least `rule_badges` badges (attendances) within the last `rule_days` days.
    rule_badges: Mapped[int | None]
    rule_days: Mapped[int | None]
    # Members (now) of this project; a badge of any of `required_events` is the last condition.
    rule_project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    # Seats members may take ahead (RSVP); None: no limit. RSVP is offered with `rsvp_open`.
    capacity: Mapped[int | None]
    rsvp_open: Mapped[bool] = mapped_column(default=False, server_default=false())

    organiser = relationship("User", foreign_keys=[organiser_id])
    reward_approved_by = relationship("User", foreign_keys=[reward_approved_by_id])
    rule_project = relationship("Project", foreign_keys=[rule_project_id])
    co_organisers = relationship(
        "User",
        secondary="event_organisers",
        primaryjoin="Event.id == EventOrganiser.event_id",
        secondaryjoin="User.id == EventOrganiser.user_id",
        order_by="User.display_name",
        viewonly=True,
    )
    required_events = relationship(
        "Event",
        secondary="event_required_badges",
        primaryjoin="Event.id == EventRequiredBadge.event_id",
        secondaryjoin="Event.id == EventRequiredBadge.required_event_id",
        order_by="Event.starts_at",
        viewonly=True,
    )


class EventOrganiser(db.Model):
    """A co-organiser: sees and runs the event as its creator does."""

    __tablename__ = "event_organisers"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EventRequiredBadge(db.Model):
    """A rule's condition: a badge of any one of these (earlier) events."""

    __tablename__ = "event_required_badges"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    required_event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
