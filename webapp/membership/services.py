"""Membership operations: issue, renew and revoke a membership (and its card on chain), ask
who is a member.

A card gives its rights while it is neither revoked nor past its term (`Membership.is_active_at`).
Revoking ends the rights at once in the app and burns the card on chain through the job queue
(or cancels its mint, if that was never sent). A lapsed card stays on chain: a renewal brings
its rights back. A revoked card can be issued again once its burn is on chain."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, case, select
from sqlalchemy.orm import Session

from webapp.accounts.audit import record_audit
from webapp.accounts.models import User
from webapp.core.db import contains_pattern, utcnow
from webapp.core.errors import DomainError
from webapp.core.i18n import local_zone
from webapp.membership.models import Membership
from webapp.membership.terms import last_day, parse_term, term_end
from webapp.onchain.jobs import queue_card, revoke_card
from webapp.onchain.models import JobStatus

# What the domains above do when a card is taken back, registered by the app (`when_card_revoked`).
CARD_REVOKED = "enishi.card_revoked"

# A card's holder is told that it runs out from this long before its last day.
EXPIRY_NOTICE = timedelta(days=31)


class MemberState(StrEnum):
    """Where a person stands, as the administrators' list shows it."""

    INVITED = "invited"  # invited; has not set up their account yet
    MEMBER = "member"  # holds a card that gives its rights now
    LAPSED = "lapsed"  # the card's term ended and it was not renewed
    REVOKED = "revoked"  # an administrator took the card back
    NONE = "none"  # has an account but was never given a card (a shop's staff, say)
    CLOSED = "closed"  # closed their account


MEMBER_STATE_NAMES = {
    MemberState.INVITED: _l("Invited"),
    MemberState.MEMBER: _l("Member"),
    MemberState.LAPSED: _l("Lapsed"),
    MemberState.REVOKED: _l("Card taken back"),
    MemberState.NONE: _l("No card"),
    MemberState.CLOSED: _l("Account closed"),
}


def member_state(user: User, membership: Membership | None, now: datetime) -> MemberState:
    if user.closed_at is not None:
        return MemberState.CLOSED
    if user.joined_at is None:
        return MemberState.INVITED
    if membership is None:
        return MemberState.NONE
    if membership.revoked_at is not None:
        return MemberState.REVOKED
    if not membership.is_active_at(now):
        return MemberState.LAPSED
    return MemberState.MEMBER


def member_state_column(now: datetime) -> ColumnElement[str]:
    """`member_state` in SQL, for a query over users outer-joined to their memberships: so a
    list of 10,000 people can be filtered and counted by state in the database."""
    return case(
        (User.closed_at.is_not(None), MemberState.CLOSED.value),
        (User.joined_at.is_(None), MemberState.INVITED.value),
        (Membership.id.is_(None), MemberState.NONE.value),
        (Membership.revoked_at.is_not(None), MemberState.REVOKED.value),
        (Membership.term_ends_at <= now, MemberState.LAPSED.value),
        else_=MemberState.MEMBER.value,
    )


class CardState(StrEnum):
    """Where a person's 会員証 stands, in the words its pages use."""

    PENDING = "pending"  # given, and on its way on chain (記録待ち)
    ACTIVE = "active"  # gives its rights, and is on chain (有効)
    LAPSED = "lapsed"  # its term ended and it was not renewed; still on chain
    REVOKING = "revoking"  # taken back; its burn is on its way (取り消し: 反映中)
    REVOKED = "revoked"  # taken back, and burned on chain (or never minted) (取り消し: 記録済み)


@dataclass(frozen=True)
class CardStatus:
    state: CardState
    last_day: date | None  # the term's last day (None: no end)
    valid_until: datetime | None  # the term's last moment (to show its day with `local_date`)
    expiring: bool  # gives its rights, and its last day is within EXPIRY_NOTICE
    issue_job_id: int | None
    revoke_job_id: int | None

    @property
    def may_revoke(self) -> bool:
        return self.state in (CardState.PENDING, CardState.ACTIVE, CardState.LAPSED)

    @property
    def may_renew(self) -> bool:
        """A term to extend (a card that ended, or ends); a revoked card is given again."""
        return self.state == CardState.LAPSED or (self.may_revoke and self.last_day is not None)

    @property
    def may_issue_again(self) -> bool:
        return self.state == CardState.REVOKED


def card_status(membership: Membership, now: datetime) -> CardStatus:
    ends_at = membership.term_ends_at
    last = last_day(ends_at, local_zone()) if ends_at is not None else None
    if membership.revoked_at is not None:
        burn = membership.revoke_job
        done = burn is None or burn.status == JobStatus.CONFIRMED
        state = CardState.REVOKED if done else CardState.REVOKING
    elif not membership.is_active_at(now):
        state = CardState.LAPSED
    elif membership.chain_job is not None and not membership.chain_job.on_chain:
        state = CardState.PENDING
    else:
        state = CardState.ACTIVE
    expiring = (
        state in (CardState.PENDING, CardState.ACTIVE)
        and ends_at is not None
        and ends_at - now <= EXPIRY_NOTICE
    )
    until = ends_at - timedelta(microseconds=1) if ends_at is not None else None
    return CardStatus(
        state, last, until, expiring, membership.chain_job_id, membership.revoke_job_id
    )


def issue_membership(
    session: Session, user: User, now: datetime | None = None, *, actor: User | None = None
) -> Membership:
    """Makes `user` a member (from `now`, when given) for the configured term and queues their
    card on chain; also gives a card again to someone whose card was revoked, once its burn is
    on chain. With an `actor` (an administrator), written to the audit log."""
    now = now or utcnow()
    membership = get_membership(session, user, lock=True)
    if user.closed_at is not None:
        raise DomainError("account_closed", _l("This person closed their account."))
    if actor is not None and user.joined_at is None:
        raise DomainError(
            "not_joined", _l("This person has not set up their account yet: no card for now.")
        )
    if membership is not None and membership.revoked_at is None:
        raise DomainError("already_a_member", _l("This person is already a member."))
    if membership is not None:
        _ensure_burn_recorded(membership)
    ends_at = term_end(_term(), now, local_zone())
    _ensure_term_ahead(ends_at, now)
    job = queue_card(session, user_id=user.id, address=user.address)
    if membership is None:
        membership = Membership(user_id=user.id, first_issued_at=now)
        session.add(membership)
    membership.chain_job_id = job.id
    membership.issued_at = now
    membership.term_ends_at = ends_at
    membership.revoked_at = None
    membership.revoke_job_id = None
    session.flush()
    if actor is not None:
        record_audit(
            session, actor=actor, action="membership.issued", now=now, subject=user,
            detail=_term_detail(membership),
        )  # fmt: skip
    return membership


def renew_membership(session: Session, user: User, *, actor: User, now: datetime) -> Membership:
    """Extends `user`'s term by one more (from its end, or from now if it has lapsed), or gives
    a revoked card again once its burn is on chain. Written to the audit log."""
    membership = get_membership(session, user, lock=True)
    if membership is None:
        raise DomainError("not_a_member", _l("This person holds no member card to renew."))
    if membership.revoked_at is not None:
        return issue_membership(session, user, now, actor=actor)
    term = _term()
    if term.none and membership.term_ends_at is None:
        raise DomainError("no_term", _l("This card has no end date: there is nothing to renew."))
    start = now if membership.term_ends_at is None else max(now, membership.term_ends_at)
    ends_at = term_end(term, start, local_zone())
    _ensure_term_ahead(ends_at, now)
    membership.term_ends_at = ends_at
    session.flush()
    record_audit(
        session, actor=actor, action="membership.renewed", now=now, subject=user,
        detail=_term_detail(membership),
    )  # fmt: skip
    return membership


def revoke_membership(
    session: Session, user: User, *, actor: User, now: datetime, reason: str = ""
) -> Membership:
    """Takes `user`'s card back: its rights end at once (check-ins are refused from now on, also
    those kept offline), and the card is burned on chain (or, if its mint was never sent, the
    mint is cancelled). Written to the audit log with `reason`. What the app registered with
    `when_card_revoked` follows (their seats at events go to those waiting)."""
    membership = get_membership(session, user, lock=True)
    if membership is None or membership.revoked_at is not None:
        raise DomainError("not_a_member", _l("This person holds no member card to take back."))
    membership.revoked_at = now
    burn = revoke_card(
        session, user_id=user.id, address=user.address, issue_job_id=membership.chain_job_id
    )
    membership.revoke_job_id = burn.id if burn is not None else None
    session.flush()
    record_audit(
        session, actor=actor, action="membership.revoked", now=now, subject=user,
        detail=reason.strip(),
    )  # fmt: skip
    for then in current_app.extensions.get(CARD_REVOKED, ()):
        then(session, user, now)
    return membership


def when_card_revoked(app: Flask, then: Callable[[Session, User, datetime], object]) -> None:
    """Has `then(session, user, now)` run in the same transaction whenever a card is taken
    back: a domain above membership acts on it (check-in gives the holder's seats back) without
    membership knowing it."""
    app.extensions.setdefault(CARD_REVOKED, []).append(then)


def _ensure_term_ahead(ends_at: datetime | None, now: datetime) -> None:
    """A card is never given or renewed already lapsed (a fixed term's day gone by): the
    person joining is told to ask the office, and nothing is written."""
    if ends_at is not None and ends_at <= now:
        raise DomainError(
            "term_over",
            _l("The configured term has ended already: set ENISHI_MEMBERSHIP_TERM to a later day."),
        )


def _ensure_burn_recorded(membership: Membership) -> None:
    """A revoked card is given again only once its burn is on chain (or its mint was never
    sent): a mint sent before would be refused, the member holding the old card still."""
    burn = membership.revoke_job
    if burn is not None and burn.status != JobStatus.CONFIRMED:
        raise DomainError(
            "burn_not_recorded",
            _l(
                "The card taken back is not yet recorded as burned on chain: it can be given "
                "again once it is (the chain queue page shows how it goes)."
            ),
        )


def _term():
    return parse_term(current_app.config.get("MEMBERSHIP_TERM", ""))


def _term_detail(membership: Membership) -> str:
    if membership.term_ends_at is None:
        return ""
    return f"until {last_day(membership.term_ends_at, local_zone()).isoformat()}"


def get_membership(session: Session, user: User, *, lock: bool = False) -> Membership | None:
    query = select(Membership).where(Membership.user_id == user.id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalar(query)


def search_members(session: Session, text: str, limit: int = 20) -> list[User]:
    """Members whose name contains `text` (or whose e-mail address is `text`), by name."""
    text = text.strip()
    if not text:
        return []
    pattern = contains_pattern(text)
    now = utcnow()
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(User.display_name.ilike(pattern, escape="\\") | (User.email == text.lower()))
        .where(member_state_column(now) == MemberState.MEMBER.value)
        .order_by(User.display_name)
        .limit(limit)
    )
    return list(session.scalars(query))


def is_member(session: Session, user: User, now: datetime | None = None) -> bool:
    """Whether `user` holds a card that gives its rights at `now`: not revoked, not lapsed."""
    membership = get_membership(session, user)
    return (
        user.closed_at is None
        and membership is not None
        and membership.is_active_at(now or utcnow())
    )
