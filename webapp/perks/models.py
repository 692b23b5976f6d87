"""Perks: what community tokens buy at local partners, and the tickets members redeem them with."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from webapp.core.db import UTCDateTime, utcnow
from webapp.extensions import db


class Partner(db.Model):
    """A local shop (a "spot") where perks are used; its staff confirm the tickets."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_ja: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    staff = relationship(
        "User",
        secondary="partner_staff",
        primaryjoin="Partner.id == PartnerStaff.partner_id",
        secondaryjoin="User.id == PartnerStaff.user_id",
        order_by="User.display_name",
        viewonly=True,
    )

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_ja


class PartnerStaff(db.Model):
    __tablename__ = "partner_staff"

    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)


class Perk(db.Model):
    __tablename__ = "perks"
    __table_args__ = (
        CheckConstraint("price > 0", name="price"),
        CheckConstraint("stock IS NULL OR stock >= 0", name="stock"),
        CheckConstraint("limit_per_member IS NULL OR limit_per_member > 0", name="limit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    title_ja: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    description_ja: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[int]
    stock: Mapped[int | None]  # None: unlimited
    limit_per_member: Mapped[int | None]  # None: no limit
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A JPEG of at most 60 KB, re-encoded on upload (services.prepare_photo). Loaded only when
    # it is sent: pages listing perks need `has_photo` alone.
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    has_photo: Mapped[bool] = column_property(photo.is_not(None))
    # What the photo shows, for people who hear the page read aloud ("" with no photo).
    photo_alt: Mapped[str] = mapped_column(String(200), default="", server_default="")
    active: Mapped[bool] = mapped_column(default=True)  # False: paused by an administrator
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partner = relationship("Partner")

    def title(self, locale: str) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title_ja

    def description(self, locale: str) -> str:
        return (
            self.description_en if locale == "en" and self.description_en else self.description_ja
        )


class RedemptionStatus(StrEnum):
    HELD = "held"  # a ticket on the member's phone; the tokens are held
    USED = "used"  # confirmed by the shop; the tokens are burned on chain
    CANCELLED = "cancelled"  # by the member, before use: the tokens are released
    EXPIRED = "expired"  # not used in time: the tokens are released


class Redemption(db.Model):
    """A member's ticket for one perk: held tokens, a QR code and a short code for the shop."""

    __tablename__ = "redemptions"
    __table_args__ = (
        CheckConstraint("status IN ('held', 'used', 'cancelled', 'expired')", name="status"),
        # A short code names one live ticket: the shop types it.
        Index(
            "ux_redemptions_live_short_code",
            "short_code",
            unique=True,
            sqlite_where=text("status = 'held'"),
            postgresql_where=text("status = 'held'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    perk_id: Mapped[int] = mapped_column(ForeignKey("perks.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    price: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=RedemptionStatus.HELD)
    short_code: Mapped[str] = mapped_column(String(6))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # cancelled or expired

    perk = relationship("Perk")
    user = relationship("User", foreign_keys=[user_id])
    used_by = relationship("User", foreign_keys=[used_by_id])
    # The burn, once the shop has confirmed the ticket.
    chain_job = relationship(
        "ChainJob",
        primaryjoin="ChainJob.redemption_id == Redemption.id",
        uselist=False,
        viewonly=True,
    )

    def state_at(self, now: datetime) -> str:
        """The ticket's state as people should see it: one past its time is expired even
        before the worker's sweep has released its tokens."""
        if self.status == RedemptionStatus.HELD and self.expires_at <= now:
            return RedemptionStatus.EXPIRED
        return self.status

    @property
    def lifetime_minutes(self) -> int:
        """How long the ticket was made valid for."""
        return round((self.expires_at - self.created_at).total_seconds() / 60)


class CodeAttempt(db.Model):
    """A shop's try at a ticket code: failed ones are counted, so codes cannot be guessed."""

    __tablename__ = "code_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    ok: Mapped[bool]
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
