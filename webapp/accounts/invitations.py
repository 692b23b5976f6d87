"""Invitations: the only writer of their table. An administrator invites a person (their account
exists from then on, not yet joined); the invitation is a single-use link `/join/<secret>` with an
expiry, of which only a hash is kept. A new invitation for the same person stops the earlier one
(printing or e-mailing it again makes a new link, as a login card does). Accepting it sets the
person's name and password (or none: a passkey or a printed login card) and marks them joined,
once: two phones opening one link at the same moment make one account."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from chain.wallets import PublicKeyring
from webapp.accounts.audit import record_audit
from webapp.accounts.models import Invitation, User
from webapp.accounts.services import (
    MAX_NAME_LENGTH,
    create_user,
    new_password_hash,
    set_joined,
    valid_name,
)
from webapp.core.errors import DomainError

DEFAULT_LIFETIME = timedelta(days=30)


class InvitationState(StrEnum):
    """Where an invitation stands, as the person's page shows it."""

    WAITING = "waiting"  # the link works
    USED = "used"
    EXPIRED = "expired"
    STOPPED = "stopped"  # replaced by a newer one
    CLOSED = "closed"  # stopped when the account was closed


INVITATION_STATE_NAMES = {
    InvitationState.WAITING: _l("Waiting to be opened"),
    InvitationState.USED: _l("Used: joined"),
    InvitationState.EXPIRED: _l("Expired"),
    InvitationState.STOPPED: _l("Replaced by a newer link"),
    InvitationState.CLOSED: _l("Stopped: the account was closed"),
}


def invitation_state(invitation: Invitation, now: datetime) -> InvitationState:
    if invitation.used_at is not None:
        return InvitationState.USED
    if invitation.revoked_at is not None:
        closed = invitation.user.closed_at is not None
        return InvitationState.CLOSED if closed else InvitationState.STOPPED
    if invitation.expires_at <= now:
        return InvitationState.EXPIRED
    return InvitationState.WAITING


# What the person opening a link that no longer works is told; the codes stay as they are.
REFUSALS = {
    "unknown_invitation": _l("This invitation link is not right. Check that it was copied whole."),
    "expired_invitation": _l("This invitation has expired."),
    "used_invitation": _l("This invitation has already been used."),
    "stopped_invitation": _l("This invitation was replaced by a newer one."),
}


def _refused(code: str, invitation: Invitation | None = None) -> DomainError:
    """The refusal of `code`; it carries the invitation when there is one (its page names who
    sent it, to ask them for a new one)."""
    error = DomainError(code, REFUSALS[code], status=404 if code == "unknown_invitation" else 410)
    error.invitation = invitation
    return error


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Invited:
    """An invitation just made, with its secret: shown (as a link, a QR code, a card, an
    e-mail) in this answer and never again."""

    invitation: Invitation
    secret: str

    @property
    def person(self) -> User:
        return self.invitation.user


def invite_person(
    session: Session,
    keyring: PublicKeyring,
    *,
    actor: User,
    display_name: str,
    email: str | None,
    cohort: str | None,
    now: datetime,
    lifetime: timedelta = DEFAULT_LIFETIME,
    detail: str = "",
) -> Invited:
    """Creates the invited person (not joined yet: no password, no card) and their link."""
    if not display_name.strip():
        raise DomainError("no_name", _l("Enter a name."))
    person = create_user(
        session,
        keyring,
        email=(email or "").strip() or None,
        password=None,
        display_name=display_name.strip()[:MAX_NAME_LENGTH],
        cohort=cohort,
        invited=True,
    )
    invited = _new_invitation(session, person, actor, now, lifetime)
    record_audit(
        session,
        actor=actor,
        action="invitation.created",
        subject=person,
        now=now,
        detail=detail or f"invitation {invited.invitation.id}",
    )
    return invited


def invite_again(
    session: Session, *, person: User, actor: User, now: datetime, lifetime: timedelta
) -> Invited:
    """A new link for someone invited who has not joined; the earlier links stop working."""
    if person.joined_at is not None or person.closed_at is not None:
        raise DomainError("already_joined", _l("This person has already joined."))
    stopped = stop_invitations(session, person, now)
    invited = _new_invitation(session, person, actor, now, lifetime)
    detail = f"invitation {invited.invitation.id}" + "".join(f", stops {i}" for i in stopped)
    record_audit(
        session, actor=actor, action="invitation.renewed", subject=person, now=now, detail=detail
    )
    return invited


def note_emailed(session: Session, invitation: Invitation, *, actor: User, now: datetime) -> None:
    """The invitation was handed to the mail server."""
    invitation.emailed_at = now
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="invitation.emailed",
        subject=invitation.user,
        now=now,
        detail=f"invitation {invitation.id}",
    )


def _new_invitation(
    session: Session,
    person: User,
    actor: User,
    now: datetime,
    lifetime: timedelta,
    secret: str | None = None,
) -> Invited:
    secret = secret or secrets.token_urlsafe(24)
    invitation = Invitation(
        user_id=person.id,
        secret_hash=hash_secret(secret),
        created_by_id=actor.id,
        created_at=now,
        expires_at=now + lifetime,
        invited_name=person.display_name,
    )
    session.add(invitation)
    session.flush()
    return Invited(invitation, secret)


def add_fixed_invitation(
    session: Session, person: User, actor: User, secret: str, now: datetime, lifetime: timedelta
) -> Invitation:
    """An invitation whose secret is chosen, not drawn: for the demo only, so that the README
    can print its link."""
    return _new_invitation(session, person, actor, now, lifetime, secret=secret).invitation


def stop_invitations(session: Session, person: User, now: datetime) -> list[int]:
    """Stops every invitation of `person` not yet used (a new one replaces them, or the account
    is closed); their ids."""
    live = list(
        session.scalars(
            select(Invitation).where(
                Invitation.user_id == person.id,
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
        )
    )
    for invitation in live:
        invitation.revoked_at = now
    session.flush()
    return [invitation.id for invitation in live]


def find_invitation(session: Session, secret: str, now: datetime) -> Invitation:
    """The invitation of this secret, if it still works; else a refusal that says why:
    `unknown_invitation` (forged or mistyped), `expired_invitation`, `used_invitation`,
    `stopped_invitation`."""
    invitation = (
        session.scalar(select(Invitation).where(Invitation.secret_hash == hash_secret(secret)))
        if secret and len(secret) <= 200
        else None
    )
    if invitation is None:
        raise _refused("unknown_invitation")
    state = invitation_state(invitation, now)
    if state == InvitationState.USED:
        raise _refused("used_invitation", invitation)
    if state == InvitationState.STOPPED:
        raise _refused("stopped_invitation", invitation)
    if state == InvitationState.EXPIRED:
        raise _refused("expired_invitation", invitation)
    if invitation.user.closed_at is not None:
        raise _refused("stopped_invitation", invitation)
    return invitation


def accept_invitation(
    session: Session,
    secret: str,
    *,
    display_name: str,
    password: str | None,
    now: datetime,
    way: str = "",
) -> User:
    """The invited person joins: their name, their password (None: they log in with a passkey
    or a printed login card), joined now. The invitation is marked used by one conditional
    UPDATE: of two people accepting it at once, one gets the account, the other a refusal.
    `way` (passkey, password, card) goes into the audit log, so the office sees who waits for
    a printed login card."""
    invitation = find_invitation(session, secret, now)
    # Locked first: closing the account at the same moment must not be written over.
    session.execute(select(User.id).where(User.id == invitation.user_id).with_for_update())
    if password is not None and invitation.user.email is None:
        # A password logs in with an e-mail address: without one it would open nothing.
        raise DomainError(
            "no_email_for_password",
            _l("Without an e-mail address, choose a passkey or a login card."),
        )
    # Checked before the invitation is taken: a refusal leaves it usable.
    display_name = valid_name(display_name)
    password_hash = new_password_hash(password) if password is not None else None
    taken = session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # someone else accepted it (or it was stopped) a moment ago
        raise _refused("used_invitation", invitation)
    session.refresh(invitation)
    person = invitation.user
    session.refresh(person)
    set_joined(session, person, display_name=display_name, password_hash=password_hash, now=now)
    record_audit(
        session, actor=person, action="invitation.accepted", now=now, subject=person,
        detail=f"login: {way}" if way else "",
    )  # fmt: skip
    return person


def latest_invitation(session: Session, person: User) -> Invitation | None:
    return session.scalar(
        select(Invitation)
        .where(Invitation.user_id == person.id)
        .order_by(Invitation.id.desc())
        .limit(1)
    )
