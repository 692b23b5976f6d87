from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.db import UTCDateTime, utcnow
from webapp.extensions import db


class PostKind(StrEnum):
    REQUEST = "request"  # 困りごと: the post's person asks for help (and may offer coins)
    OFFER = "offer"  # できること: the post's person offers a skill or lends something idle


class YuiPost(db.Model):
    __tablename__ = "yui_posts"
    __table_args__ = (
        CheckConstraint("kind IN ('request', 'offer')", name="kind"),
        CheckConstraint("coins >= 0", name="coins"),
        CheckConstraint("kind = 'request' OR coins = 0", name="coins_on_requests"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    category: Mapped[str] = mapped_column(String(32), index=True)  # yui.categories
    area: Mapped[str] = mapped_column(
        String(32), index=True
    )  # yui.areas: a district, never an address
    title: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text, default="")
    when_text: Mapped[str] = mapped_column(String(80), default="")  # "土曜の朝", "12月中"
    # Coins a request offers its helper: held from `for_user`'s balance while the post is open.
    coins: Mapped[int] = mapped_column(default=0)
    # Whom the post is for, and who wrote it: an organiser writes for a member without a phone.
    for_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # done or withdrawn
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    for_user = relationship("User", foreign_keys=[for_user_id])
    author = relationship("User", foreign_keys=[author_id])

    @property
    def on_behalf(self) -> bool:
        return self.author_id != self.for_user_id


class YuiThread(db.Model):
    """A private conversation about a post between its person and one member who answered."""

    __tablename__ = "yui_threads"
    __table_args__ = (UniqueConstraint("post_id", "responder_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("yui_posts.id"), index=True)
    responder_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    post = relationship("YuiPost")
    responder = relationship("User")


class YuiMessage(db.Model):
    __tablename__ = "yui_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("yui_threads.id"), index=True)
    # Who typed it: one of the two, or the organiser who wrote the post for its person.
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sender = relationship("User")


class YuiConfirmation(db.Model):
    """Help that happened, confirmed face to face: one of the two scanned the other's member card
    (printed, or on their phone). One per thread; the phone's claim id makes a resend the same
    confirmation."""

    __tablename__ = "yui_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("yui_threads.id"), unique=True)
    claim_id: Mapped[str] = mapped_column(String(64), unique=True)
    helper_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    helped_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    scanned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    coins: Mapped[int] = mapped_column(default=0)  # moved from the helped to the helper
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)  # on the phone, maybe offline
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # received
    token_id: Mapped[int | None] = mapped_column(BigInteger)  # the 結い badge of both
    helper_job_id: Mapped[int | None] = mapped_column(ForeignKey("chain_jobs.id"))
    helped_job_id: Mapped[int | None] = mapped_column(ForeignKey("chain_jobs.id"))
    burn_job_id: Mapped[int | None] = mapped_column(ForeignKey("chain_jobs.id"))

    thread = relationship("YuiThread")
    helper = relationship("User", foreign_keys=[helper_id])
    helped = relationship("User", foreign_keys=[helped_id])


class YuiReport(db.Model):
    """A member's report of a post, for an administrator to look at (once per member and post)."""

    __tablename__ = "yui_reports"
    __table_args__ = (UniqueConstraint("post_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("yui_posts.id"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # hidden, or kept

    post = relationship("YuiPost")
    reporter = relationship("User")
