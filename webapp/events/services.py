"""Event operations: create, read, and who may manage an event."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.accounts.services import get_user_by_email
from webapp.core.db import utcnow
from webapp.core.errors import DomainError, Forbidden, NotFound
from webapp.core.i18n import lazy_coins
from webapp.events.models import Event, EventOrganiser, EventRequiredBadge

MAX_REWARD = 10_000
MAX_BUDGET = 10_000_000
MAX_OFFLINE_CLAIM_DAYS = 30
MAX_DURATION = timedelta(days=366)
MAX_WORD_CHARS = 64
MAX_CAPACITY = 100_000
MAX_RULE_DAYS = 3650
MAX_RULE_BADGES = 1000
AUDIENCES = ("everyone", "members", "rule")
# Check-in opens a little before the start: people arrive early.
OPENS_BEFORE_START = timedelta(minutes=30)
# With no budget given, an event pays this many participants.
DEFAULT_BUDGET_PLACES = 30
# How far back members' list of events reaches.
RECENT_PAST = timedelta(days=90)


@dataclass(frozen=True)
class RewardLimits:
    """The community's limits: a larger reward per participant, or a larger budget for one
    event, is paid only once an administrator approved it (tokens buy real goods)."""

    per_participant: int = 100
    per_event: int = 3000

    @classmethod
    def of(cls, config) -> RewardLimits:
        return cls(config["REWARD_APPROVAL_ABOVE"], config["BUDGET_APPROVAL_ABOVE"])


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
    budget: int | None = None,
    hold_late_claims: bool = False,
    limits: RewardLimits = RewardLimits(),
    now: datetime | None = None,
) -> Event:
    """A new event. Its reward is approved by rule when it is within the community's `limits`;
    otherwise its rewards wait for an administrator. Late display-code claims are held for the
    organisers with `hold_late_claims`, and always when the event has a secret word."""
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
        raise DomainError(
            "bad_reward",
            _l("The reward must be between 0 and %(coins)s.", coins=lazy_coins(MAX_REWARD)),
        )
    if not 0 <= offline_claim_days <= MAX_OFFLINE_CLAIM_DAYS:
        raise DomainError("bad_offline_days", _l("Offline check-ins can count for 0 to 30 days."))
    if budget is None:
        budget = reward * DEFAULT_BUDGET_PLACES
    if not reward <= budget <= MAX_BUDGET:
        raise DomainError(
            "bad_budget",
            _l("The budget must cover at least one participant's reward, at most 10,000,000."),
        )
    word = _clean_word(secret_word)
    within_limits = reward <= limits.per_participant and budget <= limits.per_event
    event = Event(
        title=title,
        venue=venue,
        description=description.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        reward=reward,
        offline_claim_days=offline_claim_days,
        secret_word=word,
        hold_late_claims=hold_late_claims or word is not None,
        budget=budget,
        reward_approved_at=(now or utcnow()) if within_limits else None,
        secret=os.urandom(32),
        organiser_id=organiser.id,
    )
    session.add(event)
    session.flush()
    return event


def set_secret_word(session: Session, event: Event, word: str | None) -> None:
    """Sets (or, empty, removes) the word members type after scanning the printed poster. An
    event that asks for a word holds late display-code claims from then on: a screenshot of
    the display must not do what the word prevents."""
    event.secret_word = _clean_word(word)
    if event.secret_word:
        event.hold_late_claims = True
    session.flush()


def set_hold_late_claims(session: Session, event: Event, hold: bool) -> None:
    event.hold_late_claims = hold
    session.flush()


@dataclass(frozen=True)
class InvitationSettings:
    """Who an event invites (see checkin.eligibility) and its seats: what the organiser sets."""

    audience: str = "members"
    rule_card: bool = False
    rule_badges: int | None = None  # at least this many badges ...
    rule_days: int | None = None  # ... within this many days
    required_event_ids: tuple[int, ...] = ()  # a badge of any one of these events
    rule_project_id: int | None = None  # a member of this project now
    capacity: int | None = None  # seats; None: no limit
    rsvp_open: bool = False
    project_id: int | None = None  # the project the event belongs to


def set_invitation(session: Session, event: Event, invitation: InvitationSettings) -> None:
    """Sets who the event invites, its seats and its project, all or nothing: a rule must set
    at least one condition, badges need both a count and a number of days, and the required
    events must be other events here. (The seats' list is settled by checkin.rsvps.)"""
    rule = invitation.audience == "rule"
    if invitation.audience not in AUDIENCES:
        raise DomainError("bad_audience", _l("Choose who is invited."))
    badges, days = (invitation.rule_badges, invitation.rule_days) if rule else (None, None)
    if (badges is None) != (days is None):
        raise DomainError(
            "badges_need_days", _l("Give both how many times and within how many days.")
        )
    if badges is not None and not (1 <= badges <= MAX_RULE_BADGES and 1 <= days <= MAX_RULE_DAYS):
        raise DomainError(
            "bad_badges",
            _l("Times: 1 to 1,000. Days: 1 to 3,650."),
        )
    required = sorted(set(invitation.required_event_ids)) if rule else []
    if event.id in required:
        raise DomainError("required_itself", _l("An event cannot require a badge of itself."))
    found = session.scalars(select(Event.id).where(Event.id.in_(required))).all()
    if len(found) != len(required):
        raise NotFound("unknown_event", _l("There is no such event."))
    card = rule and invitation.rule_card
    project = invitation.rule_project_id if rule else None
    if rule and not (card or badges or required or project):
        raise DomainError(
            "empty_rule", _l("Choose at least one condition, or invite members or everyone.")
        )
    capacity = invitation.capacity
    if capacity is not None and not 0 <= capacity <= MAX_CAPACITY:
        raise DomainError("bad_capacity", _l("Seats: 0 to 100,000, or empty for no limit."))
    event.audience, event.rule_card = invitation.audience, card
    event.rule_badges, event.rule_days, event.rule_project_id = badges, days, project
    event.capacity, event.rsvp_open = capacity, invitation.rsvp_open
    event.project_id = invitation.project_id
    session.execute(delete(EventRequiredBadge).where(EventRequiredBadge.event_id == event.id))
    session.add_all(EventRequiredBadge(event_id=event.id, required_event_id=i) for i in required)
    session.flush()
    session.expire(event, ["required_events", "rule_project"])


def invitation_of(event: Event) -> InvitationSettings:
    return InvitationSettings(
        audience=event.audience,
        rule_card=event.rule_card,
        rule_badges=event.rule_badges,
        rule_days=event.rule_days,
        required_event_ids=tuple(required.id for required in event.required_events),
        rule_project_id=event.rule_project_id,
        capacity=event.capacity,
        rsvp_open=event.rsvp_open,
        project_id=event.project_id,
    )


def lock_event(session: Session, event: Event) -> None:
    """Takes the event's row for this transaction (its seats are counted under it); on SQLite
    the writing transaction already holds the database."""
    query = (
        select(Event.id)
        .where(Event.id == event.id)
        .with_for_update(key_share=True)  # claims' and RSVPs' foreign keys may share it
    )
    session.execute(query)
    session.refresh(event, ["capacity", "rsvp_open"])


def needs_reward_approval(event: Event) -> bool:
    return event.reward > 0 and event.reward_approved_at is None


def approve_reward(session: Session, event: Event, admin: User, now: datetime) -> None:
    if not admin.is_admin:
        raise Forbidden("not_an_admin", _l("Only administrators can approve rewards."))
    event.reward_approved_at, event.reward_approved_by_id = now, admin.id
    session.flush()


def drop_reward(session: Session, event: Event, admin: User, now: datetime) -> None:
    """An administrator refuses the reward: participants get the badge, without tokens."""
    if not admin.is_admin:
        raise Forbidden("not_an_admin", _l("Only administrators can approve rewards."))
    event.reward = event.budget = 0
    event.reward_approved_at, event.reward_approved_by_id = now, admin.id
    session.flush()


def list_events_awaiting_approval(session: Session) -> list[Event]:
    query = (
        select(Event)
        .where(Event.reward > 0, Event.reward_approved_at.is_(None))
        .order_by(Event.starts_at)
    )
    return list(session.scalars(query))


def rotate_display_key(session: Session, event: Event) -> None:
    """Moves the event's display codes to a new key: codes signed with the old one are refused
    from now on (the kiosk pages hold the key, so a stopped display link's tablet could make
    them). The row is locked and read again so that two rotations at once both count."""
    query = (
        select(Event.display_key_version)
        .where(Event.id == event.id)
        .with_for_update(key_share=True)  # no key changes: claims' foreign keys may share it
        .execution_options(populate_existing=True)
    )
    event.display_key_version = session.scalar(query) + 1
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
        query = query.where(_run_by(user))
    return list(session.scalars(query))


def list_upcoming_events(
    session: Session, now: datetime, *, attendee: User | None = None, limit: int = 50
) -> list[Event]:
    """Events not over yet (check-in stays open to the end), the soonest first. For an
    `attendee`, those they run are left out: organisers cannot check themselves in."""
    query = select(Event).where(Event.ends_at > now).order_by(Event.starts_at, Event.id)
    if attendee is not None:
        query = query.where(~_run_by(attendee))
    return list(session.scalars(query.limit(limit)))


def list_past_events(
    session: Session, now: datetime, *, within: timedelta = RECENT_PAST, limit: int = 30
) -> list[Event]:
    """Events that ended within `within`, the latest first."""
    query = (
        select(Event)
        .where(Event.ends_at <= now, Event.ends_at > now - within)
        .order_by(Event.ends_at.desc(), Event.id.desc())
    )
    return list(session.scalars(query.limit(limit)))


def _run_by(user: User):
    """Whether an event was created or is co-organised by `user`, as a condition of a query."""
    co_organised = select(EventOrganiser.event_id).where(EventOrganiser.user_id == user.id)
    return (Event.organiser_id == user.id) | Event.id.in_(co_organised)


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


def checkin_window(event: Event, now: datetime) -> str:
    """Where `now` falls for the event's live check-in: "before" it opens, "open", or "ended"
    (codes shown after the end are refused; offline scans made before it may still arrive)."""
    if now < checkin_opens_at(event):
        return "before"
    return "open" if now < event.ends_at else "ended"


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
