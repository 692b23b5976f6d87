"""A member's Discord connection: made once from マイページ (OAuth2), its tokens kept encrypted
and refreshed when they run out, forgotten when the member disconnects or closes the account.
The only writer of discord_connections."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.core.errors import DomainError
from webapp.discord.client import DiscordClient, DiscordError, Tokens
from webapp.discord.models import DiscordConnection, DiscordSettings
from webapp.discord.sealing import UnreadableSecret, seal, unseal
from webapp.discord.settings import client_secret

# A token this close to its end is refreshed before it is used.
REFRESH_MARGIN = timedelta(minutes=5)


def get_connection(session: Session, user: User) -> DiscordConnection | None:
    return session.scalar(select(DiscordConnection).where(DiscordConnection.user_id == user.id))


def list_failing(session: Session) -> list[DiscordConnection]:
    """Connections whose last push failed, or which wait for their member to connect again."""
    query = (
        select(DiscordConnection)
        .where((DiscordConnection.attempts > 0) | DiscordConnection.needs_reconnect)
        .order_by(DiscordConnection.next_attempt_at, DiscordConnection.id)
    )
    return list(session.scalars(query))


def count_connections(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(DiscordConnection)) or 0


def connect(
    session: Session,
    user: User,
    settings: DiscordSettings,
    client: DiscordClient,
    *,
    code: str,
    redirect_uri: str,
    now: datetime,
) -> DiscordConnection:
    """Exchanges the code Discord gave the member's browser for tokens, reads who they are on
    Discord, and keeps the connection (a second connection replaces the first)."""
    try:
        tokens = client.exchange_code(
            settings.client_id, client_secret(settings), code, redirect_uri
        )
        me = client.get_me(tokens.access_token)
    except (DiscordError, UnreadableSecret) as error:
        raise DomainError(
            "discord_refused", _l("Discord did not let us connect. Please try again later.")
        ) from error
    connection = get_connection(session, user)
    if connection is None:
        connection = DiscordConnection(user_id=user.id)
        session.add(connection)
    connection.discord_user_id = str(me.get("id", ""))
    connection.discord_username = str(me.get("global_name") or me.get("username") or "")[:100]
    keep_tokens(connection, tokens, now)
    connection.connected_at = now
    connection.pushed_metadata = None
    connection.pushed_at = None
    connection.attempts = 0
    connection.next_attempt_at = None
    connection.last_error = None
    connection.needs_reconnect = False
    session.flush()
    return connection


def keep_tokens(connection: DiscordConnection, tokens: Tokens, now: datetime) -> None:
    connection.access_token = seal(tokens.access_token)
    connection.refresh_token = seal(tokens.refresh_token)
    connection.expires_at = now + timedelta(seconds=tokens.expires_in)


def access_token(
    connection: DiscordConnection,
    settings: DiscordSettings,
    client: DiscordClient,
    now: datetime,
    *,
    force_refresh: bool = False,
) -> str:
    """The member's access token, refreshed first when it has run out (or is about to)."""
    if force_refresh or connection.expires_at - REFRESH_MARGIN <= now:
        tokens = client.refresh(
            settings.client_id, client_secret(settings), unseal(connection.refresh_token)
        )
        keep_tokens(connection, tokens, now)
        return tokens.access_token
    return unseal(connection.access_token)


def disconnect(
    session: Session,
    user: User,
    settings: DiscordSettings | None,
    client: DiscordClient,
    now: datetime,
) -> bool:
    """Clears the member's role data on Discord when it still can (so the roles go), then
    forgets the connection and its tokens. Whether there was one."""
    connection = get_connection(session, user)
    if connection is None:
        return False
    if settings is not None and settings.configured and not connection.needs_reconnect:
        try:
            token = access_token(connection, settings, client, now)
            client.put_role_connection(token, settings.client_id, {})
        except (DiscordError, UnreadableSecret):
            pass  # the connection is forgotten all the same; Discord may keep stale roles
    session.delete(connection)
    session.flush()
    return True


def exported_connection(session: Session, user: User) -> list[dict]:
    """What the member's data download says of it: never a token."""
    connection = get_connection(session, user)
    if connection is None:
        return []
    return [
        {
            "discord_name": connection.discord_username,
            "connected_at": connection.connected_at,
            "last_sent": connection.pushed_metadata,
            "last_sent_at": connection.pushed_at,
        }
    ]


def pushed(connection: DiscordConnection) -> dict | None:
    return json.loads(connection.pushed_metadata) if connection.pushed_metadata else None
