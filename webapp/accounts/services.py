"""Account operations: create people, check passwords."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from chain.wallets import PublicKeyring
from webapp.accounts.audit import record_audit
from webapp.accounts.models import Role, TextSize, User
from webapp.core.db import utcnow
from webapp.core.errors import DomainError, NotFound

MIN_PASSWORD_LENGTH = 10
MAX_NAME_LENGTH = 100


def create_user(
    session: Session,
    keyring: PublicKeyring,
    *,
    email: str | None,
    password: str | None,
    display_name: str,
    role: Role = Role.MEMBER,
    cohort: str | None = None,
    invited: bool = False,
) -> User:
    """Creates a person with a custodial address derived at the index of their id (from the
    public keyring: creating a member needs no key). Without an e-mail address or a password,
    they log in with a passkey or a printed login card; `invited`, they have not set up their
    account yet (see accounts.invitations)."""
    email = normalise_email(email) if email else None
    if email is not None and not is_email(email):
        raise DomainError("bad_email", _l("Enter an email address."))
    password_hash = new_password_hash(password) if password is not None else None
    if email is not None and get_user_by_email(session, email) is not None:
        raise DomainError("email_taken", _l("Someone already uses this email address."))
    display_name = display_name.strip() or (email or "")
    if not display_name:
        raise DomainError("no_name", _l("Enter a name."))
    user = User(
        email=email,
        display_name=display_name,
        password_hash=password_hash,
        role=Role(role),
        cohort=(cohort or "").strip() or None,
        joined_at=None if invited else utcnow(),
    )
    session.add(user)
    session.flush()
    user.wallet_index = user.id
    user.address = keyring.member_address(user.wallet_index)
    if invited:  # the column's default fills a None given at the INSERT
        user.joined_at = None
    session.flush()
    return user


def is_email(text: str) -> bool:
    """A plausible e-mail address: one @, something before it, a dotted domain after it, no
    spaces. (Whether it reaches anyone only sending can tell.)"""
    local, at, domain = text.partition("@")
    return (
        bool(at and local and domain)
        and "@" not in domain
        and "." in domain.strip(".")
        and not any(c.isspace() for c in text)
        and len(text) <= 254
    )


@cache
def _nobody_hash() -> str:
    """Checked against when nobody has the e-mail address, so that a refusal costs the same
    time whether the address exists or not (it cannot be found out by timing)."""
    return generate_password_hash(secrets.token_hex(16))


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = get_user_by_email(session, email) if email.strip() else None
    known = user.password_hash if user is not None and user.password_hash else None
    right = check_password_hash(known or _nobody_hash(), password)
    if known is None or not user.active or user.closed_at is not None or not right:
        return None
    return user


def confirm_password(user: User, password: str) -> bool:
    """Whether `password` is `user`'s: asked again before a powerful act (printing a login card
    for someone), so that a session left open is not enough."""
    return bool(password and user.password_hash) and check_password_hash(
        user.password_hash, password
    )


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_person(session: Session, user_id: int) -> User:
    """`get_user` for a page about someone: nobody by that id is a 404."""
    person = get_user(session, user_id)
    if person is None:
        raise NotFound("no_such_member", _l("There is no such member."))
    return person


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def mark_home_seen(connection: Connection, user_id: int, now: datetime) -> None:
    """Records that Home was shown, the moment from which the next Home tells what changed; in
    a transaction of its own (see core.db.defer_write): showing Home is a read."""
    connection.execute(update(User).where(User.id == user_id).values(home_seen_at=now))


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def outbox_account(user_id: int, secret_key: str | bytes) -> str:
    """The opaque id a phone binds its queued check-ins to: the same for one person on every
    device, telling nothing about who it is."""
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(key, b"enishi outbox account %d" % user_id, hashlib.sha256).hexdigest()[:24]


ROLE_NAMES = {
    Role.MEMBER: _l("Member"),
    Role.ORGANISER: _l("Organiser"),
    Role.ADMIN: _l("Administrator"),
}


def change_role(
    session: Session, actor: User, user: User, role: str, password: str, now: datetime
) -> None:
    """An administrator gives `user` another role, typing their own password again (an open
    session alone must not make organisers, who can issue tokens). Written to the audit log."""
    if not actor.is_admin:
        raise DomainError("not_an_admin", _l("Only administrators can change roles."))
    if role not in set(Role):
        raise DomainError("bad_role", _l("Choose one of the roles."))
    if user.id == actor.id:
        raise DomainError("own_role", _l("Ask another administrator to change your own role."))
    if not confirm_password(actor, password):
        raise DomainError("wrong_password", _l("Your password is not right: nothing changed."))
    if role == Role.ADMIN and user.password_hash is None:
        # An administrator types their password again before each powerful act.
        raise DomainError(
            "no_password",
            _l("An administrator needs a password: this person has none yet (set on マイページ)."),
        )
    if user.role == role:
        return
    detail = f"{user.role} → {role}"
    user.role = role
    session.flush()
    record_audit(session, actor=actor, action="role.changed", now=now, subject=user, detail=detail)


def set_text_size(session: Session, user: User, size: str) -> None:
    """Keeps `size` as `user`'s text size: the size a device of theirs starts from."""
    if size not in set(TextSize):
        raise DomainError("bad_text_size", _l("Choose one of the text sizes."))
    user.text_size = TextSize(size)
    session.flush()


def valid_name(display_name: str) -> str:
    """`display_name` as it will be kept (trimmed), or a refusal: empty, or too long."""
    display_name = display_name.strip()
    if not display_name:
        raise DomainError("no_name", _l("Enter a name."))
    if len(display_name) > MAX_NAME_LENGTH:
        raise DomainError("long_name", _l("The name can have at most 100 characters."))
    return display_name


def new_password_hash(new: str) -> str:
    """The hash kept for a new password, or a refusal: too short, or too long."""
    if len(new) < MIN_PASSWORD_LENGTH:
        raise DomainError("short_password", _l("The password needs at least 10 characters."))
    if len(new) > 200:
        raise DomainError("long_password", _l("The password can have at most 200 characters."))
    return generate_password_hash(new)


def rename_user(session: Session, user: User, display_name: str) -> None:
    """The name shown on `user`'s pages and to the organisers, as they want to be called."""
    user.display_name = valid_name(display_name)
    session.flush()


def change_password(session: Session, user: User, *, current: str | None, new: str) -> None:
    """Sets `user`'s password to `new`. A person who has one types it first (`current`): a
    session left open on a shared tablet is not enough to take the account."""
    if user.password_hash and not confirm_password(user, current or ""):
        raise DomainError("wrong_password", _l("The current password is not right."))
    user.password_hash = new_password_hash(new)
    session.flush()


def set_joined(
    session: Session, person: User, *, display_name: str, password_hash: str | None, now: datetime
) -> None:
    """An invited person has set up their account: their name, their password (None: they log
    in with a passkey or a printed login card), joined now."""
    person.display_name = display_name
    if password_hash is not None:
        person.password_hash = password_hash
    person.joined_at = now
    session.flush()


def forget_user(session: Session, user: User, *, closed_name: str, now: datetime) -> None:
    """Forgets a closing account's name, e-mail address and password; the row stays, under
    `closed_name`, for the records that point to it."""
    user.display_name = closed_name
    user.email = None
    user.password_hash = None
    user.active = False
    user.closed_at = user.closed_at or now
    session.flush()
