"""Membership operations: issue a membership (and its card on chain), ask who is a member."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.core.errors import DomainError
from webapp.membership.models import Membership
from webapp.onchain.jobs import queue_card


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
