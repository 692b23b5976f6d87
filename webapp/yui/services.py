"""The 結い board's posts, threads and messages: this module is the only writer of yui_posts,
yui_threads, yui_messages and yui_reports. A request's offered coins are held on the ledger
while it is open, so that its helper is sure to be paid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.core.errors import DomainError, Forbidden, NotFound
from webapp.ledger import services as ledger
from webapp.membership.services import is_member
from webapp.yui.choices import AREAS, CATEGORIES
from webapp.yui.models import PostKind, YuiMessage, YuiPost, YuiThread

TITLE_MAX = 80
BODY_MAX = 1000
WHEN_MAX = 80
MESSAGE_MAX = 500
COINS_MAX = 10_000


@dataclass(frozen=True)
class PostDraft:
    kind: str
    category: str
    area: str
    title: str
    body: str = ""
    when_text: str = ""
    coins: int = 0


def create_post(
    session: Session, draft: PostDraft, *, author: User, for_user: User, now: datetime
) -> YuiPost:
    """Publishes a post for `for_user`, written by `author` (the same person, or an organiser
    writing for a member without a phone); holds the coins a request offers."""
    _check_draft(draft)
    if not is_member(session, for_user, now):
        raise Forbidden("not_member", _l("Only members with a valid card can post on the board."))
    if author.id != for_user.id and not author.is_organiser:
        raise Forbidden("not_organiser", _l("Only an organiser can post for another member."))
    if draft.coins:
        # Locks the member's row: two posts at once cannot hold the same coins twice.
        session.execute(
            select(User.id).where(User.id == for_user.id).with_for_update(key_share=True)
        )
        if ledger.get_balance(session, for_user).total < draft.coins:
            raise DomainError("cannot_afford", _l("There are not enough coins for this offer."))
    post = YuiPost(
        kind=draft.kind,
        category=draft.category,
        area=draft.area,
        title=draft.title.strip(),
        body=draft.body.strip(),
        when_text=draft.when_text.strip(),
        coins=draft.coins,
        for_user_id=for_user.id,
        author_id=author.id,
        created_at=now,
    )
    session.add(post)
    session.flush()
    if draft.coins:
        ledger.hold(session, user_id=for_user.id, amount=draft.coins, yui_post_id=post.id)
    return post


def _check_draft(draft: PostDraft) -> None:
    if draft.kind not in (PostKind.REQUEST, PostKind.OFFER):
        raise DomainError("bad_kind", _l("Choose 困りごと or できること."))
    if draft.category not in CATEGORIES:
        raise DomainError("bad_category", _l("Choose what the post is about."))
    if draft.area not in AREAS:
        raise DomainError("bad_area", _l("Choose an area."))
    if not draft.title.strip() or len(draft.title.strip()) > TITLE_MAX:
        raise DomainError("bad_title", _l("Give the post a title of at most 80 characters."))
    if len(draft.body.strip()) > BODY_MAX:
        raise DomainError("bad_body", _l("Write at most 1,000 characters."))
    if len(draft.when_text.strip()) > WHEN_MAX:
        raise DomainError("bad_when", _l("Say when in at most 80 characters."))
    if not 0 <= draft.coins <= COINS_MAX:
        raise DomainError("bad_coins", _l("Offer between 0 and 10,000 coins."))
    if draft.coins and draft.kind != PostKind.REQUEST:
        raise DomainError("coins_on_offer", _l("Only a request for help can offer coins."))


def get_post(session: Session, post_id: int) -> YuiPost:
    post = session.get(YuiPost, post_id)
    if post is None:
        raise NotFound("no_such_post", _l("There is no such post."))
    return post


def open_thread(session: Session, post: YuiPost, responder: User, now: datetime) -> YuiThread:
    """The responder's thread on the post: opened once, found again after."""
    if post.for_user_id == responder.id or post.author_id == responder.id:
        raise DomainError("own_post", _l("This is your own post."))
    if post.closed_at is not None or post.hidden_at is not None:
        raise DomainError("post_closed", _l("This post no longer takes answers."))
    if not is_member(session, responder, now):
        raise Forbidden("not_member", _l("Only members with a valid card can answer a post."))
    thread = session.scalar(
        select(YuiThread).where(
            YuiThread.post_id == post.id, YuiThread.responder_id == responder.id
        )
    )
    if thread is None:
        thread = YuiThread(post_id=post.id, responder_id=responder.id, created_at=now)
        session.add(thread)
        session.flush()
    return thread


def thread_people(thread: YuiThread) -> set[int]:
    """Who may read and write in the thread: the responder, the post's person, and the organiser
    who wrote the post for them."""
    post = thread.post
    return {thread.responder_id, post.for_user_id, post.author_id}


def post_message(
    session: Session, thread: YuiThread, sender: User, body: str, now: datetime
) -> YuiMessage:
    if sender.id not in thread_people(thread):
        raise NotFound("no_such_thread", _l("There is no such conversation."))
    body = body.strip()
    if not body or len(body) > MESSAGE_MAX:
        raise DomainError("bad_message", _l("Write a message of at most 500 characters."))
    message = YuiMessage(thread_id=thread.id, sender_id=sender.id, body=body, created_at=now)
    session.add(message)
    session.flush()
    return message
