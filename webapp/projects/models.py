from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.db import UTCDateTime, utcnow
from webapp.extensions import db


class ProjectStatus(StrEnum):
    PROPOSED = "proposed"  # waits for the rule the community chose (approval or a vote)
    ACTIVE = "active"  # members join it; its events and badge run
    DECLINED = "declined"  # not approved, or its proposal did not pass
    CLOSED = "closed"  # done: no one joins any more; its members and badges stay


class Project(db.Model):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("status IN ('proposed', 'active', 'declined', 'closed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    help_wanted: Mapped[str] = mapped_column(Text, default="")
    # Who leads it (a member), and who proposed it (often the same person).
    lead_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default=ProjectStatus.PROPOSED, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When it became active, and by whose approval (None: by a passed proposal).
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # When it was declined or closed.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why an administrator declined it, for its proposer to read ("" none given).
    decline_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    lead = relationship("User", foreign_keys=[lead_id])
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])


class ProjectMember(db.Model):
    """A member of a project: one row per person and project; leaving keeps the row, with
    `left_at`, so that joining again is the same row (and a contributor's history stays)."""

    __tablename__ = "project_members"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    project = relationship("Project")
    user = relationship("User")


class ProjectBadge(db.Model):
    """A project's contributor badge given to one person: once each (the unique constraint
    holds it even when two people give it at the same moment); on chain through its job."""

    __tablename__ = "project_badges"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    chain_job_id: Mapped[int] = mapped_column(ForeignKey("chain_jobs.id"))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    given_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    project = relationship("Project")
    user = relationship("User", foreign_keys=[user_id])
    chain_job = relationship("ChainJob")
