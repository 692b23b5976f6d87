"""Thanks written straight into the table for the pool's tests (the giving itself is
thanks/services.py's, tested on its own), and the pool's rules switched on at a fixed moment."""

from __future__ import annotations

from datetime import UTC, datetime

from webapp.accounts.models import Role
from webapp.thanks.models import Thanks
from webapp.thanks.settings import ThanksRules, save_rules

# The first moment of December in Tokyo: November has just ended there.
DECEMBER = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
# November under way, in Tokyo: when the pool was switched on.
MID_NOVEMBER = datetime(2026, 11, 10, 3, 0, tzinfo=UTC)


def give(session, giver, receiver, points: int, month: str = "2026-11") -> Thanks:
    thanks = Thanks(
        giver_id=giver.id, receiver_id=receiver.id, points=points, month=month, via="profile"
    )
    session.add(thanks)
    session.flush()
    return thanks


def thanked(session, make_user, receiver, points: list[int], month: str = "2026-11") -> list:
    """`receiver` thanked by as many new members as `points` has, each giving that many."""
    givers = [make_user() for _ in points]
    for giver, each in zip(givers, points, strict=True):
        give(session, giver, receiver, each, month)
    session.commit()
    return givers


def pool_on(session, make_user, coins: int, now: datetime = MID_NOVEMBER, **rules) -> None:
    admin = make_user(Role.ADMIN, member=False)
    save_rules(session, ThanksRules(pool_on=True, pool_coins=coins, **rules), actor=admin, now=now)
    session.commit()
