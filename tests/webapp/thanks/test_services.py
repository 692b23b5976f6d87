"""Thanks from a monthly allowance: the month in Japan time, what lapses, the cap for one person,
no thanks to oneself, only members with a valid card, the message's length, two phones at once,
and the feed without those who opted out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from webapp.accounts.models import Role, User
from webapp.core.errors import DomainError
from webapp.membership.services import get_membership, revoke_membership
from webapp.thanks.services import (
    get_allowance,
    give_thanks,
    given_to,
    left_for,
    message_length,
    received_summary,
    recent_thanks,
    remaining,
    set_feed_optout,
    thanks_month,
)
from webapp.thanks.settings import ThanksRules, save_rules

from ..threads import run_together

# 2026-12-01 00:00 in Tokyo is 2026-11-30 15:00 UTC.
LAST_SECOND_OF_NOVEMBER = datetime(2026, 11, 30, 14, 59, 59, tzinfo=UTC)
FIRST_OF_DECEMBER = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
MID_NOVEMBER = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)


@pytest.fixture
def people(make_user, session):
    return [make_user(Role.MEMBER) for _ in range(5)]


def give(session, giver, receiver, points, now, message="ありがとう", via="profile"):
    return give_thanks(session, giver, receiver, points, message, via=via, now=now)


def refused(code: str, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as error:
        give(*args, **kwargs)
    assert error.value.code == code, error.value.message
    return error.value


@pytest.mark.parametrize(
    ("moment", "month"),
    [
        (datetime(2026, 11, 30, 14, 59, 59, tzinfo=UTC), "2026-11"),
        (datetime(2026, 11, 30, 15, 0, 0, tzinfo=UTC), "2026-12"),
        (datetime(2026, 12, 31, 14, 59, 59, tzinfo=UTC), "2026-12"),
        (datetime(2026, 12, 31, 15, 0, 0, tzinfo=UTC), "2027-01"),
        (datetime(2026, 3, 31, 16, 0, 0, tzinfo=UTC), "2026-04"),
    ],
)
def test_the_month_is_japans(app, moment, month):
    assert thanks_month(moment) == month


def test_the_allowance_comes_back_whole_on_the_first_in_japan_and_nothing_carries_over(
    session, people
):
    """Table-driven: each step gives (or not) at a moment and sees what remains."""
    giver, *others = people
    steps = [
        # (moment, {which of the others: points given them then}, what remains after)
        (MID_NOVEMBER, {}, 100),  # an untouched month: the whole allowance
        (MID_NOVEMBER, {0: 30, 1: 30, 2: 30}, 10),
        (LAST_SECOND_OF_NOVEMBER, {3: 10}, 0),  # the last second of November: its last 10
        (FIRST_OF_DECEMBER, {}, 100),  # December in Tokyo: whole again, and not 100 + anything
        (FIRST_OF_DECEMBER, {0: 20}, 80),
        (datetime(2026, 12, 31, 14, 59, 59, tzinfo=UTC), {}, 80),
        (datetime(2027, 1, 15, tzinfo=UTC), {}, 100),  # December's unused 80 lapsed
    ]
    for moment, gifts, after in steps:
        for which, points in gifts.items():
            give(session, giver, others[which], points, moment)
        assert remaining(session, giver, moment) == after, moment
    refused("no_points_left", session, giver, others[3], 1, LAST_SECOND_OF_NOVEMBER)


def test_giving_100_at_1459z_leaves_nothing_and_at_1500z_it_is_100_again(session, people):
    giver, *others = people
    for receiver, points in zip(others, (30, 30, 30, 10), strict=True):
        give(session, giver, receiver, points, LAST_SECOND_OF_NOVEMBER)
    assert remaining(session, giver, LAST_SECOND_OF_NOVEMBER) == 0
    refused("no_points_left", session, giver, others[0], 1, LAST_SECOND_OF_NOVEMBER)
    assert remaining(session, giver, FIRST_OF_DECEMBER) == 100
    give(session, giver, others[0], 30, FIRST_OF_DECEMBER)
    refused("over_cap", session, giver, others[0], 1, FIRST_OF_DECEMBER)
    allowance = get_allowance(session, giver, FIRST_OF_DECEMBER)
    assert allowance.remaining == 70
    assert allowance.resets_at.isoformat() == "2027-01-01T00:00:00+09:00"


def test_at_most_the_share_to_one_person_in_a_month(session, people):
    giver, receiver, other = people[:3]
    give(session, giver, receiver, 20, MID_NOVEMBER)
    error = refused("over_cap", session, giver, receiver, 11, MID_NOVEMBER)
    assert "10" in str(error.message)
    assert left_for(session, giver, receiver, MID_NOVEMBER) == 10
    give(session, giver, receiver, 10, MID_NOVEMBER)
    refused("over_cap", session, giver, receiver, 1, MID_NOVEMBER)
    give(session, giver, other, 30, MID_NOVEMBER)  # someone else: their own cap
    assert given_to(session, giver, receiver, "2026-11") == 30
    give(session, giver, receiver, 30, FIRST_OF_DECEMBER)  # a new month, a new cap


def test_the_cap_follows_the_community_setting(session, people, make_user):
    admin = make_user(Role.ADMIN)
    save_rules(
        session, ThanksRules(allowance=50, per_person_percent=50), actor=admin, now=MID_NOVEMBER
    )
    giver, receiver = people[:2]
    give(session, giver, receiver, 25, MID_NOVEMBER)
    refused("over_cap", session, giver, receiver, 1, MID_NOVEMBER)
    assert remaining(session, giver, MID_NOVEMBER) == 25


def test_when_both_limits_bind_the_smaller_is_told(session, people):
    giver, *others = people
    for receiver in others[:3]:
        give(session, giver, receiver, 30, MID_NOVEMBER)  # 10 left in all
    error = refused("over_allowance", session, giver, others[3], 20, MID_NOVEMBER)
    assert "10" in str(error.message)


@pytest.mark.parametrize("points", [0, -5])
def test_points_are_at_least_one(session, people, points):
    refused("bad_points", session, people[0], people[1], points, MID_NOVEMBER)


def test_no_thanks_to_oneself(session, people):
    refused("not_self", session, people[0], people[0], 10, MID_NOVEMBER)
    assert remaining(session, people[0], MID_NOVEMBER) == 100


@pytest.mark.parametrize(
    ("message", "allowed"),
    [
        ("あ" * 140, True),
        ("あ" * 141, False),
        ("あ" * 69 + "\r\n" + "い" * 70, True),  # a line break typed in the form is one
        ("あ" * 70 + "\r\n" + "い" * 70, False),
        ("", True),  # a message is welcome, not required
    ],
)
def test_the_message_is_at_most_140_characters(session, people, message, allowed):
    giver, receiver = people[:2]
    if allowed:
        thanks = give(session, giver, receiver, 5, MID_NOVEMBER, message=message)
        assert message_length(thanks.message) <= 140 and "\r" not in thanks.message
    else:
        refused("message_too_long", session, giver, receiver, 5, MID_NOVEMBER, message=message)


def lapse(session, user: User) -> None:
    get_membership(session, user).term_ends_at = MID_NOVEMBER - timedelta(days=1)
    session.commit()


def test_a_lapsed_member_neither_gives_nor_receives(session, people):
    lapsed, other = people[:2]
    lapse(session, lapsed)
    refused("giver_not_member", session, lapsed, other, 5, MID_NOVEMBER)
    error = refused("receiver_not_member", session, other, lapsed, 5, MID_NOVEMBER)
    assert lapsed.display_name in str(error.message)
    assert remaining(session, other, MID_NOVEMBER) == 100


def test_a_revoked_member_neither_gives_nor_receives(session, people, make_user):
    revoked, other = people[:2]
    admin = make_user(Role.ADMIN)
    revoke_membership(session, revoked, actor=admin, now=MID_NOVEMBER - timedelta(days=1))
    session.commit()
    refused("giver_not_member", session, revoked, other, 5, MID_NOVEMBER)
    refused("receiver_not_member", session, other, revoked, 5, MID_NOVEMBER)


def test_someone_who_never_had_a_card_neither_gives_nor_receives(session, people, make_user):
    staff = make_user(Role.MEMBER, member=False)
    refused("giver_not_member", session, staff, people[0], 5, MID_NOVEMBER)
    refused("receiver_not_member", session, people[0], staff, 5, MID_NOVEMBER)


def test_four_phones_giving_the_last_points_at_once_one_succeeds(app, session, people):
    giver, *others = people
    for receiver in others[:3]:
        give(session, giver, receiver, 30, MID_NOVEMBER)
    session.commit()
    ids = [giver.id, others[3].id]

    def give_last(s, _n):
        return give(s, s.get(User, ids[0]), s.get(User, ids[1]), 10, MID_NOVEMBER).id

    results = run_together(app, 4, give_last)
    made = [r for r in results if isinstance(r, int)]
    assert len(made) == 1, results
    assert [r.code for r in results if isinstance(r, DomainError)] == ["no_points_left"] * 3
    session.commit()  # a new transaction: sees what the phones wrote
    assert remaining(session, giver, MID_NOVEMBER) == 0


def test_four_phones_giving_one_person_past_the_cap_at_once_one_succeeds(app, session, people):
    giver, receiver = people[:2]
    give(session, giver, receiver, 20, MID_NOVEMBER)
    session.commit()
    ids = [giver.id, receiver.id]

    def give_ten(s, _n):
        return give(s, s.get(User, ids[0]), s.get(User, ids[1]), 10, MID_NOVEMBER).id

    results = run_together(app, 4, give_ten)
    assert len([r for r in results if isinstance(r, int)]) == 1, results
    assert [r.code for r in results if isinstance(r, DomainError)] == ["over_cap"] * 3
    session.commit()
    assert given_to(session, giver, receiver, "2026-11") == 30


def test_the_feed_is_newest_first_without_those_who_opted_out(session, people):
    a, b, c = people[:3]
    first = give(session, a, b, 5, MID_NOVEMBER, message="草刈り")
    second = give(session, b, c, 5, MID_NOVEMBER + timedelta(minutes=1), message="送迎")
    third = give(session, c, a, 5, MID_NOVEMBER + timedelta(minutes=2), message="野菜")
    assert [item.id for item in recent_thanks(session)] == [third.id, second.id, first.id]
    item = recent_thanks(session)[0]
    assert (item.giver_name, item.receiver_name, item.message) == (
        c.display_name,
        a.display_name,
        "野菜",
    )

    set_feed_optout(session, b, True, now=MID_NOVEMBER)
    set_feed_optout(session, b, True, now=MID_NOVEMBER)  # twice: still out, once
    assert [item.id for item in recent_thanks(session)] == [third.id]  # b neither gave nor got
    set_feed_optout(session, b, False, now=MID_NOVEMBER)
    assert len(recent_thanks(session)) == 3
    assert [item.id for item in recent_thanks(session, limit=1, before_id=third.id)] == [second.id]


def test_what_a_member_received(session, people):
    receiver, a, b = people[:3]
    give(session, a, receiver, 10, MID_NOVEMBER, message="一")
    give(session, b, receiver, 5, MID_NOVEMBER + timedelta(hours=1), message="二")
    give(session, a, receiver, 20, FIRST_OF_DECEMBER, message="三")
    give(session, receiver, a, 7, FIRST_OF_DECEMBER)  # given, not received
    summary = received_summary(session, receiver, now=FIRST_OF_DECEMBER)
    assert (summary.points, summary.month_points, summary.count, summary.givers) == (35, 20, 3, 2)
    assert [r.message for r in summary.recent] == ["三", "二", "一"]
    assert summary.recent[0].giver_name == a.display_name
    assert received_summary(session, people[3], now=FIRST_OF_DECEMBER).points == 0
