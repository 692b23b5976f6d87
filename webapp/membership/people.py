"""The administrators' list of everyone (`/admin/members`): each person with their role, where
they stand (`MemberState`), cohort, when they joined and when they were last seen; filtered,
searched and read a page at a time, so that 10,000 people stay quick.

The page is one query over users outer-joined to their memberships (the state is computed in
SQL by `member_state_column`), ordered by name (closed accounts, which have none, last) and cut
with LIMIT/OFFSET; the total
is a count of the same filtered query; "last seen" is looked up for the page's people only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from webapp.accounts.models import DeviceSession, Role, User
from webapp.core.db import contains_pattern
from webapp.core.paging import clamp_page, page_numbers
from webapp.membership.models import Membership
from webapp.membership.services import MemberState, member_state_column

PAGE_SIZE = 50


@dataclass(frozen=True)
class PeopleFilter:
    """What the administrator asked for; an empty field filters nothing."""

    text: str = ""  # part of a name, or part of an e-mail address
    state: str = ""  # a MemberState value
    role: str = ""  # a Role value
    cohort: str = ""

    @classmethod
    def from_args(cls, args) -> PeopleFilter:
        state = args.get("state", "")
        role = args.get("role", "")
        return cls(
            text=args.get("q", "").strip()[:100],
            state=state if state in set(MemberState) else "",
            role=role if role in set(Role) else "",
            cohort=args.get("cohort", "").strip()[:50],
        )

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.state or self.role or self.cohort)


@dataclass(frozen=True)
class PersonRow:
    id: int
    name: str
    email: str | None
    role: str
    state: MemberState
    cohort: str | None
    joined_at: datetime | None
    last_seen_at: datetime | None


@dataclass(frozen=True)
class PeoplePage:
    rows: list[PersonRow]
    total: int  # people that match the filter, on every page
    page: int  # from 1
    pages: int  # at least 1

    @property
    def first_number(self) -> int:
        """The position of the page's first row among all that match (from 1)."""
        return (self.page - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last_number(self) -> int:
        return self.first_number + len(self.rows) - 1 if self.rows else 0

    @property
    def numbers(self) -> list[int | None]:
        return page_numbers(self.page, self.pages)


def list_people(session: Session, wanted: PeopleFilter, now: datetime, page: int = 1) -> PeoplePage:
    state = member_state_column(now).label("state")
    query = _filtered(
        select(
            User.id,
            User.display_name,
            User.email,
            User.role,
            state,
            User.cohort,
            User.joined_at,
        ).outerjoin(Membership, Membership.user_id == User.id),
        wanted,
        now,
    )
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page, pages = clamp_page(page, total, PAGE_SIZE)
    found = session.execute(
        query.order_by(User.closed_at.is_not(None), User.display_name, User.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    seen = last_seen(session, [row.id for row in found])
    rows = [
        PersonRow(
            id=row.id,
            name=row.display_name,
            email=row.email,
            role=row.role,
            state=MemberState(row.state),
            cohort=row.cohort,
            joined_at=row.joined_at,
            last_seen_at=seen.get(row.id),
        )
        for row in found
    ]
    return PeoplePage(rows=rows, total=total, page=page, pages=pages)


def _filtered(query: Select, wanted: PeopleFilter, now: datetime) -> Select:
    if wanted.text:
        pattern = contains_pattern(wanted.text)
        query = query.where(
            User.display_name.ilike(pattern, escape="\\") | User.email.ilike(pattern, escape="\\")
        )
    if wanted.state:
        query = query.where(member_state_column(now) == wanted.state)
    if wanted.role:
        query = query.where(User.role == wanted.role)
    if wanted.cohort:
        query = query.where(User.cohort == wanted.cohort)
    return query


def last_seen(session: Session, user_ids: list[int]) -> dict[int, datetime]:
    """When each person's latest device session was last used (those never logged in are left
    out)."""
    if not user_ids:
        return {}
    query = (
        select(DeviceSession.user_id, func.max(DeviceSession.last_seen_at))
        .where(DeviceSession.user_id.in_(user_ids))
        .group_by(DeviceSession.user_id)
    )
    return {user_id: at for user_id, at in session.execute(query)}


def list_cohorts(session: Session) -> list[str]:
    """The cohorts people belong to, in order, for the filter's choices."""
    query = select(User.cohort).where(User.cohort.is_not(None)).distinct().order_by(User.cohort)
    return list(session.scalars(query))
