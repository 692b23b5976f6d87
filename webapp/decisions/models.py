"""Proposals and their votes: one card, one vote (decisions/services.py is the only writer)."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.db import UTCDateTime, utcnow
from webapp.extensions import db


class ProposalStatus(StrEnum):
    DISCUSSION = "discussion"  # open for talk; voting has not started
    VOTING = "voting"  # the electorate is fixed; ballots are cast and changed
    PASSED = "passed"  # 可決
    REJECTED = "rejected"  # 否決
    NO_QUORUM = "no_quorum"  # too few voted: 不成立
    TIE = "tie"  # two options or more shared the most votes: 同数


CLOSED_STATUSES = (
    ProposalStatus.PASSED,
    ProposalStatus.REJECTED,
    ProposalStatus.NO_QUORUM,
    ProposalStatus.TIE,
)


class ProposalKind(StrEnum):
    YES_NO = "yes_no"  # two options, 賛成 and 反対: it passes when 賛成 has the majority
    CHOICE = "choice"  # two options or more: it passes when one has the majority


def new_ballot_secret() -> bytes:
    return secrets.token_bytes(32)


class Proposal(db.Model):
    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint(
            "status IN ('discussion', 'voting', 'passed', 'rejected', 'no_quorum', 'tie')",
            name="status",
        ),
        CheckConstraint("kind IN ('yes_no', 'choice')", name="kind"),
        CheckConstraint("majority IN ('simple')", name="majority"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16), default=ProposalKind.YES_NO)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # A proposal to launch this project: passed, it becomes active; otherwise declined.
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # talk opens
    voting_starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    voting_ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The rule, copied from the community's settings when the proposal opened.
    min_turnout_percent: Mapped[int] = mapped_column(Integer)
    majority: Mapped[str] = mapped_column(String(16), default="simple")
    status: Mapped[str] = mapped_column(String(16), default=ProposalStatus.DISCUSSION, index=True)
    # Who may vote: counted when voting starts (the rows are in proposal_electorate).
    electorate_size: Mapped[int | None] = mapped_column(Integer)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The votes per option, in the options' order, and keccak256 of the ballots' CSV.
    tally: Mapped[list | None] = mapped_column(JSON)
    ballots_digest: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    # The key of the voters' references in the ballots' CSV (see services.voter_reference).
    ballot_secret: Mapped[bytes] = mapped_column(LargeBinary(32), default=new_ballot_secret)

    author = relationship("User")
    project = relationship("Project")
    options = relationship(
        "ProposalOption", order_by="ProposalOption.position", back_populates="proposal"
    )

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class ProposalOption(db.Model):
    __tablename__ = "proposal_options"
    __table_args__ = (UniqueConstraint("proposal_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1, 2, ...: the order shown and tallied
    label: Mapped[str] = mapped_column(String(100))

    proposal = relationship("Proposal", back_populates="options")


class ProposalVoter(db.Model):
    """One who may vote on a proposal: a card holder when its voting started."""

    __tablename__ = "proposal_electorate"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)


class BallotVia(StrEnum):
    PHONE = "phone"
    MEETING = "meeting"  # recorded by an organiser who scanned the member's card


class Ballot(db.Model):
    __tablename__ = "ballots"
    __table_args__ = (
        UniqueConstraint("proposal_id", "voter_id"),
        CheckConstraint("via IN ('phone', 'meeting')", name="via"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    voter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("proposal_options.id"))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    via: Mapped[str] = mapped_column(String(16), default=BallotVia.PHONE)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    option = relationship("ProposalOption")
    voter = relationship("User", foreign_keys=[voter_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
