"""Keeping the roles in step: each worker round works out every connected member's role data in
one query, and pushes to Discord only what differs from what it was last told (so a card issued,
taken back or lapsed reaches Discord within a round or two), plus, once a day per connection,
everything again (to repair changes made on Discord's side).

Each connection is its own little job queue: a failed push counts its attempts, waits a
backoff that grows with them (`next_attempt_at`) and keeps its last error for the
administrator's page; a 429 waits as long as Discord asks; a login Discord no longer accepts
waits for the member to connect again. A 429, a 5xx or a network error ends the round: Discord
is down or busy, and the other connections wait for the next round."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.checkin.models import Attendance
from webapp.discord.client import DiscordClient, DiscordError, Tokens
from webapp.discord.models import DiscordConnection
from webapp.discord.sealing import UnreadableSecret, unseal
from webapp.discord.services import REFRESH_MARGIN, Login, clear_retries, keep_tokens
from webapp.discord.settings import Application
from webapp.membership.models import Membership
from webapp.membership.services import MemberState, member_state_column
from webapp.projects.models import Project, ProjectMember, ProjectStatus

RECONCILE_EVERY = timedelta(hours=24)
CLEARED: dict = {}  # the role data of a member who left: Discord removes their roles
FIRST_BACKOFF = timedelta(seconds=15)
MAX_BACKOFF = timedelta(hours=1)
# Failures that say Discord as a whole cannot take more now: it asked to slow down, it is down
# (5xx), or it cannot be reached (each call would wait out its timeouts). The round stops at
# the first, so one round never holds the worker's other rounds up for long.
STOPS_THE_ROUND = frozenset({"rate_limited", "server_error", "network"})


@dataclass(frozen=True)
class RoleData:
    user_id: int
    is_member: bool
    member_since: datetime | None
    badges: int
    projects: int
    name: str

    def body(self, platform_name: str) -> dict:
        """The role connection Discord keeps (its values are strings)."""
        metadata = {
            "is_member": "1" if self.is_member else "0",
            "badges": str(self.badges),
            "projects": str(self.projects),
        }
        if self.is_member and self.member_since is not None:
            metadata["member_since"] = self.member_since.isoformat()
        return {
            "platform_name": platform_name,
            "platform_username": self.name,
            "metadata": metadata,
        }


@dataclass
class RoundResult:
    pushed: int = 0
    failed: int = 0

    def __bool__(self) -> bool:
        return bool(self.pushed or self.failed)


def role_data(session: Session, now: datetime, user_ids=None) -> dict[int, RoleData]:
    """Each connected member's role data, in one query (by user id)."""
    badges = (
        select(Attendance.user_id, func.count().label("n")).group_by(Attendance.user_id).subquery()
    )
    projects = (
        select(ProjectMember.user_id, func.count().label("n"))
        .join(Project, Project.id == ProjectMember.project_id)
        .where(ProjectMember.left_at.is_(None), Project.status == ProjectStatus.ACTIVE)
        .group_by(ProjectMember.user_id)
        .subquery()
    )
    query = (
        select(
            User.id,
            User.display_name,
            member_state_column(now),
            Membership.issued_at,
            func.coalesce(badges.c.n, 0),
            func.coalesce(projects.c.n, 0),
        )
        .select_from(DiscordConnection)
        .join(User, User.id == DiscordConnection.user_id)
        .outerjoin(Membership, Membership.user_id == User.id)
        .outerjoin(badges, badges.c.user_id == User.id)
        .outerjoin(projects, projects.c.user_id == User.id)
    )
    if user_ids is not None:
        query = query.where(User.id.in_(user_ids))
    return {
        user_id: RoleData(
            user_id,
            state == MemberState.MEMBER.value,
            since,
            int(n_badges),
            int(n_projects),
            name,
        )  # fmt: skip
        for user_id, name, state, since, n_badges, n_projects in session.execute(query)
    }


def platform_name() -> str:
    return f"{current_app.config['COMMUNITY_NAME']} Enishi"


def due(connection: DiscordConnection, body: dict, now: datetime) -> bool:
    """Whether this connection is pushed in this round."""
    if connection.needs_reconnect:
        return False
    if connection.next_attempt_at is not None and connection.next_attempt_at > now:
        return False
    if connection.attempts > 0 or connection.pushed_at is None:
        return True
    if connection.pushed_at <= now - RECONCILE_EVERY:
        return True
    return json.loads(connection.pushed_metadata or "null") != body


@dataclass(frozen=True)
class Outcome:
    tokens: Tokens | None  # new tokens, when they were refreshed
    error: DiscordError | None  # None: Discord took the role data


def sync_round(
    session: Session, application: Application | None, client: DiscordClient, now: datetime
) -> RoundResult:
    """Pushes every due connection. What is due is read first; the calls to Discord are made
    with no transaction open; each outcome is written and committed on its own."""
    result = RoundResult()
    if application is None:
        return result
    connections = session.scalars(
        select(DiscordConnection)
        .where(DiscordConnection.needs_reconnect.is_(False))
        .where(
            or_(
                DiscordConnection.next_attempt_at.is_(None),
                DiscordConnection.next_attempt_at <= now,
            )
        )
        .order_by(DiscordConnection.id)
    ).all()
    # The role data of these connections' members, read after them: a connection made between
    # the two reads waits for the next round, one forgotten between them is left out.
    members = [connection.user_id for connection in connections if not connection.clearing]
    data = role_data(session, now, members)
    name = platform_name()
    plan = []
    for connection in connections:
        if connection.clearing:  # its member left it: the emptied role data, once due
            plan.append((Login.of(connection), CLEARED))
        elif connection.user_id in data:
            body = data[connection.user_id].body(name)
            if due(connection, body, now):
                plan.append((Login.of(connection), body))
    session.commit()
    for login, body in plan:
        outcome = call(login, application, client, body, now)
        record(session, login, outcome, body, now)
        session.commit()  # written or not, no lock is kept while Discord answers the next
        if outcome.error is None:
            result.pushed += 1
            continue
        result.failed += 1
        if outcome.error.kind in STOPS_THE_ROUND:
            break  # the others wait for the next round (the failed one, its backoff)
    return result


def push_now(
    session: Session,
    connection: DiscordConnection,
    application: Application,
    client: DiscordClient,
    now: datetime,
) -> DiscordError | None:
    """Pushes one connection's role data now, whatever its schedule (a new connection, the
    administrator's 「今すぐ再試行」): ends the caller's transaction before the call, and
    leaves the outcome for the caller to commit. None when Discord took it."""
    if connection.clearing:
        body = CLEARED
    else:
        data = role_data(session, now, [connection.user_id])[connection.user_id]
        body = data.body(platform_name())
    login = Login.of(connection)
    session.commit()
    outcome = call(login, application, client, body, now)
    record(session, login, outcome, body, now)
    return outcome.error


def call(
    login: Login, application: Application, client: DiscordClient, body: dict, now: datetime
) -> Outcome:
    """Puts the role data, refreshing the access token first when it ran out, or once when
    Discord refuses it before its time. Calls only."""
    tokens = None
    try:
        if login.expires_at - REFRESH_MARGIN <= now:
            tokens = _refresh(application, client, unseal(login.refresh_token))
        access = tokens.access_token if tokens else unseal(login.access_token)
        try:
            client.put_role_connection(access, application.client_id, body)
        except DiscordError as error:
            if error.kind != "unauthorized":
                raise
            refresh = tokens.refresh_token if tokens else unseal(login.refresh_token)
            tokens = _refresh(application, client, refresh)
            client.put_role_connection(tokens.access_token, application.client_id, body)
    except UnreadableSecret:
        return Outcome(tokens, DiscordError("unreadable"))
    except DiscordError as error:
        return Outcome(tokens, error)
    return Outcome(tokens, None)


def _refresh(application: Application, client: DiscordClient, refresh_token: str) -> Tokens:
    return client.refresh(application.client_id, application.client_secret, refresh_token)


def record(session: Session, login: Login, outcome: Outcome, body: dict, now: datetime) -> bool:
    """Writes what a push made with `login` came to. False, writing nothing, when the connection
    was forgotten meanwhile or no longer holds that login's tokens (the member connected again,
    or another push refreshed them): its outcome says nothing of the row as it is now."""
    connection = session.scalar(
        select(DiscordConnection)
        .where(DiscordConnection.id == login.connection_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if connection is None or connection.access_token != login.access_token:
        return False
    if outcome.tokens is not None:
        keep_tokens(connection, outcome.tokens, now)
    if connection.clearing:  # its member left it meanwhile, or before
        return _cleared(session, connection, outcome, body, now)
    if outcome.error is not None:
        _failed(connection, outcome.error, now)
        return True
    connection.pushed_metadata = json.dumps(body, ensure_ascii=False, sort_keys=True)
    connection.pushed_at = now
    clear_retries(connection)
    connection.needs_reconnect = False
    return True


def _cleared(
    session: Session, connection: DiscordConnection, outcome: Outcome, body: dict, now: datetime
) -> bool:
    """A connection left by its member is forgotten once Discord took its emptied role data, or
    when its tokens can never clear anything; a push of role data made before it was left
    changes nothing (the emptied role data is still to send)."""
    error = outcome.error
    if (error is None and body == CLEARED) or (
        error is not None and error.kind in ("unauthorized", "unreadable")
    ):
        session.delete(connection)
    elif error is not None:
        _failed(connection, error, now)
    return True


def _failed(connection: DiscordConnection, error: DiscordError, now: datetime) -> None:
    connection.attempts += 1
    connection.last_error = f"{error.kind}: {error.detail}"[:500]
    if error.kind in ("unauthorized", "unreadable"):
        connection.needs_reconnect = True
        connection.next_attempt_at = None
    elif error.kind == "rate_limited":
        connection.next_attempt_at = now + timedelta(seconds=error.retry_after or 1)
    else:
        connection.next_attempt_at = now + backoff(connection.attempts)


def backoff(attempts: int) -> timedelta:
    """15 s after the first failure, doubling each time, at most an hour."""
    return min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)
