from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.db import UTCDateTime, utcnow
from webapp.extensions import db


class Role(StrEnum):
    MEMBER = "member"
    ORGANISER = "organiser"
    ADMIN = "admin"


class TextSize(StrEnum):
    """The size of all the app's text, chosen on マイページ: 標準, 大きい, 特大."""

    STANDARD = "standard"
    LARGE = "large"
    LARGEST = "largest"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('member', 'organiser', 'admin')", name="role"),
        CheckConstraint("text_size IN ('standard', 'large', 'largest')", name="text_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Optional: many of the town's elderly members have no e-mail address.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    # Indexed: the administrators' list of everyone is in name order, a page at a time.
    display_name: Mapped[str] = mapped_column(String(100), index=True)
    # None: no password; this person logs in with a passkey or a printed login card.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.MEMBER)
    # The custodial address is derived from the master secret at this index; no key is stored.
    wallet_index: Mapped[int | None] = mapped_column(unique=True)
    address: Mapped[str | None] = mapped_column(String(42), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When this person set up their account (accepted their invitation); None while invited.
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The season or group they came with, e.g. 「第5期」 (from their invitation).
    cohort: Mapped[str | None] = mapped_column(String(50), index=True)
    # When they closed their account: the app forgot their name and address; the rows that
    # the chain's records refer to stay, under no name.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When Home was last shown to this person: the next Home says what changed since.
    home_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The text size this person last chose: a device where they have chosen none starts from it.
    text_size: Mapped[str] = mapped_column(
        String(10), default=TextSize.STANDARD, server_default=TextSize.STANDARD.value
    )

    # The device session this request runs in (set at login and by the user loader); it is
    # part of the id Flask-Login keeps in the session and remember cookies, so that ending a
    # device's session logs that device out.
    device_id = None

    def get_id(self) -> str:
        return f"{self.id}:{self.device_id}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_closed(self) -> bool:
        """Closed their account: the name is forgotten (see accounts.closing)."""
        return self.closed_at is not None

    @property
    def is_organiser(self) -> bool:
        return self.role in (Role.ORGANISER, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class DeviceSession(db.Model):
    """One browser where a person is logged in: listed on their page, where they can end it."""

    __tablename__ = "device_sessions"
    # A person's latest session, for the administrators' list ("last seen").
    __table_args__ = (Index("ix_device_sessions_user_id_last_seen_at", "user_id", "last_seen_at"),)

    id: Mapped[str] = mapped_column(String(43), primary_key=True)  # random, in the cookies
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    login_card_id: Mapped[int | None] = mapped_column(ForeignKey("login_cards.id"), index=True)
    label: Mapped[str] = mapped_column(String(100))  # the browser and system, as it said
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the session was last used (to the hour): one left idle too long ends.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginCard(db.Model):
    """A printed card whose QR code logs its member in without a password. Only a hash of its
    secret is kept: the secret exists on the card alone. A new card revokes the earlier one."""

    __tablename__ = "login_cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", foreign_keys=[user_id])
    created_by = relationship("User", foreign_keys=[created_by_id])


class Invitation(db.Model):
    """A single-use link that lets an invited person set up their account and take their
    会員証: `/join/<secret>`. Only a hash of the secret is kept; a new invitation for the same
    person stops the earlier one."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The invited person: their account exists from the invitation on, not yet joined.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The name the person was invited under (a CSV import's row): they may choose another when
    # they join, and importing the same file again must still know them.
    invited_name: Mapped[str | None] = mapped_column(String(100))

    user = relationship("User", foreign_keys=[user_id])
    created_by = relationship("User", foreign_keys=[created_by_id])


class AuditEntry(db.Model):
    """Something done to a person's account by someone else (so far: a login card printed or
    stopped): kept for the administrators, never changed or deleted."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)  # e.g. "login_card.printed"
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    detail: Mapped[str] = mapped_column(String(200), default="")

    actor = relationship("User", foreign_keys=[actor_id])
    subject = relationship("User", foreign_keys=[subject_id])


class Passkey(db.Model):
    """A passkey (WebAuthn credential) a person made on their phone or computer: they log in
    with its fingerprint or face, without typing anything. Only its public key is kept."""

    __tablename__ = "passkeys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The authenticator's id of the credential, base64url (at most 1,023 bytes).
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)  # COSE, as the authenticator gave it
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    transports: Mapped[str] = mapped_column(String(200), default="")  # "internal,hybrid"
    name: Mapped[str] = mapped_column(String(100))  # the browser and system it was made on
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
