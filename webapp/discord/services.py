"""A member's Discord connection: made once from マイページ (OAuth2), its tokens kept encrypted
and refreshed when they run out, forgotten when the member disconnects or closes the account
(once Discord took the emptied role data: until then the row stays, apart from the member,
`clearing`, for the round to retry). Writes discord_connections, as sync.py does for the
round's outcomes (`record`).

Calls to Discord are made with no database transaction open (a SQLite database would stay
locked for writers meanwhile): the caller reads what it needs, ends its transaction, calls,
then writes the outcome (`Login` carries what a call needs)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.core.errors import DomainError
from webapp.discord.client import DiscordClient, DiscordError, Tokens
from webapp.discord.models import DiscordConnection
from webapp.discord.sealing import UnreadableSecret, seal, unseal
from webapp.discord.settings import Application

# A token this close to its end is refreshed before it is used.
REFRESH_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True)
class Login:
    """A connection's tokens (still sealed) as plain values, for calls made outside a
    transaction."""

    connection_id: int
    access_token: str
    refresh_token: str
    expires_at: datetime
    needs_reconnect: bool

    @classmethod
    def of(cls, connection: DiscordConnection) -> Login:
        return cls(
            connection.id, connection.access_token, connection.refresh_token,
            connection.expires_at, connection.needs_reconnect,
        )  # fmt: skip


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
    """Members connected (not the rows left to clear)."""
    query = select(func.count()).where(DiscordConnection.user_id.is_not(None))
    return session.scalar(query) or 0


def fetch_account(
    application: Application, client: DiscordClient, *, code: str, redirect_uri: str
) -> tuple[Tokens, dict]:
    """Exchanges the code Discord gave the member's browser for tokens and reads who they are
    on Discord (calls only: no transaction should be open)."""
    try:
        tokens = client.exchange_code(
            application.client_id, application.client_secret, code, redirect_uri
        )
        return tokens, client.get_me(tokens.access_token)
    except DiscordError as error:
        raise DomainError(
            "discord_refused", _l("Discord did not let us connect. Please try again later.")
        ) from error


def keep_connection(
    session: Session,
    user: User,
    tokens: Tokens,
    me: dict,
    now: datetime,
    *,
    old_cleared: bool = True,
) -> DiscordConnection:
    """Keeps the member's connection (a second connection replaces the first). When it is
    another Discord account and the first one's role data could not be emptied
    (`old_cleared`), the first is left for the round to clear."""
    connection = get_connection(session, user)
    if (
        connection is not None
        and connection.discord_user_id != str(me.get("id", ""))
        and not old_cleared
    ):
        leave_for_clearing(connection)
        session.flush()
        connection = None
    if connection is None:
        connection = DiscordConnection(user_id=user.id)
        session.add(connection)
    connection.discord_user_id = str(me.get("id", ""))
    connection.discord_username = str(me.get("global_name") or me.get("username") or "")[:100]
    keep_tokens(connection, tokens, now)
    connection.connected_at = now
    connection.pushed_metadata = None
    connection.pushed_at = None
    clear_retries(connection)
    connection.needs_reconnect = False
    session.flush()
    return connection


def connect(
    session: Session,
    user: User,
    application: Application,
    client: DiscordClient,
    *,
    code: str,
    redirect_uri: str,
    now: datetime,
) -> DiscordConnection:
    """`fetch_account`, `clear_roles` of a first connection to another Discord account, then
    `keep_connection`: the calls come first, before any write."""
    first = get_connection(session, user)
    tokens, me = fetch_account(application, client, code=code, redirect_uri=redirect_uri)
    cleared = True
    if first is not None and first.discord_user_id != str(me.get("id", "")):
        cleared = clear_roles(Login.of(first), application, client, now)
    return keep_connection(session, user, tokens, me, now, old_cleared=cleared)


def keep_tokens(connection: DiscordConnection, tokens: Tokens, now: datetime) -> None:
    connection.access_token = seal(tokens.access_token)
    connection.refresh_token = seal(tokens.refresh_token)
    connection.expires_at = now + timedelta(seconds=tokens.expires_in)


def clear_roles(
    login: Login, application: Application | None, client: DiscordClient, now: datetime
) -> bool:
    """Empties the member's role data on Discord (so the roles go), when it still can. A call
    only; whether Discord took it."""
    if application is None or login.needs_reconnect:
        return False
    try:
        if login.expires_at - REFRESH_MARGIN <= now:
            access = client.refresh(
                application.client_id, application.client_secret, unseal(login.refresh_token)
            ).access_token
        else:
            access = unseal(login.access_token)
        client.put_role_connection(access, application.client_id, {})
    except (DiscordError, UnreadableSecret):
        return False
    return True


def forget_connection(session: Session, user: User, *, cleared: bool) -> bool:
    """Forgets the member's connection and its tokens, once Discord took its emptied role data
    (`cleared`, from `clear_roles`); otherwise leaves it, apart from its member, for the round
    to clear. Whether there was one."""
    connection = get_connection(session, user)
    if connection is None:
        return False
    if cleared or connection.needs_reconnect:  # tokens Discord refuses can clear nothing
        session.delete(connection)
    else:
        leave_for_clearing(connection)
    session.flush()
    return True


def clear_retries(connection: DiscordConnection) -> None:
    """Forgets the connection's failed pushes: no backoff holds the next one back, and its page
    shows no error."""
    connection.attempts = 0
    connection.next_attempt_at = None
    connection.last_error = None


def leave_for_clearing(connection: DiscordConnection) -> None:
    """The member left this connection while Discord still holds their role data: it no longer
    belongs to them; the round sends the emptied role data, then forgets it."""
    connection.user_id = None
    connection.clearing = True
    connection.pushed_metadata = None
    clear_retries(connection)


def disconnect(
    session: Session,
    user: User,
    application: Application | None,
    client: DiscordClient,
    now: datetime,
) -> bool:
    """Clears the member's roles on Discord when it can, then forgets the connection (or leaves
    it for the round to clear). Makes its call inside the caller's transaction: a caller that
    can end its transaction first calls `clear_roles` and `forget_connection` itself (as the
    disconnect page does)."""
    connection = get_connection(session, user)
    if connection is None:
        return False
    cleared = clear_roles(Login.of(connection), application, client, now)
    return forget_connection(session, user, cleared=cleared)


def exported_connection(session: Session, user: User) -> list[dict]:
    """What the member's data download says of it: what Discord was last told, as plain values
    (empty until the first push); never a token."""
    connection = get_connection(session, user)
    if connection is None:
        return []
    metadata = (pushed(connection) or {}).get("metadata") or {}
    since = metadata.get("member_since")
    return [
        {
            "discord_name": connection.discord_username,
            "connected_at": connection.connected_at,
            "is_member": metadata["is_member"] == "1" if "is_member" in metadata else None,
            "member_since": datetime.fromisoformat(since) if since else None,
            "badges": int(metadata["badges"]) if "badges" in metadata else None,
            "projects": int(metadata["projects"]) if "projects" in metadata else None,
            "last_sent_at": connection.pushed_at,
        }
    ]


def pushed(connection: DiscordConnection) -> dict | None:
    return json.loads(connection.pushed_metadata) if connection.pushed_metadata else None
