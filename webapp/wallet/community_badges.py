"""The badges a member was given outside events, as the wallet shows them: a 結い's (help
confirmed face to face, given to both people) and a month's thanks (paid by the month's pool),
each with its artwork and its record's state in plain words; and the coins they moved, for the
history. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.core.i18n import local_date, local_zone
from webapp.onchain.jobs import THANKS_BADGE_BASE, YUI_BADGE_BASE
from webapp.onchain.models import ChainJob, JobKind
from webapp.yui.choices import CATEGORIES
from webapp.yui.models import YuiConfirmation, YuiPost, YuiThread

THANKS_BADGE_END = THANKS_BADGE_BASE + 10**6  # yyyymm fits below


@dataclass(frozen=True)
class CommunityBadgeItem:
    """A 結い's or a month's thanks badge: its tile opens its record's page."""

    kind: str  # "yui" | "thanks"
    token_id: int
    title: str  # 「結い（雪かき）」, 「ありがとう 2026年11月」
    detail: str  # when, in words
    given_at: datetime
    job: ChainJob  # the member's badge job (with the coins, for the helper and the pool)


@dataclass(frozen=True)
class CommunityCoins:
    """Coins a community badge moved for the member: received (+) or paid (−)."""

    when: datetime
    title: str
    place: str
    amount: int
    job: ChainJob


def yui_title(category: str) -> str:
    return _("結い: %(category)s", category=CATEGORIES.get(category, CATEGORIES["other"]))


def thanks_title(token_id: int) -> str:
    year, month = divmod(token_id - THANKS_BADGE_BASE, 100)
    first = datetime(year, month, 1, 12, tzinfo=local_zone())
    return _("Thanks of %(month)s", month=local_date(first, "yMMM"))


def list_community_badges(session: Session, user: User) -> list[CommunityBadgeItem]:
    """The member's 結い and thanks badges, the newest first (two queries)."""
    return sorted(
        _yui_badges(session, user) + _thanks_badges(session, user),
        key=lambda item: (item.given_at, item.token_id),
        reverse=True,
    )


def list_community_coins(session: Session, user: User) -> list[CommunityCoins]:
    """The coins the member's 結い and thanks badges moved: a helper's and the pool's received,
    a helped member's paid (its burn's record)."""
    coins = []
    for confirmation, category, title in _yui_rows(session, user):
        if not confirmation.coins:
            continue
        helper = confirmation.helper_id == user.id
        job_id = confirmation.helper_job_id if helper else confirmation.burn_job_id
        job = session.get(ChainJob, job_id)
        amount = confirmation.coins if helper else -confirmation.coins
        coins.append(CommunityCoins(confirmation.confirmed_at, title, yui_title(category),
                                    amount, job))  # fmt: skip
    for badge in _thanks_badges(session, user):
        if badge.job.amount:
            coins.append(CommunityCoins(badge.given_at, badge.title, "", badge.job.amount,
                                        badge.job))  # fmt: skip
    return coins


def community_badge_title(session: Session, token_id: int | None) -> str | None:
    """The name of the community badge `token_id` (a record's page says what it proves)."""
    if token_id is None or token_id < YUI_BADGE_BASE:
        return None
    if token_id >= THANKS_BADGE_BASE:
        return thanks_title(token_id)
    category = session.scalar(
        select(YuiPost.category)
        .join(YuiThread, YuiThread.post_id == YuiPost.id)
        .join(YuiConfirmation, YuiConfirmation.thread_id == YuiThread.id)
        .where(YuiConfirmation.token_id == token_id)
    )
    return yui_title(category) if category else None


def _yui_rows(session: Session, user: User):
    return session.execute(
        select(YuiConfirmation, YuiPost.category, YuiPost.title)
        .join(YuiThread, YuiConfirmation.thread_id == YuiThread.id)
        .join(YuiPost, YuiThread.post_id == YuiPost.id)
        .where(or_(YuiConfirmation.helper_id == user.id, YuiConfirmation.helped_id == user.id))
    ).all()


def _yui_badges(session: Session, user: User) -> list[CommunityBadgeItem]:
    items = []
    for confirmation, category, _title in _yui_rows(session, user):
        helper = confirmation.helper_id == user.id
        job_id = confirmation.helper_job_id if helper else confirmation.helped_job_id
        job = session.get(ChainJob, job_id)
        detail = _("Helped") if helper else _("Was helped")
        detail = f"{local_date(confirmation.scanned_at, 'yMMM')} · {detail}"
        items.append(CommunityBadgeItem("yui", confirmation.token_id, yui_title(category),
                                        detail, confirmation.confirmed_at, job))  # fmt: skip
    return items


def _thanks_badges(session: Session, user: User) -> list[CommunityBadgeItem]:
    jobs = session.scalars(
        select(ChainJob).where(
            ChainJob.user_id == user.id,
            ChainJob.kind == JobKind.BADGE,
            ChainJob.token_id >= THANKS_BADGE_BASE,
            ChainJob.token_id < THANKS_BADGE_END,
        )
    )
    received = _("Thanks received")
    return [
        CommunityBadgeItem(
            "thanks", job.token_id, thanks_title(job.token_id), received, job.created_at, job
        )
        for job in jobs
    ]
