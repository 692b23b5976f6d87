"""What the 結い board shows: its posts a page at a time, a member's own posts and
conversations, a thread's messages, and the reported and hidden posts for administrators.
Reads only: `yui.services` writes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, joinedload

from webapp.accounts.models import User
from webapp.core.db import utcnow
from webapp.core.paging import clamp_page, page_numbers
from webapp.membership.models import Membership
from webapp.yui.choices import AREAS, CATEGORIES
from webapp.yui.models import PostKind, YuiMessage, YuiPost, YuiReport, YuiThread

PAGE_SIZE = 20


@dataclass(frozen=True)
class BoardFilters:
    """What the board is narrowed by: a kind, a category, an area; empty: all. Unknown values
    (an old link, a typed address) are dropped rather than refused."""

    kind: str = ""
    category: str = ""
    area: str = ""
    closed: bool = False  # the posts that are over (done or withdrawn), listed apart

    @classmethod
    def of(cls, kind: str = "", category: str = "", area: str = "", closed: bool = False):
        return cls(
            kind if kind in (PostKind.REQUEST, PostKind.OFFER) else "",
            category if category in CATEGORIES else "",
            area if area in AREAS else "",
            closed,
        )

    @property
    def any(self) -> bool:
        return bool(self.kind or self.category or self.area)


@dataclass(frozen=True)
class Board:
    posts: list[YuiPost]
    total: int
    page: int
    pages: int
    numbers: list[int | None]


def list_posts(
    session: Session, filters: BoardFilters, page: int = 1, size: int = PAGE_SIZE
) -> Board:
    """One page of the board, newest first: the open posts, or (`filters.closed`) those that are
    over. A hidden post is never listed, nor an open one whose person's card has run out (no
    one could confirm a help with them until they renew it)."""
    conditions = [YuiPost.hidden_at.is_(None)]
    if filters.closed:
        conditions.append(YuiPost.closed_at.is_not(None))
    else:
        now = utcnow()
        holds_a_card = exists().where(
            Membership.user_id == YuiPost.for_user_id,
            Membership.revoked_at.is_(None),
            Membership.term_ends_at.is_(None) | (Membership.term_ends_at > now),
        )
        conditions += [YuiPost.closed_at.is_(None), holds_a_card]
    if filters.kind:
        conditions.append(YuiPost.kind == filters.kind)
    if filters.category:
        conditions.append(YuiPost.category == filters.category)
    if filters.area:
        conditions.append(YuiPost.area == filters.area)
    total = session.scalar(select(func.count(YuiPost.id)).where(*conditions)) or 0
    page, pages = clamp_page(page, total, size)
    posts = session.scalars(
        select(YuiPost)
        .options(joinedload(YuiPost.for_user), joinedload(YuiPost.author))
        .where(*conditions)
        .order_by(YuiPost.created_at.desc(), YuiPost.id.desc())
        .limit(size)
        .offset((page - 1) * size)
    ).all()
    return Board(list(posts), total, page, pages, page_numbers(page, pages))


def list_my_posts(session: Session, user: User, limit: int = 50) -> list[YuiPost]:
    """The posts `user` is the person of, or wrote for someone, newest first: open, over and
    hidden alike (a hidden one says why)."""
    return list(
        session.scalars(
            select(YuiPost)
            .options(joinedload(YuiPost.for_user), joinedload(YuiPost.author))
            .where(or_(YuiPost.for_user_id == user.id, YuiPost.author_id == user.id))
            .order_by(YuiPost.created_at.desc(), YuiPost.id.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class ReportedPost:
    post: YuiPost
    reports: list[YuiReport]


def list_reported_posts(session: Session) -> list[ReportedPost]:
    """The posts with reports nobody has dealt with, the most recently reported first."""
    reports = session.scalars(
        select(YuiReport)
        .options(joinedload(YuiReport.post), joinedload(YuiReport.reporter))
        .where(YuiReport.resolved_at.is_(None))
        .order_by(YuiReport.created_at.desc(), YuiReport.id.desc())
    ).all()
    by_post: dict[int, ReportedPost] = {}
    for report in reports:
        by_post.setdefault(report.post_id, ReportedPost(report.post, [])).reports.append(report)
    return list(by_post.values())


def list_hidden_posts(session: Session, limit: int = 100) -> list[YuiPost]:
    """The hidden posts, the most recently hidden first."""
    return list(
        session.scalars(
            select(YuiPost)
            .where(YuiPost.hidden_at.is_not(None))
            .order_by(YuiPost.hidden_at.desc(), YuiPost.id.desc())
            .limit(limit)
        )
    )


def list_messages(session: Session, thread: YuiThread) -> list[YuiMessage]:
    return list(
        session.scalars(
            select(YuiMessage)
            .options(joinedload(YuiMessage.sender))
            .where(YuiMessage.thread_id == thread.id)
            .order_by(YuiMessage.created_at, YuiMessage.id)
        )
    )


def list_post_threads(session: Session, post: YuiPost) -> list[YuiThread]:
    """The threads of those who answered the post, the first answer first."""
    return list(
        session.scalars(
            select(YuiThread)
            .options(joinedload(YuiThread.responder))
            .where(YuiThread.post_id == post.id)
            .order_by(YuiThread.created_at, YuiThread.id)
        )
    )


@dataclass(frozen=True)
class ThreadSummary:
    thread: YuiThread
    post: YuiPost
    other: User  # whom the reader talks with
    last: YuiMessage | None


def list_my_threads(session: Session, user: User) -> list[ThreadSummary]:
    """The reader's conversations, the most recent first: as the one who answered, as the post's
    person, or as the organiser who wrote the post for them; each with its last message."""
    last_id = (
        select(YuiMessage.thread_id, func.max(YuiMessage.id).label("message_id"))
        .group_by(YuiMessage.thread_id)
        .subquery()
    )
    rows = session.execute(
        select(YuiThread, YuiMessage)
        .join(YuiPost, YuiPost.id == YuiThread.post_id)
        .outerjoin(last_id, last_id.c.thread_id == YuiThread.id)
        .outerjoin(YuiMessage, YuiMessage.id == last_id.c.message_id)
        .options(joinedload(YuiThread.post), joinedload(YuiThread.responder))
        .where(
            or_(
                YuiThread.responder_id == user.id,
                YuiPost.for_user_id == user.id,
                YuiPost.author_id == user.id,
            )
        )
        .order_by(
            func.coalesce(YuiMessage.created_at, YuiThread.created_at).desc(),
            YuiThread.id.desc(),
        )
    ).all()
    return [
        ThreadSummary(
            thread,
            thread.post,
            thread.post.for_user if thread.responder_id == user.id else thread.responder,
            last,
        )
        for thread, last in rows
    ]
