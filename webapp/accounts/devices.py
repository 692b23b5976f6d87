"""Device sessions and login cards: where a person is logged in, and the printed cards that log
an elderly member in on a new phone without typing a password."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from webapp.accounts.audit import record_audit
from webapp.accounts.models import DeviceSession, LoginCard, User
from webapp.accounts.services import get_person
from webapp.core.errors import DomainError, Forbidden, NotFound

MAX_LABEL_CHARS = 100


def start_device_session(
    session: Session, user: User, label: str, now: datetime, card: LoginCard | None = None
) -> DeviceSession:
    device = DeviceSession(
        id=secrets.token_urlsafe(32),
        user_id=user.id,
        login_card_id=card.id if card else None,
        label=(label or "?")[:MAX_LABEL_CHARS],
        created_at=now,
        last_seen_at=now,
    )
    session.add(device)
    session.flush()
    return device


@dataclass(frozen=True)
class SessionLimits:
    """How long a device session lasts: `idle` since it was last used, `lifetime` since the
    login, whichever ends first (ENISHI_SESSION_IDLE_DAYS, ENISHI_SESSION_MAX_DAYS)."""

    idle: timedelta
    lifetime: timedelta

    def allow(self, device: DeviceSession, now: datetime) -> bool:
        return now - device.last_seen_at < self.idle and now - device.created_at < self.lifetime

    @classmethod
    def of(cls, config) -> SessionLimits:
        """The limits the app's config sets (SESSION_IDLE_DAYS, SESSION_MAX_DAYS)."""
        return cls(
            idle=timedelta(days=config["SESSION_IDLE_DAYS"]),
            lifetime=timedelta(days=config["SESSION_MAX_DAYS"]),
        )


# A session's last use is written at most this often: a visit need not write each time.
SEEN_EVERY = timedelta(hours=1)


def active_device(
    session: Session,
    user_id: int,
    device_id: str,
    now: datetime | None = None,
    limits: SessionLimits | None = None,
) -> DeviceSession | None:
    """The device session, if it is the user's and still lasts (within `limits` at `now`)."""
    device = session.get(DeviceSession, device_id)
    if device is None or device.user_id != user_id or device.ended_at is not None:
        return None
    if limits is not None and not limits.allow(device, now):
        return None
    return device


def seen_since(device: DeviceSession, now: datetime) -> bool:
    """Whether the session's last use is stale enough to be written again."""
    return now - device.last_seen_at >= SEEN_EVERY


def mark_seen(connection: Connection, device_id: str, now: datetime) -> None:
    """Records a session's use, in a transaction of its own (see core.db.defer_write)."""
    connection.execute(
        update(DeviceSession).where(DeviceSession.id == device_id).values(last_seen_at=now)
    )


def list_devices(
    session: Session, user: User, now: datetime, limits: SessionLimits
) -> list[DeviceSession]:
    """Where `user` is logged in now: sessions not ended, nor past their limits."""
    query = (
        select(DeviceSession)
        .where(DeviceSession.user_id == user.id, DeviceSession.ended_at.is_(None))
        .order_by(DeviceSession.created_at.desc())
    )
    return [device for device in session.scalars(query) if limits.allow(device, now)]


def end_device_session(session: Session, user: User, device_id: str, now: datetime) -> None:
    device = active_device(session, user.id, device_id)
    if device is None:
        raise DomainError("no_such_device", _l("This device is not logged in."), status=404)
    device.ended_at = now
    session.flush()


# -- login cards ------------------------------------------------------------------------------


def may_manage_cards(issuer: User, person: User) -> bool:
    """Only an administrator prints or stops a login card for someone else (a card logs its
    holder in: in an organiser's hands it would take over a member's account), and nobody for
    an administrator (a card that logs in an administrator is too much power on paper)."""
    return issuer.is_admin and not person.is_admin and issuer.id != person.id


def get_card_holder(session: Session, issuer: User, user_id: int) -> User:
    """The person whose login cards `issuer` may print and stop (404 for nobody, 403 for
    someone `issuer` may not print for)."""
    person = get_person(session, user_id)
    if not may_manage_cards(issuer, person):
        raise Forbidden("not_allowed", _l("You cannot print a login card for this person."))
    return person


def get_login_card(session: Session, member: User, card_id: int) -> LoginCard:
    card = session.get(LoginCard, card_id)
    if card is None or card.user_id != member.id:
        raise NotFound("no_such_card", _l("There is no such card."))
    return card


def issue_login_card(
    session: Session, member: User, issuer: User, now: datetime
) -> tuple[LoginCard, str]:
    """A new login card for `member`, and the secret to print on it (shown once, never
    stored). Earlier cards stop working, and the devices they logged in are logged out."""
    if not may_manage_cards(issuer, member):
        raise Forbidden("not_allowed", _l("You cannot print a login card for this person."))
    replaced = _live_cards(session, member)
    for card in replaced:
        revoke_login_card(session, card, now)
    secret = secrets.token_urlsafe(32)
    card = LoginCard(
        user_id=member.id, secret_hash=_hash(secret), created_by_id=issuer.id, created_at=now
    )
    session.add(card)
    session.flush()
    detail = f"card {card.id}" + "".join(f", stops card {old.id}" for old in replaced)
    record_audit(
        session, actor=issuer, action="login_card.printed", subject=member, now=now, detail=detail
    )
    return card, f"{card.id}.{secret}"


def stop_login_card(session: Session, card: LoginCard, actor: User, now: datetime) -> None:
    """An administrator stops a card: it logs nobody in again, its phones are logged out."""
    revoke_login_card(session, card, now)
    record_audit(
        session,
        actor=actor,
        action="login_card.stopped",
        subject=card.user,
        now=now,
        detail=f"card {card.id}",
    )


def end_every_device_session(session: Session, user: User, now: datetime) -> None:
    """Logs `user` out everywhere (their account is closed)."""
    session.execute(
        update(DeviceSession)
        .where(DeviceSession.user_id == user.id, DeviceSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def revoke_login_card(session: Session, card: LoginCard, now: datetime) -> None:
    session.execute(select(LoginCard.id).where(LoginCard.id == card.id).with_for_update())
    card.revoked_at = card.revoked_at or now
    session.execute(
        update(DeviceSession)
        .where(DeviceSession.login_card_id == card.id, DeviceSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    session.flush()


def card_for_token(session: Session, token: str, lock: bool = False) -> LoginCard | None:
    """The card whose printed token this is, if the card still works. `lock` keeps it from
    being stopped until the caller commits (a login made with it, say)."""
    card_id, _, secret = token.partition(".")
    if not card_id.isdigit() or not secret:
        return None
    query = select(LoginCard).where(LoginCard.id == int(card_id))
    if lock:  # and read again: a copy loaded before the lock may be out of date
        query = query.with_for_update().execution_options(populate_existing=True)
    card = session.scalar(query)
    if card is None or card.revoked_at is not None or not card.user.active:
        return None
    return card if hmac.compare_digest(card.secret_hash, _hash(secret)) else None


def list_login_cards(session: Session, member: User) -> list[LoginCard]:
    query = select(LoginCard).where(LoginCard.user_id == member.id).order_by(LoginCard.id.desc())
    return list(session.scalars(query))


def _live_cards(session: Session, member: User) -> list[LoginCard]:
    return [card for card in list_login_cards(session, member) if card.revoked_at is None]


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
