from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core.db import UTCDateTime, utcnow
from webapp.extensions import db


class Area(StrEnum):
    """Where a member lives, as they said it; the town's 関係人口 programme counts by it."""

    CITY = "city"  # 市内
    PREFECTURE = "prefecture"  # 県内 (outside the city)
    OUTSIDE = "outside"  # 県外
    UNKNOWN = "unknown"  # not said (the default), or taken back


class Visibility(StrEnum):
    PRIVATE = "private"  # the default: nobody else sees the profile
    MEMBERS = "members"  # members who are logged in
    PUBLIC = "public"  # anyone, also on the community's public page's links


class TagKind(StrEnum):
    SKILL = "skill"  # what I can do: デザイン, IT
    INTEREST = "interest"  # what I care about: 農業, 子育て


class Residence(db.Model):
    """Where a member lives from `since` on. A move adds a row, so that past figures keep
    counting the member where they lived then (a member who moved from 県外 to 市内 in May is
    県外 in April's figures)."""

    __tablename__ = "residences"
    __table_args__ = (
        CheckConstraint("area IN ('city', 'prefecture', 'outside', 'unknown')", name="area"),
        Index("ix_residences_user_since", "user_id", "since"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    area: Mapped[str] = mapped_column(String(16))
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Profile(db.Model):
    """A member's profile; no row is the same as a private, empty one."""

    __tablename__ = "profiles"
    __table_args__ = (
        CheckConstraint("visibility IN ('private', 'members', 'public')", name="visibility"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    introduction: Mapped[str] = mapped_column(Text, default="", server_default="")
    visibility: Mapped[str] = mapped_column(
        String(16), default=Visibility.PRIVATE, server_default="private", index=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProfileTag(db.Model):
    """One skill or interest of a member, as they wrote it (trimmed, at most 30 characters)."""

    __tablename__ = "profile_tags"
    __table_args__ = (
        CheckConstraint("kind IN ('skill', 'interest')", name="kind"),
        Index("ix_profile_tags_kind_tag", "kind", "tag"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    tag: Mapped[str] = mapped_column(String(30), primary_key=True)
