"""Redemptions: a member turns tokens into a perk with a ticket that the shop confirms once.

A ticket holds the perk's price at once (a ledger debit); the shop's confirmation burns it on
chain through the job queue; cancelling or letting the ticket expire releases it. The member's
row and the perk's row are locked while a ticket is made, so two phones at the same moment can
neither overspend the balance nor oversell the stock or the limit per member.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.core.errors import DomainError
from webapp.core.i18n import current_language
from webapp.core.keys import derived_key
from webapp.ledger import services as ledger
from webapp.onchain.jobs import queue_burn
from webapp.perks.models import CodeAttempt, Partner, Perk, Redemption, RedemptionStatus
from webapp.perks.services import is_available, taken, taken_by

TICKET_PREFIX = "ENISHI-T1-"
# Failed code lookups allowed in ATTEMPT_WINDOW, per staff account and per shop: a 6-digit code
# among a few live tickets cannot be found by trying.
ATTEMPT_WINDOW = timedelta(minutes=10)
MAX_FAILED_PER_STAFF = 5
MAX_FAILED_PER_SHOP = 20


class TooManyAttempts(DomainError):
    status = 429


def start_redemption(
    session: Session, member: User, perk: Perk, now: datetime, lifetime: timedelta
) -> Redemption:
    """Makes a ticket for `perk`, valid for `lifetime` (the TICKET_MINUTES setting), and holds
    its price, if every rule allows it."""
    # FOR NO KEY UPDATE (key_share): rows that merely refer to these (a ledger entry, say) may
    # still be written by others, so two members' requests cannot deadlock on PostgreSQL.
    session.execute(select(User.id).where(User.id == member.id).with_for_update(key_share=True))
    session.execute(select(Perk.id).where(Perk.id == perk.id).with_for_update(key_share=True))
    session.refresh(perk)
    # Late tickets give back their stock and tokens first: this perk's and this member's only
    # (the rest is the worker's sweep).
    expire_redemptions(session, now, perk=perk, member=member)
    if not is_available(perk, now):
        raise DomainError("not_available", _l("This perk cannot be used now."))
    if perk.stock is not None and taken(session, perk) >= perk.stock:
        raise DomainError("sold_out", _l("This perk is sold out."))
    if (
        perk.limit_per_member is not None
        and taken_by(session, perk, member) >= perk.limit_per_member
    ):
        raise DomainError("limit_reached", _l("You have used this perk as often as allowed."))
    if ledger.get_balance(session, member).total < perk.price:
        raise DomainError("cannot_afford", _l("You do not have enough coins for this perk."))
    redemption = Redemption(
        perk_id=perk.id,
        user_id=member.id,
        price=perk.price,
        status=RedemptionStatus.HELD,
        created_at=now,
        expires_at=now + lifetime,
    )
    _insert_with_a_free_code(session, redemption)
    ledger.hold(session, user_id=member.id, amount=perk.price, redemption_id=redemption.id)
    return redemption


def get_member_ticket(session: Session, member: User, redemption_id: int) -> Redemption:
    """`member`'s own ticket; anyone else's reads as no ticket at all (404), so that its
    existence is not told."""
    redemption = session.get(Redemption, redemption_id)
    if redemption is None or redemption.user_id != member.id:
        raise DomainError("no_such_ticket", _l("There is no such ticket."), status=404)
    return redemption


def cancel_redemption(session: Session, member: User, redemption_id: int, now: datetime) -> None:
    redemption = _locked(session, redemption_id)
    if redemption is None or redemption.user_id != member.id:
        raise DomainError("no_such_ticket", _l("There is no such ticket."), status=404)
    if redemption.status == RedemptionStatus.HELD and redemption.expires_at <= now:
        _release(session, redemption, RedemptionStatus.EXPIRED, now)
    if redemption.status != RedemptionStatus.HELD:
        raise DomainError("not_cancellable", _l("This ticket can no longer be cancelled."))
    _release(session, redemption, RedemptionStatus.CANCELLED, now)


def expire_redemptions(
    session: Session, now: datetime, *, perk: Perk | None = None, member: User | None = None
) -> int:
    """Releases the tokens of every ticket not used in time (only those of `perk` or of
    `member`, if either is given). Returns how many."""
    query = (
        select(Redemption)
        .where(Redemption.status == RedemptionStatus.HELD, Redemption.expires_at <= now)
        .with_for_update(skip_locked=True)
    )
    only = [Redemption.perk_id == perk.id] if perk else []
    only += [Redemption.user_id == member.id] if member else []
    if only:
        query = query.where(or_(*only))
    late = list(session.scalars(query))
    for redemption in late:
        _release(session, redemption, RedemptionStatus.EXPIRED, now)
    return len(late)


def _release(session: Session, redemption: Redemption, status: str, now: datetime) -> None:
    redemption.status = status
    redemption.ended_at = now
    ledger.release(
        session, user_id=redemption.user_id, amount=redemption.price, redemption_id=redemption.id
    )


# -- at the shop --------------------------------------------------------------------------------


def ticket_code(redemption: Redemption, key: bytes) -> str:
    """What the ticket's QR code says: its id and a MAC, so it cannot be made up."""
    return f"{TICKET_PREFIX}{redemption.id}-{_mac(key, redemption.id)}"


def ticket_key(secret_key: str | bytes) -> bytes:
    return derived_key(secret_key, b"enishi perk ticket v1")


def find_ticket(
    session: Session,
    staff: User,
    partner: Partner,
    text: str,
    key: bytes,
    now: datetime,
) -> Redemption:
    """The ticket a shop scanned (its QR code) or typed (its 6 digits). Typed codes are limited:
    failed tries are counted per staff account and per shop, and refused beyond the limits (a
    QR code cannot be guessed, so it is never refused for them)."""
    redemption = _ticket_by_qr(session, text, key)
    if redemption is None:
        _check_attempts(session, staff, partner, now)
        redemption = _ticket_by_short_code(session, partner, text, now)
    if redemption is None:
        _attempt(session, staff, partner, now, ok=False)
        raise DomainError("no_such_ticket", _l("There is no ticket with this code."), status=404)
    if redemption.perk.partner_id != partner.id:
        _attempt(session, staff, partner, now, ok=False)
        shop = redemption.perk.partner.name(current_language())
        raise DomainError(
            "wrong_shop",
            _l("This ticket is for %(shop)s.", shop=shop),
            status=409,
        )
    _attempt(session, staff, partner, now, ok=True)
    return redemption


def use_ticket(
    session: Session, staff: User, partner: Partner, text: str, key: bytes, now: datetime
) -> Redemption:
    """The shop confirms the ticket whose code it scanned or typed (the code again, not an id:
    nobody uses a ticket they have not seen): used once, and its tokens are burned on chain."""
    found = find_ticket(session, staff, partner, text, key, now)
    redemption = _locked(session, found.id)
    if redemption.status == RedemptionStatus.USED:
        when = format_datetime(redemption.used_at, "short")
        raise DomainError(
            "already_used",
            _l("This ticket was already used on %(when)s at %(shop)s.", when=when,
               shop=partner.name(current_language())),
            status=409,
        )  # fmt: skip
    if redemption.status == RedemptionStatus.HELD and redemption.expires_at <= now:
        _release(session, redemption, RedemptionStatus.EXPIRED, now)
    if redemption.status == RedemptionStatus.EXPIRED:
        raise DomainError("expired", _l("This ticket has expired."), status=409)
    if redemption.status == RedemptionStatus.CANCELLED:
        raise DomainError("cancelled", _l("This ticket was cancelled."), status=409)
    redemption.status = RedemptionStatus.USED
    redemption.used_at = now
    redemption.used_by_id = staff.id
    job = queue_burn(
        session,
        user_id=redemption.user_id,
        address=redemption.user.address,
        amount=redemption.price,
        redemption_id=redemption.id,
    )
    ledger.burn(session, redemption_id=redemption.id, chain_job_id=job.id)
    return redemption


def list_used_today(session: Session, partner: Partner, since: datetime) -> list[Redemption]:
    query = (
        select(Redemption)
        .join(Perk, Redemption.perk_id == Perk.id)
        .where(
            Perk.partner_id == partner.id,
            Redemption.status == RedemptionStatus.USED,
            Redemption.used_at >= since,
        )
        .order_by(Redemption.used_at.desc())
    )
    return list(session.scalars(query))


def list_recent_redemptions(session: Session, limit: int = 50) -> list[Redemption]:
    """The latest tickets of every shop, for the administrator: each step's state."""
    query = select(Redemption).order_by(Redemption.id.desc()).limit(limit)
    return list(session.scalars(query))


def list_member_redemptions(session: Session, member: User) -> list[Redemption]:
    query = (
        select(Redemption)
        .where(Redemption.user_id == member.id)
        .order_by(Redemption.created_at.desc())
    )
    return list(session.scalars(query))


def list_tickets_expired_between(
    session: Session, member: User, since: datetime, now: datetime
) -> list[Redemption]:
    """The member's tickets whose time ran out after `since`, unused (their tokens come back),
    whether or not the worker's sweep has released them yet."""
    query = select(Redemption).where(
        Redemption.user_id == member.id,
        Redemption.status.in_((RedemptionStatus.HELD, RedemptionStatus.EXPIRED)),
        Redemption.expires_at > since,
        Redemption.expires_at <= now,
    )
    return list(session.scalars(query))


def _ticket_by_qr(session: Session, text: str, key: bytes) -> Redemption | None:
    match = re.fullmatch(re.escape(TICKET_PREFIX) + r"(\d{1,10})-([0-9a-f]{20})", text.strip())
    if match is None or not hmac.compare_digest(match.group(2), _mac(key, int(match.group(1)))):
        return None
    return session.get(Redemption, int(match.group(1)))


def _ticket_by_short_code(
    session: Session, partner: Partner, text: str, now: datetime
) -> Redemption | None:
    """This shop's live ticket with the code, or one used here in the last hour (so that a
    second try hears when it was used); older tickets' codes find nothing."""
    code = text.strip()
    if not re.fullmatch(r"\d{6}", code):
        return None
    recently_used = (Redemption.status == RedemptionStatus.USED) & (
        Redemption.used_at >= now - timedelta(hours=1)
    )
    query = (
        select(Redemption)
        .join(Perk, Redemption.perk_id == Perk.id)
        .where(Redemption.short_code == code, Perk.partner_id == partner.id)
        .where((Redemption.status == RedemptionStatus.HELD) | recently_used)
        .order_by(Redemption.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def _check_attempts(session: Session, staff: User, partner: Partner, now: datetime) -> None:
    # Counted under the shop's lock: parallel tries cannot all pass the limit at once.
    session.execute(
        select(Partner.id).where(Partner.id == partner.id).with_for_update(key_share=True)
    )
    since = now - ATTEMPT_WINDOW
    failed = select(func.count()).where(CodeAttempt.ok.is_(False), CodeAttempt.at >= since)
    by_staff = session.scalar(failed.where(CodeAttempt.staff_id == staff.id))
    by_shop = session.scalar(failed.where(CodeAttempt.partner_id == partner.id))
    if by_staff >= MAX_FAILED_PER_STAFF or by_shop >= MAX_FAILED_PER_SHOP:
        raise TooManyAttempts(
            "too_many_attempts",
            _l("Too many wrong codes. Please wait 10 minutes, or scan the ticket's QR code."),
        )


def _attempt(session: Session, staff: User, partner: Partner, now: datetime, ok: bool) -> None:
    session.add(CodeAttempt(partner_id=partner.id, staff_id=staff.id, ok=ok, at=now))
    session.flush()


def _locked(session: Session, redemption_id: int) -> Redemption | None:
    """The ticket, locked and read again: a copy loaded before the lock may be out of date."""
    query = select(Redemption).where(Redemption.id == redemption_id).with_for_update(key_share=True)
    return session.scalar(query.execution_options(populate_existing=True))


def _insert_with_a_free_code(session: Session, redemption: Redemption) -> None:
    """Inserts the ticket with six digits no live ticket has. A ticket made at the same moment
    may draw the same digits after the check; the unique index refuses the second, which then
    draws again."""
    for _ in range(3):
        code = _new_short_code(session)
        if code is None:
            break
        redemption.short_code = code
        try:
            with session.begin_nested():
                session.add(redemption)
            return
        except IntegrityError:
            continue
    raise DomainError("busy", _l("Too many tickets are open right now. Try again."), status=503)


def _new_short_code(session: Session) -> str | None:
    """Six digits that no live ticket has now, or None if none turns up in 50 draws."""
    for _ in range(50):
        code = f"{secrets.randbelow(10**6):06d}"
        clash = select(Redemption.id).where(
            Redemption.short_code == code, Redemption.status == RedemptionStatus.HELD
        )
        if session.scalar(clash) is None:
            return code
    return None


def _mac(key: bytes, redemption_id: int) -> str:
    return hmac.new(key, str(redemption_id).encode(), hashlib.sha256).hexdigest()[:20]
