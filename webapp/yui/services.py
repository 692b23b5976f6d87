"""The 結い board's posts, threads and messages: this module is the only writer of yui_posts,
yui_threads, yui_messages and yui_reports. A request's offered coins are held on the ledger
while it is open, so that its helper is sure to be paid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.accounts.audit import record_audit
from webapp.accounts.models import User
from webapp.core.db import MAX_INTEGER
from webapp.core.errors import DomainError, Forbidden, NotFound
from webapp.ledger import services as ledger
from webapp.membership.cards import read_card_code
from webapp.membership.services import is_member
from webapp.yui.choices import AREAS, CATEGORIES
from webapp.yui.models import PostKind, YuiMessage, YuiPost, YuiReport, YuiThread

TITLE_MAX = 80
BODY_MAX = 1000
WHEN_MAX = 80
MESSAGE_MAX = 500
COINS_MAX = 10_000
REASON_MAX = 500


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
    if draft.coins and author.id != for_user.id:
        # An organiser does not set a member's coins aside on their own word.
        raise Forbidden(
            "coins_for_other", _l("A post written for another member cannot offer coins.")
        )
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
    thread = find_thread(session, post, responder)
    if thread is not None:
        return thread
    try:
        with session.begin_nested():
            thread = YuiThread(post_id=post.id, responder_id=responder.id, created_at=now)
            session.add(thread)
            session.flush()
    except IntegrityError:  # opened by the same member's other tap a moment ago
        thread = find_thread(session, post, responder)
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
    if thread.post.hidden_at is not None:
        raise DomainError("post_hidden", _l("This post was hidden: the conversation is closed."))
    if not is_member(session, speaks_for(thread, sender), now):
        raise Forbidden("not_member", _l("Only members with a valid card can write here."))
    message = YuiMessage(thread_id=thread.id, sender_id=sender.id, body=body, created_at=now)
    session.add(message)
    session.flush()
    return message


def speaks_for(thread: YuiThread, sender: User) -> User:
    """Whose words a message is: the organiser who wrote the post for its person writes in
    their name; anyone else in their own."""
    post = thread.post
    if post.on_behalf and sender.id == post.author_id:
        return post.for_user
    return sender


def is_posts_person(post: YuiPost, user: User) -> bool:
    """Whether `user` may act for the post: its person, or the organiser who wrote it for them."""
    return user.id in (post.for_user_id, post.author_id)


def get_visible_post(session: Session, post_id: int, viewer: User) -> YuiPost:
    """The post as `viewer` may see it: a hidden post is there only for its person (and the
    organiser who wrote it), who are told why, and for administrators."""
    post = get_post(session, post_id)
    if post.hidden_at is not None and not (is_posts_person(post, viewer) or viewer.is_admin):
        raise NotFound("no_such_post", _l("There is no such post."))
    return post


def find_member_to_post_for(
    session: Session, *, card: str | None, member_id: int | None, key: bytes, now: datetime
) -> User:
    """The member an organiser posts for, found by their card's QR code or by name: only a
    member whose card is valid."""
    if card:
        member_id = read_card_code(card, key)
        refusal = NotFound("not_a_card", _l("This is not an Enishi member card."))
    else:
        refusal = NotFound("no_such_member", _l("There is no such member."))
    storable = member_id is not None and 1 <= member_id <= MAX_INTEGER
    person = session.get(User, member_id) if storable else None
    if person is None:
        raise refusal
    if not is_member(session, person, now):
        raise DomainError(
            "not_member",
            _l("%(name)s's membership card is not valid.", name=person.display_name),
        )
    return person


# Closing, reporting, hiding -------------------------------------------------------------------


def _lock(session: Session, post: YuiPost) -> YuiPost:
    """Locks the post's row and reads it again: a withdrawal, a hiding and a confirmation of the
    same post wait for each other, so that its coins are given back or paid once."""
    return session.scalars(
        select(YuiPost)
        .where(YuiPost.id == post.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _give_coins_back(session: Session, post: YuiPost) -> None:
    """Releases what an open request holds (called while it is still open)."""
    if post.coins and post.closed_at is None:
        ledger.release(session, user_id=post.for_user_id, amount=post.coins, yui_post_id=post.id)


def withdraw_post(session: Session, post: YuiPost, user: User, now: datetime) -> YuiPost:
    """Its person (or the organiser who wrote it for them) takes the post down: it is over, and
    the coins it held are theirs to spend again."""
    if not is_posts_person(post, user):
        raise Forbidden("not_yours", _l("Only the post's own person can withdraw it."))
    post = _lock(session, post)
    if post.closed_at is not None:
        raise DomainError("post_closed", _l("This post is already over."))
    _give_coins_back(session, post)
    post.closed_at = now
    session.flush()
    return post


def close_request(post: YuiPost, now: datetime) -> None:
    """A request's help is confirmed (yui.confirmations, under the post's lock, in the
    confirmation's transaction): the post takes no more answers; its coins went to the helper."""
    post.closed_at = now


def withdraw_posts_of(session: Session, user: User, now: datetime) -> int:
    """Takes down the open posts for a person who closes their account, giving their held coins
    back (their ledger stays, as every closed account's does); how many."""
    query = select(YuiPost).where(YuiPost.for_user_id == user.id, YuiPost.closed_at.is_(None))
    posts = list(session.scalars(query))
    for post in posts:
        post = _lock(session, post)
        if post.closed_at is None:
            _give_coins_back(session, post)
            post.closed_at = now
    session.flush()
    return len(posts)


def report_post(
    session: Session, post: YuiPost, reporter: User, reason: str, now: datetime
) -> YuiReport:
    """A member tells the administrators something is wrong with a post: once per member."""
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX:
        raise DomainError("bad_reason", _l("Say what is wrong in at most 500 characters."))
    if is_posts_person(post, reporter):
        raise DomainError("own_post", _l("This is your own post."))
    if post.hidden_at is not None:
        raise DomainError("post_hidden", _l("This post is already hidden."))
    reported = session.scalar(
        select(YuiReport.id).where(
            YuiReport.post_id == post.id, YuiReport.reporter_id == reporter.id
        )
    )
    if reported is not None:
        raise DomainError("already_reported", _l("You have reported this post already. Thank you."))
    try:
        with session.begin_nested():
            report = YuiReport(
                post_id=post.id, reporter_id=reporter.id, reason=reason, created_at=now
            )
            session.add(report)
            session.flush()
    except IntegrityError:  # the same member's other tap a moment ago
        raise DomainError(
            "already_reported", _l("You have reported this post already. Thank you.")
        ) from None
    return report


def hide_post(session: Session, post: YuiPost, admin: User, reason: str, now: datetime) -> YuiPost:
    """An administrator takes a post off the board, saying why: its person reads the reason
    on the post and in their list; the coins an open request held come back; its reports are
    done with; the audit log keeps it."""
    if not admin.is_admin:
        raise Forbidden("not_an_admin", _l("Only administrators can hide a post."))
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX:
        raise DomainError(
            "bad_reason", _l("Say why in at most 500 characters: the post's person reads it.")
        )
    post = _lock(session, post)
    if post.hidden_at is not None:
        raise DomainError("already_hidden", _l("This post is already hidden."))
    _give_coins_back(session, post)
    post.closed_at = post.closed_at or now
    post.hidden_at, post.hidden_reason, post.hidden_by_id = now, reason, admin.id
    _resolve_reports(session, post, now)
    record_audit(
        session, actor=admin, action="yui.hidden", now=now, subject=post.for_user,
        detail=f"#{post.id} {post.title}: {reason}",
    )  # fmt: skip
    session.flush()
    return post


def keep_post(session: Session, post: YuiPost, admin: User, now: datetime) -> None:
    """An administrator looked at a reported post and leaves it up: its reports are done with."""
    if not admin.is_admin:
        raise Forbidden("not_an_admin", _l("Only administrators can do this."))
    _resolve_reports(session, post, now)


def _resolve_reports(session: Session, post: YuiPost, now: datetime) -> None:
    session.execute(
        update(YuiReport)
        .where(YuiReport.post_id == post.id, YuiReport.resolved_at.is_(None))
        .values(resolved_at=now)
    )
    session.flush()


# Threads --------------------------------------------------------------------------------------


def find_thread(session: Session, post: YuiPost, responder: User) -> YuiThread | None:
    """The responder's thread on the post, if they have answered it."""
    return session.scalar(
        select(YuiThread).where(
            YuiThread.post_id == post.id, YuiThread.responder_id == responder.id
        )
    )


def answer_post(
    session: Session, post: YuiPost, responder: User, body: str, now: datetime
) -> YuiThread:
    """話しかける: the responder's thread on the post (opened the first time) and their
    message in it; nothing is kept if the message is refused."""
    thread = open_thread(session, post, responder, now)
    post_message(session, thread, responder, body, now)
    return thread


def get_thread(session: Session, thread_id: int, reader: User) -> YuiThread:
    """The thread, for one of its people only: to anyone else it does not exist."""
    thread = session.get(YuiThread, thread_id)
    if thread is None or reader.id not in thread_people(thread):
        raise NotFound("no_such_thread", _l("There is no such conversation."))
    return thread
