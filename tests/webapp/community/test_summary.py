"""The monthly summary as the worker keeps it: built on its first round, the month under way
summed again once REFRESH_EVERY has passed (not before), the month just ended closed by the
first round after it, `enishi community-rebuild` equal to the rounds' work, and a move after a
month ended leaving that month's figures as they were. The worker's clock is fixed
(webapp.tasks.utcnow), as is the CLI's."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest

import webapp.cli
from webapp import tasks
from webapp.accounts.models import Role
from webapp.checkin.rewards import approve_event_reward
from webapp.community.figures import community_figures
from webapp.community.periods import custom_period, month_period, season_period, year_period
from webapp.community.summary import REFRESH_EVERY, rebuild_summary, refreshed_at
from webapp.core.db import utcnow
from webapp.events.services import create_event
from webapp.membership.services import get_membership
from webapp.profiles.models import Area
from webapp.profiles.residence import set_residence

from ..checkin.rules import attend
from .town import NOW, TOKYO, Town, at, build_town, check_in, make_member, move_event, person

COMMUNITY = tuple(each for each in tasks.ROUNDS if each.name == "community")


@pytest.fixture
def worker(app, session, monkeypatch):
    """Runs the worker's community round as if it were `moment`; returns the time it recorded."""

    def run(moment: datetime) -> datetime | None:
        session.commit()
        monkeypatch.setattr(tasks, "utcnow", lambda: moment)
        tasks.run_rounds(app, COMMUNITY)
        session.expire_all()
        return refreshed_at(session)

    return run


@pytest.fixture
def town(session, keyring):
    return build_town(session, keyring)


def figures(session, period, now=NOW):
    return community_figures(session, period, now, TOKYO)


def split(value) -> tuple[int, int, int, int]:
    return tuple(value[area] for area in (Area.CITY, Area.PREFECTURE, Area.OUTSIDE, Area.UNKNOWN))


def test_the_first_round_builds_the_summary(session, town, worker):
    assert refreshed_at(session) is None
    assert figures(session, year_period(2026)).checkins.total == 0  # nothing summed yet
    assert worker(NOW) == NOW
    year = figures(session, year_period(2026))
    assert (year.checkins.total, year.participants.total, year.coins_issued.total) == (10, 5, 120)
    assert split(year.participants) == (3, 1, 0, 1)


def test_the_month_under_way_is_summed_again_after_refresh_every_not_before(session, town, worker):
    november = month_period(202611)
    worker(NOW)
    assert figures(session, november).checkins.total == 1
    check_in(session, town, town.people["C"], NOW + timedelta(seconds=5))

    almost = NOW + REFRESH_EVERY - timedelta(seconds=1)
    assert worker(almost) == NOW  # too soon: the round does nothing
    assert figures(session, november, almost).checkins.total == 1

    later = NOW + REFRESH_EVERY
    assert worker(later) == later
    month = figures(session, november, later)
    assert month.checkins.total == 2
    assert split(month.participants) == (1, 1, 0, 0)


def test_the_first_round_of_a_month_closes_the_month_before(session, keyring, worker):
    """A check-in at 23:59 on March 31st in Tokyo, after the last round of March and summed
    after midnight, is March's."""
    organiser = person(session, keyring, "Organiser", Role.ORGANISER)
    small = Town({}, organiser, None, None, None, None, None)
    early = make_member(session, keyring, "Early", at(2026, 3, 1), (Area.CITY, at(2026, 3, 1)))
    late = make_member(session, keyring, "Late", at(2026, 3, 1), (Area.OUTSIDE, at(2026, 3, 1)))
    check_in(session, small, early, at(2026, 3, 20, 1))
    march, april = month_period(202603), month_period(202604)

    before = at(2026, 3, 31, 14, 50)  # 23:50 in Tokyo
    assert worker(before) == before
    assert figures(session, march, before).checkins.total == 1

    check_in(session, small, late, at(2026, 3, 31, 14, 59))  # 23:59 in Tokyo
    after = at(2026, 3, 31, 15, 1)  # 00:01 on April 1st in Tokyo
    assert worker(after) == after
    month = figures(session, march, after)
    assert split(month.checkins) == (1, 0, 1, 0)
    assert split(month.participants) == (1, 0, 1, 0)
    assert month.coins_issued.total == 20
    assert figures(session, april, after).checkins.total == 0


def test_a_round_in_a_later_month_closes_every_month_in_between(session, town, worker):
    worker(at(2026, 2, 1))
    assert figures(session, month_period(202603), at(2026, 2, 1)).checkins.total == 0
    worker(at(2026, 5, 2))  # the worker was down through March and April
    assert figures(session, month_period(202603), at(2026, 5, 2)).checkins.total == 3
    assert figures(session, month_period(202604), at(2026, 5, 2)).checkins.total == 1


PERIODS = [
    month_period(202603),
    month_period(202604),
    month_period(202611),
    season_period(202601),
    season_period(202604),
    year_period(2025),
    year_period(2026),
    custom_period(202412, 202611),
]


def test_the_cli_rebuild_gives_the_same_figures_as_the_rounds(
    app, session, town, worker, monkeypatch
):
    """The worker runs every ten days through the town's two years (its facts were written
    beforehand, so each round sums what its months hold), then the summary is made again from
    scratch with `enishi community-rebuild`: every figure is the same."""
    moment = at(2025, 1, 1)
    while moment < NOW:
        worker(moment)
        moment += timedelta(days=10)
    worker(NOW)
    incremental = [dataclasses.replace(figures(session, p), refreshed_at=None) for p in PERIODS]

    session.commit()
    monkeypatch.setattr(webapp.cli, "utcnow", lambda: NOW)
    result = app.test_cli_runner().invoke(args=["enishi", "community-rebuild"])
    assert result.exit_code == 0, result.output
    assert "month(s) summed" in result.output
    session.expire_all()
    rebuilt = [dataclasses.replace(figures(session, p), refreshed_at=None) for p in PERIODS]

    assert rebuilt == incremental
    assert incremental[-1].checkins.total == 12  # not all empty: the town is in both
    assert split(incremental[-1].coins_spent) == (25, 5, 10, 0)


def test_a_move_after_a_month_ended_leaves_that_month_as_it_was(session, keyring, worker):
    town = build_town(session, keyring)
    after_march = at(2026, 4, 2)
    worker(after_march)
    march = month_period(202603)
    before = figures(session, march, after_march)
    assert split(before.checkins) == (1, 1, 1, 0)
    assert split(before.participants) == (1, 1, 1, 0)

    # C moves outside the prefecture on April 3rd and checks in that day.
    set_residence(session, town.people["C"].id, Area.OUTSIDE, at(2026, 4, 3))
    check_in(session, town, town.people["C"], at(2026, 4, 3, 2))
    moved = at(2026, 4, 4)
    worker(moved)
    after = figures(session, march, moved)
    assert dataclasses.replace(after, refreshed_at=None, trend=[]) == dataclasses.replace(
        before, refreshed_at=None, trend=[]
    )
    assert split(after.checkins) == (1, 1, 1, 0)  # C's March check-in is still 県内
    # The month under way counts where people live now.
    april = figures(session, month_period(202604), moved)
    assert split(april.checkins) == (0, 0, 2, 0)
    # Summed again from scratch, March is still what it was: the history of moves is kept.
    rebuild_summary(session, moved, TOKYO)
    session.commit()
    again = figures(session, march, moved)
    assert dataclasses.replace(again, refreshed_at=None) == dataclasses.replace(
        after, refreshed_at=None
    )


def test_the_round_is_in_the_workers_rounds():
    assert [each.name for each in COMMUNITY] == ["community"]
    assert COMMUNITY[0].run is tasks.community_round


def test_a_round_over_an_empty_database_sums_nothing_and_fails_not(session, worker):
    assert worker(NOW) == NOW
    assert figures(session, year_period(2026)).checkins.total == 0


def test_a_reward_approved_later_counts_in_its_check_ins_month(session, keyring, worker, make_user):
    """March's check-in to an event whose reward waits for an administrator: approved in May,
    its coins are March's, and the next round sums March again."""
    admin = make_user(Role.ADMIN)
    organiser = person(session, keyring, "Organiser", Role.ORGANISER)
    member = make_member(session, keyring, "Held", at(2026, 3, 1), (Area.CITY, at(2026, 3, 1)))
    now = utcnow()
    event = create_event(
        session, organiser, title="大きな祭り", venue="えんぱーく", reward=150,
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2),
    )  # fmt: skip
    session.commit()
    attend(session, member, event, at=at(2026, 3, 20, 1))
    move_event(event, at(2026, 3, 20))
    session.commit()
    assert worker(at(2026, 4, 10)) == at(2026, 4, 10)
    march = month_period(202603)
    assert figures(session, march, at(2026, 4, 10)).coins_issued.total == 0  # waiting

    approve_event_reward(session, admin, event, at(2026, 5, 2))
    assert worker(at(2026, 5, 3)) == at(2026, 5, 3)
    assert figures(session, march, at(2026, 5, 3)).coins_issued.total == 150
    assert figures(session, month_period(202605), at(2026, 5, 3)).coins_issued.total == 0


def test_a_card_given_again_does_not_make_a_new_member_twice(session, keyring, worker):
    member = make_member(session, keyring, "Again", at(2026, 3, 5), (Area.CITY, at(2026, 3, 1)))
    assert worker(at(2026, 3, 31)) == at(2026, 3, 31)
    card = get_membership(session, member)
    card.issued_at = at(2026, 6, 10)  # taken back, then given again in June
    session.commit()
    worker(at(2026, 6, 30))
    rounds = [
        figures(session, month_period(m), at(2026, 6, 30)).new_members.total
        for m in (202603, 202606)
    ]
    rebuild_summary(session, at(2026, 6, 30), TOKYO)
    rebuilt = [
        figures(session, month_period(m), at(2026, 6, 30)).new_members.total
        for m in (202603, 202606)
    ]
    assert rounds == rebuilt == [1, 0]


def test_a_check_in_dated_before_a_round_but_committed_after_it_is_not_lost(
    session, keyring, worker
):
    """A request dated 23:59:59 on March 31st in Tokyo commits after the round of 00:00:30."""
    organiser = person(session, keyring, "Organiser", Role.ORGANISER)
    small = Town({}, organiser, None, None, None, None, None)
    member = make_member(session, keyring, "Slow", at(2026, 3, 1), (Area.CITY, at(2026, 3, 1)))
    assert worker(at(2026, 3, 31, 15, 0, 30)) == at(2026, 3, 31, 15, 0, 30)
    check_in(session, small, member, at(2026, 3, 31, 14, 59, 59))
    later = at(2026, 3, 31, 15, 2)
    assert worker(later) == later
    assert figures(session, month_period(202603), later).checkins.total == 1
