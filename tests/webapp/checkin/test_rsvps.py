"""Seats: a seat while seats remain, else the waiting list, which moves up by itself; two
members taking the last seat at once get one seat between them."""

from datetime import timedelta

import pytest

from webapp.accounts.models import Role, User
from webapp.checkin.rsvps import (
    cancel_seat,
    get_seat,
    list_rsvps,
    release_lapsed_seats,
    release_seats,
    seats_left,
    set_event_invitation,
    take_seat,
)
from webapp.core.db import utcnow
from webapp.core.errors import DomainError
from webapp.events.models import Event
from webapp.events.services import InvitationSettings
from webapp.membership.services import get_membership, revoke_membership
from webapp.privacy.closing import close_account
from webapp.tasks import ROUNDS, run_rounds

from ..threads import run_together
from .rules import invite


@pytest.fixture
def seated(session, make_event):
    def make(capacity, **fields):
        event = make_event(title="特別見学会", **fields)
        invite(session, event, audience="members", capacity=capacity, rsvp_open=True)
        return event

    return make


def names(rsvps) -> list[int]:
    return [rsvp.user_id for rsvp in rsvps]


def test_seats_then_a_waiting_list_that_moves_up_when_a_seat_is_given_back(
    session, make_user, seated
):
    event = seated(2)
    first, second, third, fourth = (make_user() for _ in range(4))
    for person in (first, second, third, fourth):
        take_seat(session, person, event, utcnow())
    assert [get_seat(session, p, event).status for p in (first, second, third)] == [
        "going",
        "going",
        "waiting",
    ]
    assert (
        get_seat(session, third, event).position,
        get_seat(session, fourth, event).position,
    ) == (1, 2)
    assert seats_left(session, event) == 0
    cancel_seat(session, first, event, utcnow())
    going, waiting = list_rsvps(session, event)
    assert (names(going), names(waiting)) == ([second.id, third.id], [fourth.id])
    assert get_seat(session, first, event) is None
    assert get_seat(session, fourth, event).position == 1


def test_saying_yes_twice_keeps_one_seat(session, member, seated):
    event = seated(5)
    take_seat(session, member, event, utcnow())
    take_seat(session, member, event, utcnow())
    assert seats_left(session, event) == 4


def test_the_waiting_list_skips_people_no_longer_invited(session, make_user, seated):
    event = seated(1)
    holder, lapsed, next_one = make_user(), make_user(), make_user()
    for person in (holder, lapsed, next_one):
        take_seat(session, person, event, utcnow())
    lapsed.closed_at = utcnow()
    cancel_seat(session, holder, event, utcnow())
    going, waiting = list_rsvps(session, event)
    assert (names(going), names(waiting)) == ([next_one.id], [lapsed.id])


def test_more_seats_move_the_list_up_and_fewer_send_the_last_seats_back(session, make_user, seated):
    event = seated(1)
    people = [make_user() for _ in range(3)]
    for person in people:
        take_seat(session, person, event, utcnow())
    set_event_invitation(session, event, InvitationSettings(capacity=3, rsvp_open=True), utcnow())
    assert names(list_rsvps(session, event)[0]) == [p.id for p in people]
    set_event_invitation(session, event, InvitationSettings(capacity=1, rsvp_open=True), utcnow())
    going, waiting = list_rsvps(session, event)
    assert (names(going), names(waiting)) == ([people[0].id], [people[1].id, people[2].id])


def test_no_limit_means_a_seat_for_everyone(session, make_user, seated):
    event = seated(None)
    for _ in range(3):
        assert take_seat(session, make_user(), event, utcnow()).status == "going"
    assert seats_left(session, event) is None


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"rsvp_open": False}, "no_rsvp"),
        ({"ended": True}, "expired"),
        ({"rule": True}, "not_invited"),
        ({"stranger": True}, "not_a_member"),
    ],
)
def test_a_seat_is_refused_when_it_cannot_be_taken(session, make_user, make_event, fields, code):
    ago = timedelta(days=1)
    event = make_event(
        **(
            {"starts_at": utcnow() - 2 * ago, "ends_at": utcnow() - ago}
            if fields.get("ended")
            else {}
        )
    )
    invitation = {"audience": "members", "capacity": 3, "rsvp_open": fields.get("rsvp_open", True)}
    if fields.get("rule"):
        invitation.update(audience="rule", rule_badges=2, rule_days=30)
    invite(session, event, **invitation)
    person = make_user(member=not fields.get("stranger"))
    with pytest.raises(DomainError) as error:
        take_seat(session, person, event, utcnow())
    assert error.value.code == code
    if code == "not_invited":
        assert "30" in str(error.value.message)


def test_two_members_taking_the_last_seat_at_once_get_one_seat(app, session, make_user, seated):
    event = seated(2)
    take_seat(session, make_user(), event, utcnow())
    session.commit()
    ids, event_id = [make_user().id, make_user().id], event.id

    def rsvp(s, n):
        return take_seat(s, s.get(User, ids[n]), s.get(Event, event_id), utcnow()).status

    session.commit()  # no snapshot of ours outlives the threads
    results = run_together(app, 2, rsvp)
    assert sorted(results) == ["going", "waiting"], results
    session.rollback()
    going, waiting = list_rsvps(session, session.get(Event, event_id))
    assert (len(going), len(waiting)) == (2, 1)


def test_a_cancel_and_a_new_reply_at_once_still_fill_the_seats_once(
    app, session, make_user, seated
):
    event = seated(1)
    holder, waiting_one, newcomer = make_user(), make_user(), make_user()
    take_seat(session, holder, event, utcnow())
    take_seat(session, waiting_one, event, utcnow())
    event_id, holder_id, newcomer_id = event.id, holder.id, newcomer.id
    session.commit()

    def act(s, n):
        event_ = s.get(Event, event_id)
        if n == 0:
            return cancel_seat(s, s.get(User, holder_id), event_, utcnow())
        return take_seat(s, s.get(User, newcomer_id), event_, utcnow()).status

    results = run_together(app, 2, act)
    assert not any(isinstance(r, Exception) for r in results), results
    session.rollback()
    going, _waiting = list_rsvps(session, session.get(Event, event_id))
    assert names(going) == [waiting_one.id]


@pytest.fixture
def full(session, make_user, seated):
    """A full event (one seat): the first person going, the second waiting."""
    event = seated(1)
    going, waiting = make_user(), make_user()
    take_seat(session, going, event, utcnow())
    take_seat(session, waiting, event, utcnow())
    return event, going, waiting


def test_a_card_taken_back_gives_its_seat_to_the_first_person_waiting(session, make_user, full):
    event, holder, next_one = full
    revoke_membership(session, holder, actor=make_user(Role.ADMIN), now=utcnow())
    going, waiting = list_rsvps(session, event)
    assert (names(going), names(waiting)) == ([next_one.id], [])
    assert get_seat(session, holder, event) is None


def test_a_closed_account_gives_back_its_seats_and_places(session, make_user, seated, full):
    event, holder, next_one = full
    other = seated(1)
    take_seat(session, make_user(), other, utcnow())
    take_seat(session, holder, other, utcnow())  # waiting there
    close_account(session, holder, now=utcnow())
    assert (names(list_rsvps(session, event)[0]), names(list_rsvps(session, other)[1])) == (
        [next_one.id],
        [],
    )


def test_release_leaves_past_events_and_other_people_alone(session, make_user, make_event, full):
    event, holder, next_one = full
    ago = timedelta(days=1)
    past = make_event(title="先週の見学会")
    invite(session, past, audience="members", capacity=5, rsvp_open=True)
    take_seat(session, holder, past, utcnow())
    past.starts_at, past.ends_at = utcnow() - 3 * ago, utcnow() - 2 * ago
    assert release_seats(session, holder, utcnow()) == 1
    assert names(list_rsvps(session, past)[0]) == [holder.id]  # what happened stays
    assert names(list_rsvps(session, event)[0]) == [next_one.id]


def test_a_card_that_ran_out_gives_its_seat_back_in_the_worker_round(
    app, session, make_user, make_event, full
):
    event, holder, next_one = full
    open_to_all = make_event(title="ワイン祭り")
    invite(session, open_to_all, audience="everyone", capacity=5, rsvp_open=True)
    take_seat(session, holder, open_to_all, utcnow())
    assert release_lapsed_seats(session, utcnow()) == 0  # a card still valid: nothing moves
    get_membership(session, holder).term_ends_at = utcnow() - timedelta(seconds=1)
    session.commit()
    run_rounds(app, tuple(each for each in ROUNDS if each.name == "seats"))
    session.expire_all()
    going, waiting = list_rsvps(session, session.get(Event, event.id))
    assert (names(going), names(waiting)) == ([next_one.id], [])
    # An event open to everyone keeps them: they are still invited there.
    assert names(list_rsvps(session, session.get(Event, open_to_all.id))[0]) == [holder.id]
