"""Unusual patterns for administrators: two members who thank each other at the cap (30 points
of the default 100), both ways, in each of the last three complete months in which either gave
anything."""

from __future__ import annotations

from datetime import UTC, datetime

from webapp.thanks.patterns import unusual_pairs

from .pool_world import give

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)  # December under way in Tokyo


def mutual(session, first, second, months, points=30):
    for month in months:
        give(session, first, second, points, month)
        give(session, second, first, points, month)


def test_pairs_at_the_cap_both_ways_three_months_running_are_shown(session, make_user):
    a, b, c, d, e, f, g, h, i, j, k = (make_user(member=False) for _ in range(11))
    mutual(session, a, b, ["2026-09", "2026-10", "2026-11"])
    # C and D: at the cap in October and November, but in September C gave to someone else.
    mutual(session, c, d, ["2026-10", "2026-11"])
    give(session, c, k, 5, "2026-09")
    # E and F: July, September, November; neither gave anything in August or October.
    mutual(session, e, f, ["2026-07", "2026-09", "2026-11"])
    # G and H: H gave G less than the cap in October (in two thanks: 20 + 9).
    mutual(session, g, h, ["2026-09", "2026-11"])
    give(session, g, h, 30, "2026-10")
    give(session, h, g, 20, "2026-10")
    give(session, h, g, 9, "2026-10")
    # I and J: October, November and December; December is not over.
    mutual(session, i, j, ["2026-10", "2026-11", "2026-12"])
    # More than the cap of today (given under other rules) is at the cap too.
    give(session, a, b, 1, "2026-11")
    session.commit()

    pairs = unusual_pairs(session, NOW)

    assert [(p.first.id, p.second.id, p.months) for p in pairs] == [
        (a.id, b.id, ["2026-09", "2026-10", "2026-11"]),
        (e.id, f.id, ["2026-07", "2026-09", "2026-11"]),
    ]


def test_no_thanks_no_pairs(session):
    assert unusual_pairs(session, NOW) == []
