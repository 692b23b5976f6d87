"""Help confirmed face to face: the only writer of yui_confirmations.

When the help has happened, one of the two scans the other's member card (printed, or on their
phone), maybe with no signal: the phone keeps the scan as a claim with its own id and sends it
later (POST /api/v1/yui/confirmations). A confirmation gives both people the 結い badge and, for
a request that offered coins, moves them from the helped member to the helper: the hold set
aside when the request was posted is burned, and the helper's badge job mints the same coins.

Exactly once: a claim id seen before answers as it did ("already", a success); a thread already
confirmed, by any claim, answers "already" too. The post's row is locked while a claim is
decided (SQLite's one writer does the same), so two claims at once are decided one after the
other; the unique constraints on the claim id and the thread are the backstop.

A request is closed by its confirmation (`yui.services.close_request`: the help it asked for is
done); an offer stays open, for other neighbours, with one confirmation per thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.core.errors import NotFound
from webapp.ledger import services as ledger
from webapp.ledger.models import LedgerEntry
from webapp.membership.cards import read_card_code
from webapp.membership.services import is_member
from webapp.onchain.jobs import queue_badge, queue_coin_burn, yui_badge_token_id
from webapp.yui.models import PostKind, YuiConfirmation, YuiPost, YuiThread
from webapp.yui.services import close_request, thread_people


class Status:
    CONFIRMED = "confirmed"  # this claim confirmed the help now
    ALREADY = "already"  # confirmed before (by this claim, or another for the same thread)
    REFUSED = "refused"  # not confirmed; `reason` says why
    ALL = (CONFIRMED, ALREADY, REFUSED)


# Reason codes are part of the API: never rename one; add new ones.
REASONS = {
    "no_such_thread": _l("There is no such conversation."),
    "not_a_card": _l("This is not an Enishi member card."),
    "own_card": _l("This is your own member card. Scan the other person's card."),
    "wrong_card": _l(
        "This member card is not the other person's in this conversation. Scan their card."
    ),
    "not_member": _l("Your member card is not valid now, so the help cannot be confirmed."),
    "other_not_member": _l(
        "The other person's member card is not valid now, so the help cannot be confirmed."
    ),
    "post_closed": _l("This post is closed: its help can no longer be confirmed."),
    "id_conflict": _l("This scan's id is already used. Please scan again."),
}
ALREADY_MESSAGE = _l("This help was already confirmed.")
CONFIRMED_MESSAGE = _l("Confirmed. The 結い badge is on its way to you both.")


@dataclass(frozen=True)
class ConfirmationClaim:
    """A scan as the phone sends it: its id (made on the phone, the same on every retry), the
    thread, the scanned member card's text, and when it was scanned."""

    claim_id: str
    thread_id: int
    card: str
    scanned_at: datetime


@dataclass(frozen=True)
class ConfirmationResult:
    claim_id: str
    status: str
    reason: str | None = None
    confirmation_id: int | None = None

    @property
    def message(self) -> str:
        if self.status == Status.CONFIRMED:
            return str(CONFIRMED_MESSAGE)
        if self.status == Status.ALREADY:
            return str(ALREADY_MESSAGE)
        return str(REASONS[self.reason])

    def as_dict(self) -> dict:
        return {
            "claim_id": self.claim_id,
            "status": self.status,
            "reason": self.reason,
            "message": self.message,
        }


def confirm_helps(
    session: Session,
    scanner: User,
    claims: list[ConfirmationClaim],
    *,
    card_key: bytes,
    now: datetime,
) -> list[ConfirmationResult]:
    """A phone's queued scans, each decided in turn (one answer per claim, in order)."""
    return [
        confirm_help(
            session,
            scanner=scanner,
            thread_id=claim.thread_id,
            card_code=claim.card,
            claim_id=claim.claim_id,
            scanned_at=claim.scanned_at,
            card_key=card_key,
            now=now,
        )
        for claim in claims
    ]


def confirm_help(
    session: Session,
    *,
    scanner: User,
    thread_id: int,
    card_code: str,
    claim_id: str,
    scanned_at: datetime,
    card_key: bytes,
    now: datetime,
) -> ConfirmationResult:
    """Confirms that the help of thread `thread_id` happened: `scanner`, one of the thread's
    people, scanned the member card `card_code` of the other side. Both must be members with a
    valid card `now` (when the claim arrives). One transaction: the confirmation, the badge of
    both, the coins moved, the request closed."""
    seen = _by_claim(session, claim_id)
    if seen is not None:
        return _seen_again(seen, claim_id, scanner, thread_id)
    thread = session.get(YuiThread, thread_id)
    if thread is None or scanner.id not in thread_people(thread):
        return _refused(claim_id, "no_such_thread")
    post = _locked_post(session, thread.post_id)
    done = _by_thread(session, thread.id)
    if done is not None:
        return ConfirmationResult(claim_id, Status.ALREADY, confirmation_id=done.id)
    helper, helped = _sides(thread, post)
    refusal = _refusal(session, scanner, thread, post, card_code, card_key, now)
    if refusal is not None:
        return _refused(claim_id, refusal)
    try:
        with session.begin_nested():
            confirmation = _record(
                session, claim_id, thread, post, helper, helped, scanner, scanned_at, now
            )
    except IntegrityError:
        # Another arrival of this scan, or another scan of this thread, a moment ago.
        seen = _by_claim(session, claim_id)
        if seen is not None:
            return _seen_again(seen, claim_id, scanner, thread_id)
        done = _by_thread(session, thread.id)
        if done is None:
            raise
        return ConfirmationResult(claim_id, Status.ALREADY, confirmation_id=done.id)
    return ConfirmationResult(claim_id, Status.CONFIRMED, confirmation_id=confirmation.id)


def _seen_again(
    seen: YuiConfirmation, claim_id: str, scanner: User, thread_id: int
) -> ConfirmationResult:
    if seen.thread_id != thread_id or seen.scanned_by_id != scanner.id:
        return _refused(claim_id, "id_conflict")
    return ConfirmationResult(claim_id, Status.ALREADY, confirmation_id=seen.id)


def _refused(claim_id: str, reason: str) -> ConfirmationResult:
    return ConfirmationResult(claim_id, Status.REFUSED, reason)


def _sides(thread: YuiThread, post: YuiPost) -> tuple[int, int]:
    """(helper, helped): a request's person is helped by the responder; an offer's person helps
    the responder."""
    if post.kind == PostKind.REQUEST:
        return thread.responder_id, post.for_user_id
    return post.for_user_id, thread.responder_id


def _refusal(
    session: Session,
    scanner: User,
    thread: YuiThread,
    post: YuiPost,
    card_code: str,
    card_key: bytes,
    now: datetime,
) -> str | None:
    """Why the scan cannot confirm the help, or None. The scanner stands on the responder's
    side or on the post's (its person, or the organiser who wrote it for them); the card must
    be the other side's."""
    if post.closed_at is not None or post.hidden_at is not None:
        return "post_closed"
    card_holder = read_card_code(card_code, card_key)
    if card_holder is None:
        return "not_a_card"
    if card_holder == scanner.id:
        return "own_card"
    other = post.for_user_id if scanner.id == thread.responder_id else thread.responder_id
    if card_holder != other:
        return "wrong_card"
    mine = thread.responder_id if other == post.for_user_id else post.for_user_id
    if not is_member(session, session.get(User, mine), now):
        return "not_member"
    if not is_member(session, session.get(User, other), now):
        return "other_not_member"
    return None


def _record(
    session: Session,
    claim_id: str,
    thread: YuiThread,
    post: YuiPost,
    helper_id: int,
    helped_id: int,
    scanner: User,
    scanned_at: datetime,
    now: datetime,
) -> YuiConfirmation:
    coins = held_coins(session, post)
    confirmation = YuiConfirmation(
        thread_id=thread.id,
        claim_id=claim_id,
        helper_id=helper_id,
        helped_id=helped_id,
        scanned_by_id=scanner.id,
        coins=coins,
        scanned_at=scanned_at,
        confirmed_at=now,
    )
    session.add(confirmation)
    session.flush()  # the unique claim id and thread: a second arrival stops here
    helper, helped = session.get(User, helper_id), session.get(User, helped_id)
    token_id = yui_badge_token_id(confirmation.id)
    helper_job = queue_badge(
        session, user_id=helper.id, address=helper.address, token_id=token_id, coins=coins
    )
    helped_job = queue_badge(session, user_id=helped.id, address=helped.address, token_id=token_id)
    confirmation.token_id = token_id
    confirmation.helper_job_id = helper_job.id
    confirmation.helped_job_id = helped_job.id
    if coins:
        burn_job = queue_coin_burn(
            session, user_id=helped.id, address=helped.address, amount=coins, token_id=token_id
        )
        confirmation.burn_job_id = burn_job.id
        ledger.burn(session, yui_post_id=post.id, chain_job_id=burn_job.id)
        ledger.credit(
            session, user_id=helper.id, amount=coins, kind="yui", chain_job_id=helper_job.id
        )
    if post.kind == PostKind.REQUEST:
        close_request(post, now)
    session.flush()
    return confirmation


def held_coins(session: Session, post: YuiPost) -> int:
    """The coins a request still holds for its helper: its hold, unless given back (withdrawn,
    hidden) or burned already."""
    if post.kind != PostKind.REQUEST or not post.coins:
        return 0
    # A burned hold has its burn's job: it is no longer held.
    held = select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.yui_post_id == post.id,
        LedgerEntry.kind.in_(("hold", "release")),
        LedgerEntry.chain_job_id.is_(None),
    )
    return max(0, -int(session.scalar(held)))


def _locked_post(session: Session, post_id: int) -> YuiPost:
    """The post, locked and read again: a copy loaded before the lock may be out of date."""
    query = select(YuiPost).where(YuiPost.id == post_id).with_for_update()
    return session.scalar(query.execution_options(populate_existing=True))


def _by_claim(session: Session, claim_id: str) -> YuiConfirmation | None:
    return session.scalar(select(YuiConfirmation).where(YuiConfirmation.claim_id == claim_id))


def _by_thread(session: Session, thread_id: int) -> YuiConfirmation | None:
    return session.scalar(select(YuiConfirmation).where(YuiConfirmation.thread_id == thread_id))


class HelpCounts(NamedTuple):
    """How often a member helped others and was helped: counts, never a price."""

    helped_others: int
    been_helped: int


def helps_count(session: Session, user: User) -> HelpCounts:
    """The member's confirmed help, given and received (one query)."""
    given, received = session.execute(
        select(
            func.count().filter(YuiConfirmation.helper_id == user.id),
            func.count().filter(YuiConfirmation.helped_id == user.id),
        ).where(or_(YuiConfirmation.helper_id == user.id, YuiConfirmation.helped_id == user.id))
    ).one()
    return HelpCounts(int(given), int(received))


def get_thread_confirmation(session: Session, thread_id: int) -> YuiConfirmation | None:
    """The thread's confirmation, if its help was confirmed."""
    return _by_thread(session, thread_id)


@dataclass(frozen=True)
class ConfirmScreen:
    """What the confirmation screen shows `viewer`: the thread, whom they meet (the other side),
    whether the viewer helps or is helped, the coins that will move, and the confirmation once
    made."""

    thread: YuiThread
    post: YuiPost
    other: User
    viewer_helps: bool
    coins: int
    confirmation: YuiConfirmation | None


def get_confirm_screen(session: Session, viewer: User, thread_id: int) -> ConfirmScreen:
    """The screen of thread `thread_id` for one of its people; to anyone else the thread reads
    as none at all (404)."""
    thread = session.get(YuiThread, thread_id)
    if thread is None or viewer.id not in thread_people(thread):
        raise NotFound("no_such_thread", REASONS["no_such_thread"])
    post = thread.post
    helper_id, _helped_id = _sides(thread, post)
    on_responder_side = viewer.id == thread.responder_id
    other_id = post.for_user_id if on_responder_side else thread.responder_id
    confirmation = _by_thread(session, thread.id)
    return ConfirmScreen(
        thread=thread,
        post=post,
        other=session.get(User, other_id),
        viewer_helps=(helper_id == thread.responder_id) == on_responder_side,
        coins=confirmation.coins if confirmation else held_coins(session, post),
        confirmation=confirmation,
    )
