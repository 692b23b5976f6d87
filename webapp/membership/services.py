"""Membership operations: issue a membership (and its card on chain), ask who is a member."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, case, select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.core.errors import DomainError
from webapp.membership.models import Membership
from webapp.onchain.jobs import queue_card


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


def issue_membership(session: Session, user: User, now: datetime | None = None) -> Membership:
    """Makes `user` a member (from `now`, when given) and queues their card on chain."""
    if get_membership(session, user) is not None:
        raise DomainError("already_a_member", _l("This person is already a member."))
    job = queue_card(session, user_id=user.id, address=user.address)
    membership = Membership(user_id=user.id, chain_job_id=job.id)
    if now is not None:
        membership.issued_at = now
    session.add(membership)
    session.flush()
    return membership


def get_membership(session: Session, user: User) -> Membership | None:
    return session.scalar(select(Membership).where(Membership.user_id == user.id))


def search_members(session: Session, text: str, limit: int = 20) -> list[User]:
    """Members whose name contains `text` (or whose e-mail address is `text`), by name."""
    text = text.strip()
    if not text:
        return []
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(User.display_name.ilike(pattern, escape="\\") | (User.email == text.lower()))
        .order_by(User.display_name)
        .limit(limit)
    )
    return [user for user in session.scalars(query) if is_member(session, user)]


def is_member(session: Session, user: User) -> bool:
    membership = get_membership(session, user)
    return membership is not None and membership.is_active
