from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core.db import UTCDateTime, utcnow
from webapp.extensions import db


class ActivityMonth(db.Model):
    """One member's month, summed by the worker (community.summary, its only writer): what
    they did in that month in Japan time, and where they lived at its end (now, for the month
    under way). The community page reads these instead of 200,000 attendances."""

    __tablename__ = "activity_months"
    # With checkins in it, the figures' pass over every member's months (who took part, and
    # since when) reads the index alone.
    __table_args__ = (Index("ix_activity_months_user_month", "user_id", "month", "checkins"),)

    month: Mapped[int] = mapped_column(Integer, primary_key=True)  # 202611 for November 2026
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    area: Mapped[str] = mapped_column(String(16))  # profiles.models.Area
    checkins: Mapped[int] = mapped_column(Integer, default=0)
    coins_earned: Mapped[int] = mapped_column(Integer, default=0)  # rewards credited
    coins_spent: Mapped[int] = mapped_column(Integer, default=0)  # perk tickets used at shops
    perks_used: Mapped[int] = mapped_column(Integer, default=0)
    joined: Mapped[bool] = mapped_column(default=False)  # was given the member card this month


class AreaMonth(db.Model):
    """A month's totals by where members lived at its end: its activity_months summed by area
    (written with them). The page's trend and a period's sums read these few rows (four a
    month) instead of every member's month: a year's trend over 10,000 members would otherwise
    sum some 50,000 rows on every view."""

    __tablename__ = "area_months"

    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    area: Mapped[str] = mapped_column(String(16), primary_key=True)  # profiles.models.Area
    checkins: Mapped[int] = mapped_column(Integer, default=0)
    participants: Mapped[int] = mapped_column(Integer, default=0)  # members with a check-in
    coins_earned: Mapped[int] = mapped_column(Integer, default=0)
    coins_spent: Mapped[int] = mapped_column(Integer, default=0)
    perks_used: Mapped[int] = mapped_column(Integer, default=0)
    joined: Mapped[int] = mapped_column(Integer, default=0)  # member cards given


class ShopMonth(db.Model):
    """A partner shop's month: perk tickets used there, and their coins, by where the members
    who used them lived (written with activity_months)."""

    __tablename__ = "shop_months"

    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), primary_key=True)
    area: Mapped[str] = mapped_column(String(16), primary_key=True)
    perks_used: Mapped[int] = mapped_column(Integer, default=0)
    coins_spent: Mapped[int] = mapped_column(Integer, default=0)


class SummaryState(db.Model):
    """When the summary was last brought up to date (one row, id 1)."""

    __tablename__ = "summary_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CommunitySettings(db.Model):
    """The community's choices about what it shows (one row, id 1)."""

    __tablename__ = "community_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The community page's public version (aggregates only, small counts masked): off until an
    # administrator turns it on.
    public_page: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
