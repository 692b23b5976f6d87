from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core.db import UTCDateTime, utcnow
from webapp.extensions import db


class JobKind(StrEnum):
    AWARD = "award"  # the event's badge and its reward, in one contract call
    ISSUE_CARD = "issue_card"
    REDEEM = "redeem"  # burns a used perk ticket's tokens, with the redemption as reference
    REVOKE_CARD = "revoke_card"  # burns a member's card after an administrator revoked it
    # A proposal's final tally and the digest of its ballots, on the decision record: the only
    # kind with no member to pay or burn from.
    RECORD_DECISION = "record_decision"
    PROJECT_BADGE = "project_badge"  # a project's contributor badge (no coins)
    # A badge given outside an event (a 結い's, a month's thanks) at `token_id`, with `amount`
    # coins or none: the badge contract's award is the only way the chain mints coins.
    BADGE = "badge"
    # Burns `amount` of a member's coins paid for the badge `token_id` (a 結い's offered coins,
    # which the badge job of the same 結い mints to the helper).
    BURN = "burn"


class JobStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    CONFIRMED = "confirmed"
    FAILED = "failed"  # given up by rule (onchain.jobs.mark_reverted); an admin may retry
    HELD = "held"  # an award whose reward waits for an administrator's approval
    CANCELLED = "cancelled"  # a card revoked before its job was sent: nothing goes on chain


class ChainJob(db.Model):
    __tablename__ = "chain_jobs"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('award', 'issue_card', 'redeem', 'revoke_card', 'record_decision',"
            " 'project_badge', 'badge', 'burn')",
            name="kind",
        ),
        # Every job but a decision's pays or burns from a member, at an address fixed when
        # the job is made; a decision's job names its proposal, tally and ballots' digest.
        CheckConstraint(
            "kind = 'record_decision' OR (user_id IS NOT NULL AND address IS NOT NULL)",
            name="recipient",
        ),
        CheckConstraint(
            "kind <> 'record_decision' OR (proposal_id IS NOT NULL AND tally IS NOT NULL"
            " AND digest IS NOT NULL)",
            name="decision",
        ),
        CheckConstraint(
            "status IN ('pending', 'sent', 'confirmed', 'failed', 'held', 'cancelled')",
            name="status",
        ),
        Index("ix_chain_jobs_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Whom the job pays (or burns from): fixed when the job is made, never read from the account.
    # None only for a decision's job (the "recipient" check).
    address: Mapped[str | None] = mapped_column(String(42))
    # Indexed: an event's awards are summed against its budget at every check-in.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))  # its badge's
    # A badge's or a burn's token id (see `onchain.jobs`: YUI_BADGE_BASE, THANKS_BADGE_BASE).
    token_id: Mapped[int | None] = mapped_column(BigInteger)
    redemption_id: Mapped[int | None] = mapped_column(ForeignKey("redemptions.id"), unique=True)
    amount: Mapped[int] = mapped_column(default=0)
    # A decision's: its proposal (one job each: the unique index; no foreign key, the proposals
    # live above this package), the votes for each option in order ("3,5,0") and the keccak256
    # of its ballots' CSV ("0x" and 64 hex digits).
    proposal_id: Mapped[int | None] = mapped_column(index=True, unique=True)
    tally: Mapped[str | None] = mapped_column(Text)
    digest: Mapped[str | None] = mapped_column(String(66))
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.PENDING)
    tx_hash: Mapped[str | None] = mapped_column(String(66), index=True)
    nonce: Mapped[int | None] = mapped_column(BigInteger)
    # The fees of the latest transaction sent for this job, and the hashes it replaced (one
    # of which may still be the one that gets mined).
    max_fee_per_gas: Mapped[int | None] = mapped_column(BigInteger)
    priority_fee_per_gas: Mapped[int | None] = mapped_column(BigInteger)
    replaced_tx_hashes: Mapped[str] = mapped_column(Text, default="", server_default="")
    block_number: Mapped[int | None] = mapped_column(BigInteger)
    attempts: Mapped[int] = mapped_column(default=0)
    reverts: Mapped[int] = mapped_column(default=0, server_default="0")  # in a row
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def on_chain(self) -> bool:
        return self.status == JobStatus.CONFIRMED

    @property
    def tally_counts(self) -> tuple[int, ...]:
        """A decision's tally as numbers; () for any other job."""
        return tuple(int(count) for count in self.tally.split(",")) if self.tally else ()

    @property
    def digest_bytes(self) -> bytes | None:
        return bytes.fromhex(self.digest.removeprefix("0x")) if self.digest else None


class ChainTransaction(db.Model):
    """A signed transaction, kept so that one recorded but never received by a node (the worker
    died in between, or the node lost it) can be sent again exactly as it was."""

    __tablename__ = "chain_transactions"

    tx_hash: Mapped[str] = mapped_column(String(66), primary_key=True)
    nonce: Mapped[int] = mapped_column(BigInteger)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SenderNonce(db.Model):
    """The next nonce of a sending account: the row every worker locks to choose a nonce."""

    __tablename__ = "sender_nonces"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    address: Mapped[str] = mapped_column(String(42), primary_key=True)
    next_nonce: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Deployment(db.Model):
    """Where Enishi's contracts live on one chain."""

    __tablename__ = "deployments"

    id: Mapped[int] = mapped_column(primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    token_address: Mapped[str] = mapped_column(String(42))
    badge_address: Mapped[str] = mapped_column(String(42))
    card_address: Mapped[str] = mapped_column(String(42))
    # None for a deployment made before the decision record existed, until `deploy_contracts`
    # adds it.
    decision_address: Mapped[str | None] = mapped_column(String(42))
    block_number: Mapped[int] = mapped_column(BigInteger)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
