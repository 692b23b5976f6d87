"""A month's pool of coins, shared out once at the month's end in proportion to the thanks each
member received: this module is the only writer of thanks_pools and thanks_pool_shares.

Who shares: members thanked by at least POOL_MIN_GIVERS different people in the month, who hold
a valid card when the pool is shared. Every giver's thanks count, also of one who has left
since; a receiver without a valid card gets nothing, and the pool goes to the others.

How much: each share is the pool x the member's points / the points of all who share, rounded
down; the coins that rounding leaves go one each to the largest fractions cut off (ties: more
points first, then the member who joined first, by id), so the shares add up to the pool exactly
(the largest remainder method; docs/thanks.md has examples).

Exactly once: the pool's row (its key is the month) is written first, in the same transaction as
every share, its ledger credit and its chain job: a second share of the month finds the row, a
second worker at the same moment fails to insert it and does nothing. The coins are minted with
the month's ありがとう badge (`thanks_badge_token_id`): the badge contract's award is the only way
the chain mints coins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from webapp.accounts.models import User
from webapp.core.i18n import local_zone
from webapp.ledger import services as ledger
from webapp.membership.services import is_member
from webapp.onchain.jobs import queue_badge, thanks_badge_token_id
from webapp.onchain.models import ChainJob
from webapp.thanks.models import Thanks, ThanksPool, ThanksPoolShare, ThanksSettings
from webapp.thanks.settings import POOL_MIN_GIVERS, ThanksRules, get_rules


@dataclass(frozen=True)
class Received:
    """The thanks one member received in a month."""

    user_id: int
    points: int
    givers: int  # different people


@dataclass(frozen=True)
class Share:
    user: User
    points: int
    givers: int
    coins: int


# --- months, in the community's time zone ("2026-11") -------------------------------------------


def month_of(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m")


def month_before(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


def month_start(month: str, zone: tzinfo) -> datetime:
    year, number = (int(part) for part in month.split("-"))
    return datetime(year, number, 1, tzinfo=zone)


def month_end(month: str, zone: tzinfo) -> datetime:
    """The first moment after the month, in `zone`."""
    year, number = (int(part) for part in month.split("-"))
    year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return datetime(year, number, 1, tzinfo=zone)


# --- the rule ------------------------------------------------------------------------------------


def split_pool(coins: int, received: list[Received]) -> dict[int, int]:
    """Each member's coins of a pool of `coins`, in proportion to their points: rounded down,
    then the coins left over one each to the largest remainders (ties: more points, then the
    lower user id). The shares add up to `coins` exactly (to 0 when no one shares)."""
    total = sum(each.points for each in received)
    if total == 0:
        return {}
    shares = {each.user_id: coins * each.points // total for each in received}
    left = coins - sum(shares.values())
    by_remainder = sorted(
        received, key=lambda each: (-(coins * each.points % total), -each.points, each.user_id)
    )
    for each in by_remainder[:left]:
        shares[each.user_id] += 1
    return shares


def received_in(session: Session, month: str) -> list[Received]:
    """Everyone thanked in `month`: their points and how many different people gave them."""
    query = (
        select(
            Thanks.receiver_id,
            func.sum(Thanks.points),
            func.count(func.distinct(Thanks.giver_id)),
        )
        .where(Thanks.month == month)
        .group_by(Thanks.receiver_id)
        .order_by(Thanks.receiver_id)
    )
    return [Received(*row) for row in session.execute(query)]


def preview_pool(session: Session, month: str, rules: ThanksRules, now: datetime) -> list[Share]:
    """Who would get what of the pool if `month` were shared at `now`: those thanked by at least
    POOL_MIN_GIVERS people who hold a valid card at `now`, most coins first."""
    candidates = [each for each in received_in(session, month) if each.givers >= POOL_MIN_GIVERS]
    users = _users(session, [each.user_id for each in candidates])
    sharing = [each for each in candidates if is_member(session, users[each.user_id], now)]
    coins = split_pool(rules.pool_coins, sharing)
    shares = [
        Share(users[each.user_id], each.points, each.givers, coins[each.user_id])
        for each in sharing
    ]
    return sorted(shares, key=lambda share: (-share.coins, -share.points, share.user.id))


def _users(session: Session, ids: list[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {user.id: user for user in session.scalars(select(User).where(User.id.in_(ids)))}


# --- sharing -------------------------------------------------------------------------------------


def share_pool(session: Session, month: str, now: datetime) -> ThanksPool | None:
    """Shares `month`'s pool out, once: the pool's row, and for each member who shares, their
    share, a ledger credit of its coins and the chain job that mints them with the month's
    badge. Nothing (None) while the pool is off or 0 coins, before the month has ended in the
    community's time zone, or when the month is shared already (by this worker or another at
    the same moment). With no one to share, the row is written with no shares: nothing is paid,
    and the month is not tried again."""
    rules = get_rules(session)
    if not rules.pool_on or rules.pool_coins <= 0:
        return None
    if now < month_end(month, local_zone()):
        return None
    if session.get(ThanksPool, month) is not None:
        return None
    pool = ThanksPool(month=month, coins=rules.pool_coins, shared_at=now)
    try:
        # First: on PostgreSQL another worker's insert of the same month waits here for this
        # transaction, then fails; on SQLite the one writer makes the other find the row above.
        with session.begin_nested():
            session.add(pool)
    except IntegrityError:
        return None
    for share in sorted(preview_pool(session, month, rules, now), key=lambda s: s.user.id):
        _pay(session, month, share)
    session.flush()
    return pool


def _pay(session: Session, month: str, share: Share) -> ThanksPoolShare:
    """A member's share: the badge of the month with its coins on chain, the coins on the
    ledger (a share rounded to 0 coins is the badge alone)."""
    user = share.user
    job = queue_badge(
        session,
        user_id=user.id,
        address=user.address,
        token_id=thanks_badge_token_id(month),
        coins=share.coins,
    )
    entry = None
    if share.coins:
        entry = ledger.credit(
            session, user_id=user.id, amount=share.coins, kind="thanks_pool", chain_job_id=job.id
        )
    row = ThanksPoolShare(
        month=month,
        user_id=user.id,
        points=share.points,
        givers=share.givers,
        coins=share.coins,
        ledger_entry_id=entry.id if entry else None,
        chain_job_id=job.id,
    )
    session.add(row)
    return row


def due_month(session: Session, now: datetime) -> str | None:
    """The month the worker's round should share now: the month just ended, if the pool is on
    and was already on when that month ended (a pool switched on later does not pay for months
    before; other rules changed since do not matter), and it is not shared yet."""
    rules = get_rules(session)
    if not rules.pool_on or rules.pool_coins <= 0:
        return None
    zone = local_zone()
    month = month_before(month_of(now, zone))
    settings = session.get(ThanksSettings, 1)  # read already by get_rules
    since = settings.pool_on_since if settings else None
    if since is None or since >= month_end(month, zone):
        return None
    if session.get(ThanksPool, month) is not None:
        return None
    return month


def share_due(session: Session, now: datetime) -> ThanksPool | None:
    """The worker's round: shares the month just ended, when it is due (`due_month`)."""
    month = due_month(session, now)
    return share_pool(session, month, now) if month else None


# --- what was shared -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SharedPool:
    pool: ThanksPool
    shares: list[ThanksPoolShare]
    jobs: dict[int, ChainJob]  # by id: each share's badge and coins on chain

    @property
    def paid(self) -> int:
        return sum(share.coins for share in self.shares)


def list_shared(session: Session, limit: int = 12) -> list[SharedPool]:
    """The months shared, newest first, each with its shares (most coins first) and jobs."""
    pools = list(session.scalars(select(ThanksPool).order_by(ThanksPool.month.desc()).limit(limit)))
    if not pools:
        return []
    shares = list(
        session.scalars(
            select(ThanksPoolShare)
            .options(selectinload(ThanksPoolShare.user))
            .where(ThanksPoolShare.month.in_([pool.month for pool in pools]))
            .order_by(ThanksPoolShare.coins.desc(), ThanksPoolShare.points.desc())
        )
    )
    job_ids = [share.chain_job_id for share in shares if share.chain_job_id is not None]
    jobs = (
        {job.id: job for job in session.scalars(select(ChainJob).where(ChainJob.id.in_(job_ids)))}
        if job_ids
        else {}
    )
    return [
        SharedPool(pool, [share for share in shares if share.month == pool.month], jobs)
        for pool in pools
    ]
