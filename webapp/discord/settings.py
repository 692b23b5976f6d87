"""The community's Discord application, one row: what the administrator entered, and the role
data's description sent to Discord (the metadata a server's roles can ask for)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.core.errors import DomainError
from webapp.discord.client import DiscordClient, DiscordError
from webapp.discord.models import DiscordSettings
from webapp.discord.sealing import UnreadableSecret, seal, unseal

# Discord's metadata types (application-role-connection-metadata): 2 integer ≥, 5 datetime ≤
# (the member since at least N days), 7 boolean =.
INTEGER_AT_LEAST, DATETIME_AT_MOST, BOOLEAN_EQUAL = 2, 5, 7


def metadata_records() -> list[dict]:
    """The role data a Discord server's roles can ask for, in English and Japanese."""
    community = current_app.config["COMMUNITY_NAME"]
    return [
        _record(BOOLEAN_EQUAL, "is_member", "Member", "会員",
                f"Holds a valid {community} member card",
                f"{community} の有効な会員証を持っている"),
        _record(DATETIME_AT_MOST, "member_since", "Member for (days)", "会員歴（日）",
                "Days since the member card was issued", "会員証を受け取ってからの日数"),
        _record(INTEGER_AT_LEAST, "badges", "Badges", "参加バッジ",
                "Events attended (participation badges)", "参加したイベントの数（参加バッジ）"),
        _record(INTEGER_AT_LEAST, "projects", "Projects", "プロジェクト",
                "Active projects the member takes part in", "参加している活動中のプロジェクトの数"),
    ]  # fmt: skip


def _record(kind: int, key: str, name: str, name_ja: str, text: str, text_ja: str) -> dict:
    return {
        "type": kind,
        "key": key,
        "name": name,
        "name_localizations": {"ja": name_ja},
        "description": text,
        "description_localizations": {"ja": text_ja},
    }


def get_settings(session: Session) -> DiscordSettings | None:
    return session.scalar(select(DiscordSettings).order_by(DiscordSettings.id).limit(1))


def save_settings(
    session: Session,
    *,
    client_id: str,
    guild_id: str,
    client_secret: str = "",
    bot_token: str = "",
    now: datetime,
) -> DiscordSettings:
    """Saves what the administrator entered; an empty secret or token keeps the saved one."""
    client_id, guild_id = client_id.strip(), guild_id.strip()
    for value in (client_id, guild_id):
        if value and not value.isdigit():
            raise DomainError(
                "not_an_id", _l("Discord's ids are numbers: copy them from Discord again.")
            )
    settings = get_settings(session)
    if settings is None:
        settings = DiscordSettings()
        session.add(settings)
    if client_id != settings.client_id:
        settings.metadata_registered_at = None
    settings.client_id = client_id
    settings.guild_id = guild_id
    if client_secret.strip():
        settings.client_secret = seal(client_secret.strip())
    if bot_token.strip():
        settings.bot_token = seal(bot_token.strip())
    settings.updated_at = now
    session.flush()
    return settings


def client_secret(settings: DiscordSettings) -> str:
    return unseal(settings.client_secret)


@dataclass(frozen=True)
class Application:
    """The application's credentials as plain values: what the calls to Discord need, held
    outside any database transaction."""

    client_id: str
    client_secret: str


def get_application(session: Session) -> Application | None:
    """None until the administrator entered the application (or when its secret can no longer
    be read)."""
    settings = get_settings(session)
    if settings is None or not settings.configured:
        return None
    try:
        return Application(settings.client_id, client_secret(settings))
    except UnreadableSecret:
        return None


def register_metadata(session: Session, client: DiscordClient, now: datetime) -> None:
    """Tells Discord which role data Enishi sends (the bot's token authorises it). Ends the
    caller's transaction before it calls Discord, and leaves the date for the caller to
    commit."""
    settings = get_settings(session)
    if settings is None or not settings.client_id or not settings.bot_token:
        raise DomainError(
            "discord_not_configured",
            _l("Enter the application id and the bot token first."),
        )
    try:
        client_id, bot_token = settings.client_id, unseal(settings.bot_token)
    except UnreadableSecret as error:
        raise DomainError("discord_unreadable", _l("Enter the bot token again.")) from error
    records = metadata_records()
    session.commit()  # no transaction stays open while Discord answers
    try:
        client.register_metadata(client_id, bot_token, records)
    except DiscordError as error:
        raise DomainError(
            "discord_refused",
            _l("Discord did not accept it: %(why)s", why=error.description),
        ) from error
    settings = get_settings(session)
    settings.metadata_registered_at = now
    session.flush()
