"""The pool's rule, on its own: shares in proportion to points, rounded down, the coins left
over one each to the largest remainders (ties: more points, then the lower user id), and the
shares always add up to the pool."""

import random

import pytest

from webapp.thanks.pool import Received, split_pool


def people(*points: int) -> list[Received]:
    return [Received(user_id=n + 1, points=p, givers=3) for n, p in enumerate(points)]


@pytest.mark.parametrize(
    ("pool", "points", "coins"),
    [
        # Even: 100 coins for 50, 30 and 20 points.
        (100, (50, 30, 20), (50, 30, 20)),
        # 100 for 1:1:1 is 33.33 each: the coin left goes to the lowest id (equal points too).
        (100, (10, 10, 10), (34, 33, 33)),
        # 10 for 45, 35, 20 is 4.5, 3.5, 2: 4, 3, 2 and one left; the remainders .5 and .5
        # are equal, so the one with more points gets it.
        (10, (45, 35, 20), (5, 3, 2)),
        # 100 for 7, 5, 1 is 53.85, 38.46, 7.69: 53, 38, 7 and two left, to .85 and .69.
        (100, (7, 5, 1), (54, 38, 8)),
        # Fewer coins than people: the largest remainders get one each, the rest nothing.
        (2, (40, 35, 25), (1, 1, 0)),
        # One person takes the whole pool.
        (77, (3,), (77,)),
    ],
)
def test_the_pool_is_shared_by_points_with_the_largest_remainders(pool, points, coins):
    shares = split_pool(pool, people(*points))
    assert tuple(shares[n + 1] for n in range(len(points))) == coins
    assert sum(shares.values()) == pool


def test_a_tie_in_remainder_and_points_goes_to_the_lower_id():
    received = [Received(9, 10, 3), Received(4, 10, 3), Received(7, 10, 3)]
    assert split_pool(2, received) == {4: 1, 7: 1, 9: 0}


def test_no_one_to_share_pays_nothing():
    assert split_pool(100, []) == {}


def test_the_sum_paid_is_always_the_pool():
    chance = random.Random(20261201)
    for _ in range(500):
        pool = chance.randint(1, 5000)
        received = people(*(chance.randint(1, 300) for _ in range(chance.randint(1, 40))))
        shares = split_pool(pool, received)
        assert sum(shares.values()) == pool
        total = sum(each.points for each in received)
        for each in received:  # never more than a coin away from the exact share
            assert abs(shares[each.user_id] - pool * each.points / total) < 1
