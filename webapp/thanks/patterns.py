"""Patterns an administrator may want to look at (reads only): two members who thank each other
at the cap, both ways, month after month, which is how a pair would pump the pool for each
other."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.core.i18n import local_zone
from webapp.thanks.models import Thanks
from webapp.thanks.pool import month_before, month_of
from webapp.thanks.settings import get_rules

# How far back a pair's months are looked for: a pair that gave nothing for longer is not one.
LOOK_BACK_MONTHS = 24


@dataclass(frozen=True)
class UnusualPair:
    first: User
    second: User
    months: list[str]  # the months they thanked each other at the cap, oldest first


def unusual_pairs(session: Session, now: datetime, months: int = 3) -> list[UnusualPair]:
    """Pairs who thanked each other at the cap (today's `per_person_cap`), both ways, in each of
    the last `months` complete months in which either of them gave thanks at all: a month in
    which neither gave anything (a stay in hospital, a winter away) breaks no run."""
    window = _complete_months(now, LOOK_BACK_MONTHS)
    cap = max(get_rules(session).per_person_cap, 1)
    at_cap = _at_cap(session, window, cap)
    both_ways: dict[tuple[int, int], set[str]] = defaultdict(set)
    for giver, receiver, month in at_cap:
        if giver < receiver and (receiver, giver, month) in at_cap:
            both_ways[(giver, receiver)].add(month)
    candidates = {pair: found for pair, found in both_ways.items() if len(found) >= months}
    if not candidates:
        return []
    gave = _months_given(session, {person for pair in candidates for person in pair}, window)
    users = {
        user.id: user
        for user in session.scalars(
            select(User).where(User.id.in_({person for pair in candidates for person in pair}))
        )
    }
    pairs = []
    for (first, second), found in sorted(candidates.items()):
        last = sorted(gave[first] | gave[second])[-months:]
        if len(last) == months and all(month in found for month in last):
            pairs.append(UnusualPair(users[first], users[second], last))
    return pairs


def _complete_months(now: datetime, count: int) -> list[str]:
    """The `count` months before the one under way at `now`, oldest first."""
    month = month_of(now, local_zone())
    window = []
    for _ in range(count):
        month = month_before(month)
        window.append(month)
    return window[::-1]


def _at_cap(session: Session, window: list[str], cap: int) -> set[tuple[int, int, str]]:
    """(giver, receiver, month) where the giver gave the receiver at least `cap` in the month."""
    query = (
        select(Thanks.giver_id, Thanks.receiver_id, Thanks.month)
        .where(Thanks.month.in_(window))
        .group_by(Thanks.giver_id, Thanks.receiver_id, Thanks.month)
        .having(func.sum(Thanks.points) >= cap)
    )
    return {tuple(row) for row in session.execute(query)}


def _months_given(session: Session, people: set[int], window: list[str]) -> dict[int, set[str]]:
    query = (
        select(Thanks.giver_id, Thanks.month)
        .where(Thanks.giver_id.in_(people), Thanks.month.in_(window))
        .distinct()
    )
    gave: dict[int, set[str]] = defaultdict(set)
    for giver, month in session.execute(query):
        gave[giver].add(month)
    return gave
