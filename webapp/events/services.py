"""Event operations: create, read, and who may manage an event."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.accounts.services import get_user_by_email
from webapp.core.errors import DomainError, Forbidden, NotFound
from webapp.events.models import Event, EventOrganiser

MAX_REWARD = 10_000
MAX_OFFLINE_CLAIM_DAYS = 30
MAX_DURATION = timedelta(days=366)
MAX_WORD_CHARS = 64
# Check-in opens a little before the start: people arrive early.
OPENS_BEFORE_START = timedelta(minutes=30)


def create_event(
    session: Session,
    organiser: User,
    *,
    title: str,
    venue: str,
    starts_at: datetime,
    ends_at: datetime,
    reward: int,
    description: str = "",
    offline_claim_days: int = 7,
    secret_word: str | None = None,
) -> Event:
    if not organiser.is_organiser:
        raise Forbidden("not_an_organiser", _l("Only organisers can create events."))
    title, venue = title.strip(), venue.strip()
    if not title:
        raise DomainError("title_required", _l("Give the event a title."))
    if ends_at <= starts_at:
        raise DomainError("ends_before_start", _l("The end must be after the start."))
    if ends_at - starts_at > MAX_DURATION:
        raise DomainError("too_long", _l("An event can last at most one year."))
    if not 0 <= reward <= MAX_REWARD:
        raise DomainError("bad_reward", _l("The reward must be between 0 and 10,000 tokens."))
    if not 0 <= offline_claim_days <= MAX_OFFLINE_CLAIM_DAYS:
        raise DomainError("bad_offline_days", _l("Offline check-ins can count for 0 to 30 days."))
    event = Event(
        title=title,
        venue=venue,
        description=description.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        reward=reward,
        offline_claim_days=offline_claim_days,
        secret_word=_clean_word(secret_word),
        secret=os.urandom(32),
        organiser_id=organiser.id,
    )
    session.add(event)
    session.flush()
    return event


def set_secret_word(session: Session, event: Event, word: str | None) -> None:
    """Sets (or, empty, removes) the word members type after scanning the printed poster."""
    event.secret_word = _clean_word(word)
    session.flush()


def _clean_word(word: str | None) -> str | None:
    word = (word or "").strip()
    if len(word) > MAX_WORD_CHARS:
        raise DomainError("word_too_long", _l("The secret word can have at most 64 characters."))
    return word or None


def get_event(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound("unknown_event", _l("There is no such event."))
    return event


def get_managed_event(session: Session, user: User, event_id: int) -> Event:
    """The event, if `user` organises it (or is an admin)."""
    event = get_event(session, event_id)
    if not can_manage(user, event):
        raise Forbidden("not_your_event", _l("Only the event's organisers can see this."))
    return event


def can_manage(user: User, event: Event) -> bool:
    """Admins, and organisers who created the event or were added to it as co-organisers."""
    return user.is_admin or (user.is_organiser and runs_event(user, event))


def runs_event(user: User, event: Event) -> bool:
    """Whether `user` created the event or was added to it as a co-organiser (an administrator
    manages every event but runs only those)."""
    return event.organiser_id == user.id or any(o.id == user.id for o in event.co_organisers)


def list_managed_events(session: Session, user: User) -> list[Event]:
    query = select(Event).order_by(Event.starts_at.desc())
    if not user.is_admin:
        co_organised = select(EventOrganiser.event_id).where(EventOrganiser.user_id == user.id)
        query = query.where((Event.organiser_id == user.id) | Event.id.in_(co_organised))
    return list(session.scalars(query))


def add_co_organiser(session: Session, event: Event, actor: User, email: str) -> User:
    """Adds the organiser with this e-mail address to the event's organisers."""
    user = get_user_by_email(session, email.strip())
    if user is None:
        raise DomainError("unknown_user", _l("Nobody with this e-mail address uses Enishi."))
    if not user.is_organiser:
        raise DomainError(
            "not_an_organiser", _l("Only organisers can run events. Ask an administrator.")
        )
    if can_manage(user, event) and not user.is_admin:
        raise DomainError("already_an_organiser", _l("This person already runs this event."))
    if session.get(EventOrganiser, (event.id, user.id)) is None:
        session.add(EventOrganiser(event_id=event.id, user_id=user.id, added_by_id=actor.id))
    session.flush()
    session.expire(event, ["co_organisers"])
    return user


def remove_co_organiser(session: Session, event: Event, user_id: int) -> None:
    link = session.get(EventOrganiser, (event.id, user_id))
    if link is None:
        raise NotFound("not_a_co_organiser", _l("This person is not a co-organiser."))
    session.delete(link)
    session.flush()
    session.expire(event, ["co_organisers"])


def checkin_opens_at(event: Event) -> datetime:
    return event.starts_at - OPENS_BEFORE_START


def list_current_events(session: Session, now: datetime, around: timedelta = timedelta(days=7)):
    """Events whose check-in is open or near: a phone keeps their names to label offline
    scans."""
    query = (
        select(Event)
        .where(Event.starts_at <= now + around, Event.ends_at >= now - around)
        .order_by(Event.starts_at)
        .limit(200)
    )
    return list(session.scalars(query))
