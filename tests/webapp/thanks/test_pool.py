"""A month's pool of coins, shared out at the month's end in Tokyo: to members thanked by at
least 3 people, in proportion to their points, the shares adding up to the pool; on the ledger
and in the chain queue, with the month's ありがとう badge; once, also when asked twice or by two
workers at the same moment."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from webapp import tasks
from webapp.accounts.models import Role
from webapp.ledger.models import LedgerEntry
from webapp.membership.services import revoke_membership
from webapp.onchain.jobs import thanks_badge_token_id
from webapp.onchain.models import ChainJob, JobKind
from webapp.thanks.models import ThanksPool, ThanksPoolShare
from webapp.thanks.pool import due_month, preview_pool, share_pool
from webapp.thanks.settings import ThanksRules, get_rules, save_rules

from ..test_worker import work
from ..threads import run_together
from .pool_world import DECEMBER, MID_NOVEMBER, give, pool_on, thanked

POOL_ROUND = tuple(each for each in tasks.ROUNDS if each.name == "thanks_pool")
NOVEMBER_BADGE = thanks_badge_token_id("2026-11")


def shares(session) -> dict[int, tuple[int, int, int]]:
    """Each member's share: (points, givers, coins)."""
    session.rollback()
    rows = session.scalars(select(ThanksPoolShare).order_by(ThanksPoolShare.user_id))
    return {row.user_id: (row.points, row.givers, row.coins) for row in rows}


def pool_credits(session) -> dict[int, int]:
    query = select(LedgerEntry.user_id, LedgerEntry.amount).where(LedgerEntry.kind == "thanks_pool")
    return dict(session.execute(query).all())


def badge_jobs(session) -> list[ChainJob]:
    query = select(ChainJob).where(ChainJob.kind == JobKind.BADGE).order_by(ChainJob.user_id)
    return list(session.scalars(query))


def three_thanked(session, make_user):
    """Three members thanked by three people each, 50, 30 and 20 points in all; a fourth by two
    people only, with the most points."""
    first, second, third, fourth = (make_user() for _ in range(4))
    thanked(session, make_user, first, [20, 20, 10])
    thanked(session, make_user, second, [10, 10, 10])
    thanked(session, make_user, third, [10, 5, 5])
    thanked(session, make_user, fourth, [30, 30])
    return first, second, third, fourth


def test_the_pool_goes_to_those_thanked_by_three_people_by_their_points(session, make_user):
    first, second, third, fourth = three_thanked(session, make_user)
    pool_on(session, make_user, 100)

    pool = share_pool(session, "2026-11", DECEMBER)
    session.commit()

    assert (pool.month, pool.coins) == ("2026-11", 100)
    assert shares(session) == {
        first.id: (50, 3, 50),
        second.id: (30, 3, 30),
        third.id: (20, 3, 20),
    }  # the fourth, thanked by two people only, shares nothing
    assert pool_credits(session) == {first.id: 50, second.id: 30, third.id: 20}
    jobs = badge_jobs(session)
    assert [(job.user_id, job.amount, job.token_id) for job in jobs] == [
        (first.id, 50, NOVEMBER_BADGE),
        (second.id, 30, NOVEMBER_BADGE),
        (third.id, 20, NOVEMBER_BADGE),
    ]
    assert all(job.address == session.get(type(first), job.user_id).address for job in jobs)
    assert fourth.id not in pool_credits(session)


def test_the_coins_rounding_leaves_go_to_the_largest_remainders_and_the_sum_is_the_pool(
    session, make_user
):
    first, second, third = (make_user() for _ in range(3))
    thanked(session, make_user, first, [1, 1, 1])
    thanked(session, make_user, second, [1, 1, 1])
    thanked(session, make_user, third, [1, 1, 1])
    pool_on(session, make_user, 100)

    share_pool(session, "2026-11", DECEMBER)
    session.commit()

    paid = shares(session)
    assert [paid[user.id][2] for user in (first, second, third)] == [34, 33, 33]
    assert sum(pool_credits(session).values()) == 100


def test_nothing_is_shared_before_the_month_has_ended_in_tokyo(session, make_user):
    member = make_user()
    thanked(session, make_user, member, [10, 10, 10])
    pool_on(session, make_user, 60)
    just_before = DECEMBER - timedelta(seconds=1)  # 23:59:59 on 30 November in Tokyo

    assert share_pool(session, "2026-11", just_before) is None
    # November has not ended; October had ended before the pool was switched on.
    assert due_month(session, just_before) is None
    assert session.scalar(select(func.count()).select_from(ThanksPool)) == 0

    assert due_month(session, DECEMBER) == "2026-11"
    assert share_pool(session, "2026-11", DECEMBER) is not None
    session.commit()
    assert shares(session) == {member.id: (30, 3, 60)}


def test_a_month_is_shared_once_however_often_it_is_asked(session, make_user):
    member = make_user()
    thanked(session, make_user, member, [5, 5, 5])
    pool_on(session, make_user, 40)

    assert share_pool(session, "2026-11", DECEMBER) is not None
    session.commit()
    assert share_pool(session, "2026-11", DECEMBER + timedelta(hours=1)) is None
    session.commit()

    assert shares(session) == {member.id: (15, 3, 40)}
    assert pool_credits(session) == {member.id: 40}
    assert len(badge_jobs(session)) == 1


def test_two_rounds_of_the_worker_pay_once(app, session, make_user, monkeypatch):
    member = make_user()
    thanked(session, make_user, member, [5, 5, 5])
    pool_on(session, make_user, 40)
    monkeypatch.setattr(tasks, "utcnow", lambda: DECEMBER + timedelta(seconds=3))

    tasks.run_rounds(app, POOL_ROUND)
    tasks.run_rounds(app, POOL_ROUND)

    assert shares(session) == {member.id: (15, 3, 40)}
    assert pool_credits(session) == {member.id: 40}
    assert len(badge_jobs(session)) == 1


def test_two_workers_at_the_same_moment_share_once(app, session, make_user):
    members = [make_user() for _ in range(3)]
    for n, member in enumerate(members):
        thanked(session, make_user, member, [n + 1, 2, 3])
    pool_on(session, make_user, 90)

    results = run_together(app, 2, lambda s, n: share_pool(s, "2026-11", DECEMBER))

    assert not any(isinstance(result, Exception) for result in results), results
    assert sum(result is not None for result in results) == 1
    paid = shares(session)
    assert len(paid) == 3 and sum(coins for _p, _g, coins in paid.values()) == 90
    assert sum(pool_credits(session).values()) == 90
    assert len(badge_jobs(session)) == 3


def test_a_receiver_without_a_valid_card_gets_nothing_and_the_rest_share_the_pool(
    session, make_user
):
    admin = make_user(Role.ADMIN)
    kept, revoked = make_user(), make_user()
    givers = thanked(session, make_user, kept, [10, 10, 10])
    thanked(session, make_user, revoked, [10, 10, 10])
    # A giver whose card is taken back still counts as a giver.
    revoke_membership(session, givers[0], actor=admin, now=MID_NOVEMBER + timedelta(days=1))
    revoke_membership(session, revoked, actor=admin, now=MID_NOVEMBER + timedelta(days=2))
    session.commit()
    pool_on(session, make_user, 50)

    share_pool(session, "2026-11", DECEMBER)
    session.commit()

    assert shares(session) == {kept.id: (30, 3, 50)}
    assert pool_credits(session) == {kept.id: 50}


def test_with_no_one_to_share_the_month_is_closed_with_nothing_paid(session, make_user):
    lonely = make_user()
    thanked(session, make_user, lonely, [40, 40])  # two givers only
    pool_on(session, make_user, 100)

    pool = share_pool(session, "2026-11", DECEMBER)
    session.commit()

    assert pool is not None and pool.coins == 100
    assert shares(session) == {} and pool_credits(session) == {} and badge_jobs(session) == []
    assert due_month(session, DECEMBER + timedelta(minutes=1)) is None  # not tried again


def test_an_off_or_empty_pool_shares_nothing(session, make_user):
    member = make_user()
    thanked(session, make_user, member, [5, 5, 5])
    assert share_pool(session, "2026-11", DECEMBER) is None  # off by default
    pool_on(session, make_user, 0)
    assert share_pool(session, "2026-11", DECEMBER) is None
    assert session.scalar(select(func.count()).select_from(ThanksPool)) == 0


def test_a_pool_switched_on_after_a_month_ended_does_not_pay_for_that_month(session, make_user):
    member = make_user()
    thanked(session, make_user, member, [5, 5, 5])
    pool_on(session, make_user, 30, now=DECEMBER + timedelta(days=3))

    assert due_month(session, DECEMBER + timedelta(days=3, minutes=1)) is None
    # Thanked in December, with the pool on: shared when December ends.
    thanked(session, make_user, member, [5, 5, 5], month="2026-12")
    assert due_month(session, DECEMBER + timedelta(days=31)) == "2026-12"


def test_the_preview_shows_the_month_in_progress(session, make_user):
    first, second = make_user(), make_user()
    thanked(session, make_user, first, [30, 30, 30], month="2026-12")
    thanked(session, make_user, second, [10, 10, 10], month="2026-12")
    give(session, first, second, 1, month="2026-11")  # another month: not counted
    session.commit()

    preview = preview_pool(
        session, "2026-12", ThanksRules(pool_on=True, pool_coins=10), DECEMBER + timedelta(days=5)
    )

    assert [(s.user.id, s.points, s.givers, s.coins) for s in preview] == [
        (first.id, 90, 3, 8),
        (second.id, 30, 3, 2),
    ]  # 7.5 and 2.5: the tie in remainders goes to more points


def test_the_shares_reach_the_chain_with_the_month_s_badge(session, chain, make_user):
    first, second = make_user(), make_user()
    thanked(session, make_user, first, [6, 6, 6])
    thanked(session, make_user, second, [3, 3, 3])
    pool_on(session, make_user, 25)
    share_pool(session, "2026-11", DECEMBER)
    session.commit()

    work(session, chain)

    assert chain.token_balance(first.address) == 17  # 16.67 and 8.33: the coin to .67
    assert chain.token_balance(second.address) == 8
    assert chain.badge_balance(first.address, NOVEMBER_BADGE) == 1
    assert chain.badge_balance(second.address, NOVEMBER_BADGE) == 1
    assert get_rules(session).pool_coins == 25


def test_changing_other_rules_after_a_month_ended_still_shares_it(session, make_user):
    member = make_user()
    thanked(session, make_user, member, [5, 5, 5])
    pool_on(session, make_user, 30)
    admin = make_user(Role.ADMIN, member=False)
    changed = ThanksRules(allowance=120, pool_on=True, pool_coins=30)
    save_rules(session, changed, actor=admin, now=DECEMBER + timedelta(hours=2))
    session.commit()

    assert due_month(session, DECEMBER + timedelta(hours=3)) == "2026-11"
    # Switched off and on again after the month ended: that month is not paid.
    save_rules(session, ThanksRules(pool_on=False, pool_coins=30), actor=admin,
               now=DECEMBER + timedelta(hours=4))  # fmt: skip
    save_rules(session, changed, actor=admin, now=DECEMBER + timedelta(hours=5))
    assert due_month(session, DECEMBER + timedelta(hours=6)) is None
