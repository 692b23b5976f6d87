from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.db import UTCDateTime, utcnow
from webapp.extensions import db


class DiscordSettings(db.Model):
    """The community's Discord application, as an administrator entered it: one row. The secret
    and the bot's token are kept encrypted (secrets.py), never shown back."""

    __tablename__ = "discord_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(32), default="")
    client_secret: Mapped[str] = mapped_column(Text, default="")  # encrypted
    bot_token: Mapped[str] = mapped_column(Text, default="")  # encrypted
    guild_id: Mapped[str] = mapped_column(String(32), default="")
    # When the role data's description (is_member, member_since, ...) was sent to Discord.
    metadata_registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def configured(self) -> bool:
        return bool(self.client_id and self.client_secret)


class DiscordConnection(db.Model):
    """A member's Discord account, connected once from マイページ: its OAuth2 tokens (encrypted),
    the role data last pushed, and the push's own little queue (attempts, next try, last error).
    """

    __tablename__ = "discord_connections"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None once the member left it (disconnected, connected another Discord account, closed
    # the account) while Discord still holds their role data: `clearing`.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    discord_user_id: Mapped[str] = mapped_column(String(32))
    discord_username: Mapped[str] = mapped_column(String(100), default="")
    access_token: Mapped[str] = mapped_column(Text)  # encrypted
    refresh_token: Mapped[str] = mapped_column(Text)  # encrypted
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What Discord was last told (the role connection's JSON body), and when.
    pushed_metadata: Mapped[str | None] = mapped_column(Text)
    pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Failed pushes: how many in a row, when to try again, and why the last one failed.
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Discord no longer accepts the tokens (the member removed the app on Discord's side):
    # nothing is pushed until the member connects again.
    needs_reconnect: Mapped[bool] = mapped_column(default=False)
    # Left by its member, but Discord did not take the emptied role data then: the round sends
    # it (with the same backoff) and forgets the row once Discord takes it.
    clearing: Mapped[bool] = mapped_column(default=False)

    user = relationship("User")
