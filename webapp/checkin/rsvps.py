"""Seats: members invited to an event say they are coming (RSVP). A seat is taken while seats
remain, else the member joins the waiting list, first come first served; a seat given back (a
cancellation, or more seats) goes at once, in the same transaction, to the first person waiting
who is still invited. Checking in needs no seat: seats are for planning.

Someone who can no longer come gives their seats back too: a card taken back or an account
closed gives back every seat and place of theirs at once (`release_seats`, called by the app
when a card is revoked and by the closing of an account); a card whose term ran out gives back
its seats at the events that ask for a card in the worker's next round (`release_lapsed_seats`).

Two members taking the last seat at once get one seat between them: the event's row is locked
(PostgreSQL) or the database held (SQLite's one writer) while the seats are counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.checkin.eligibility import eligibility, rule_in_words
from webapp.checkin.models import Rsvp, RsvpStatus
from webapp.core.errors import DomainError, Forbidden, NotFound
from webapp.events.models import Event
from webapp.events.services import InvitationSettings, lock_event, set_invitation
from webapp.membership.models import Membership

GOING, WAITING, CANCELLED = RsvpStatus.GOING, RsvpStatus.WAITING, RsvpStatus.CANCELLED


@dataclass(frozen=True)
class Seat:
    """A member's answer to an event as the wallet shows it."""

    status: str  # going or waiting
    position: int | None = None  # on the waiting list, 1 for the first


def take_seat(session: Session, user: User, event: Event, now: datetime) -> Rsvp:
    """The member says they are coming: a seat if one is left, else the waiting list. Saying it
    again changes nothing."""
    lock_event(session, event)
    if not event.rsvp_open:
        raise DomainError("no_rsvp", _l("This event does not take replies."))
    if event.ends_at <= now:
        raise DomainError("expired", _l("This event has ended."))
    invited = eligibility(session, user, event, now)
    if not invited.invited:
        raise Forbidden(invited.reason, _refusal(invited.reason, event))
    rsvp = _get(session, user, event)
    if rsvp is not None and rsvp.status != CANCELLED:
        return rsvp
    status = GOING if _seats_left(session, event) != 0 else WAITING
    if rsvp is None:
        rsvp = Rsvp(event_id=event.id, user_id=user.id, created_at=now, status=status)
        session.add(rsvp)
    rsvp.status, rsvp.updated_at = status, now
    session.flush()
    return rsvp


def cancel_seat(session: Session, user: User, event: Event, now: datetime) -> None:
    """The member is not coming after all: their seat goes to the first person waiting."""
    lock_event(session, event)
    rsvp = _get(session, user, event)
    if rsvp is None or rsvp.status == CANCELLED:
        raise NotFound("no_rsvp_to_cancel", _l("You have not said you are coming."))
    was_going = rsvp.status == GOING
    rsvp.status, rsvp.updated_at = CANCELLED, now
    session.flush()
    if was_going:
        settle_seats(session, event, now)


def release_seats(session: Session, user: User, now: datetime) -> int:
    """`user` can no longer come (their card was taken back, their account closed): their seats
    and places on waiting lists at events not yet ended are cancelled, and each of those events'
    waiting list moves up. The number of replies cancelled."""
    query = (
        select(Rsvp.event_id, Rsvp.user_id)
        .join(Event, Event.id == Rsvp.event_id)
        .where(Rsvp.user_id == user.id, Rsvp.status != CANCELLED, Event.ends_at > now)
    )
    return _release(session, session.execute(query).all(), now)


def release_lapsed_seats(session: Session, now: datetime) -> int:
    """Seats at events not yet ended that ask for a card (members only, or a rule with the
    card) held by someone whose card no longer gives its rights (its term ran out, it was taken
    back) or who has none, and whom `eligibility` no longer invites: they are cancelled and the
    waiting lists move up. The worker's `seats` round; the number cancelled (one query, usually
    empty)."""
    asks_for_card = or_(
        Event.audience == "members", and_(Event.audience == "rule", Event.rule_card)
    )
    card_gone = or_(
        Membership.id.is_(None), Membership.revoked_at.is_not(None), Membership.term_ends_at <= now
    )
    query = (
        select(Rsvp.event_id, Rsvp.user_id)
        .join(Event, Event.id == Rsvp.event_id)
        .outerjoin(Membership, Membership.user_id == Rsvp.user_id)
        .where(Rsvp.status == GOING, Event.ends_at > now, asks_for_card, card_gone)
    )
    uninvited = [
        (event_id, user_id)
        for event_id, user_id in session.execute(query)
        if not eligibility(
            session, session.get(User, user_id), session.get(Event, event_id), now
        ).invited
    ]
    return _release(session, uninvited, now)


def set_event_invitation(
    session: Session, event: Event, invitation: InvitationSettings, now: datetime
) -> None:
    """The organiser sets who is invited and the seats; the list follows at once."""
    lock_event(session, event)
    set_invitation(session, event, invitation)
    settle_seats(session, event, now)


def settle_seats(session: Session, event: Event, now: datetime) -> None:
    """Fills free seats from the waiting list, in order, skipping people no longer invited
    (they keep their place); with fewer seats than people going, the seats taken last go back
    to the front of the waiting list (their order is when they took the seat)."""
    going = _list(session, event, GOING)
    if event.capacity is not None and len(going) > event.capacity:
        for rsvp in going[event.capacity :]:
            rsvp.status = WAITING  # updated_at kept: ahead of those who waited after them
        session.flush()
        return
    free = None if event.capacity is None else event.capacity - len(going)
    for rsvp in _list(session, event, WAITING):
        if free == 0:
            break
        if eligibility(session, rsvp.user, event, now).invited:
            rsvp.status, rsvp.updated_at = GOING, now
            free = None if free is None else free - 1
    session.flush()


def seats_left(session: Session, event: Event) -> int | None:
    """Seats not taken; None when the event has no limit."""
    return _seats_left(session, event)


def list_seats_left(session: Session, events: list[Event]) -> dict[int, int | None]:
    ids = [event.id for event in events if event.capacity is not None]
    query = (
        select(Rsvp.event_id, func.count())
        .where(Rsvp.event_id.in_(ids), Rsvp.status == GOING)
        .group_by(Rsvp.event_id)
    )
    taken = dict(session.execute(query).all()) if ids else {}
    return {
        event.id: None
        if event.capacity is None
        else max(event.capacity - taken.get(event.id, 0), 0)
        for event in events
    }


def get_seat(session: Session, user: User, event: Event) -> Seat | None:
    return list_member_seats(session, user, [event]).get(event.id)


def list_member_seats(session: Session, user: User, events: list[Event]) -> dict[int, Seat]:
    """The member's seat or place on the waiting list at each of these events, by event id."""
    ids = [event.id for event in events]
    query = select(Rsvp).where(
        Rsvp.user_id == user.id, Rsvp.event_id.in_(ids), Rsvp.status != CANCELLED
    )
    seats = {}
    for rsvp in session.scalars(query):
        position = None
        if rsvp.status == WAITING:
            ahead = select(func.count()).where(
                Rsvp.event_id == rsvp.event_id,
                Rsvp.status == WAITING,
                (Rsvp.updated_at < rsvp.updated_at)
                | ((Rsvp.updated_at == rsvp.updated_at) & (Rsvp.id < rsvp.id)),
            )
            position = session.scalar(ahead) + 1
        seats[rsvp.event_id] = Seat(rsvp.status, position)
    return seats


def list_rsvps(session: Session, event: Event) -> tuple[list[Rsvp], list[Rsvp]]:
    """Who is going, and who waits, in order: the organiser's list."""
    return _list(session, event, GOING), _list(session, event, WAITING)


def _release(session: Session, answers: list[tuple[int, int]], now: datetime) -> int:
    """Cancels the replies (event id, user id), each event's under its lock, in the events'
    order (two rounds never wait on each other), and moves each event's waiting list up."""
    released = 0
    for event_id, rows in groupby(sorted(answers), key=lambda row: row[0]):
        event = session.get(Event, event_id)
        lock_event(session, event)
        query = select(Rsvp).where(
            Rsvp.event_id == event_id,
            Rsvp.user_id.in_([user_id for _event_id, user_id in rows]),
            Rsvp.status != CANCELLED,
        )
        rsvps = list(session.scalars(query.execution_options(populate_existing=True)))
        for rsvp in rsvps:
            rsvp.status, rsvp.updated_at = CANCELLED, now
        session.flush()
        if rsvps:
            settle_seats(session, event, now)
        released += len(rsvps)
    return released


def _refusal(reason: str, event: Event) -> str:
    if reason == "not_invited":
        return _(
            "This event is for invited people only. Invited: %(rule)s.", rule=rule_in_words(event)
        )
    return _("Only members with a valid membership card can reply.")


def _get(session: Session, user: User, event: Event) -> Rsvp | None:
    query = select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.user_id == user.id)
    return session.scalar(query)


def _list(session: Session, event: Event, status: str) -> list[Rsvp]:
    query = (
        select(Rsvp)
        .where(Rsvp.event_id == event.id, Rsvp.status == status)
        .order_by(Rsvp.updated_at, Rsvp.id)
    )
    return list(session.scalars(query))


def _seats_left(session: Session, event: Event) -> int | None:
    return list_seats_left(session, [event])[event.id]
