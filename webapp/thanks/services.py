"""Thanks between members, from a monthly allowance of points: this module is the only writer of
`thanks` and `thanks_optouts`.

Every member may give `allowance` points (thanks/settings.py) in each calendar month of the
community's time zone (Asia/Tokyo). Nothing is stored for the allowance itself: what remains
in a month is the allowance less what was given in it, so a new month starts whole and what
was not given lapses, with no job to run at midnight. At most `per_person_cap` of it goes to
one person in a month. Only members whose card gives its rights now give and receive."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from webapp.accounts.models import User
from webapp.core.errors import DomainError, NotFound
from webapp.core.i18n import local_zone
from webapp.events.models import Event
from webapp.membership.services import MemberState, get_membership, member_state
from webapp.thanks.models import Thanks, ThanksOptOut
from webapp.thanks.settings import get_rules

# Whether a member took part in an event: check-in's to say, registered by the app
# (`when_asking_who_attended`), so that 「主催者にありがとう」 opens only for those who did.
ATTENDED = "enishi.attended"
MESSAGE_MAX = 140
VIA = ("profile", "card", "checkin", "feed")
FEED_LIMIT = 50


def thanks_month(now: datetime) -> str:
    """The allowance's month of `now`, in the community's time zone: "2026-12"."""
    local = now.astimezone(local_zone())
    return f"{local.year:04d}-{local.month:02d}"


def next_month_start(now: datetime) -> datetime:
    """When the allowance is whole again: the next month's first local midnight."""
    zone = local_zone()
    local = now.astimezone(zone)
    return datetime(local.year + local.month // 12, local.month % 12 + 1, 1, tzinfo=zone)


def message_length(message: str) -> int:
    """Characters as the form counts them: a line break is one, whatever the browser sent."""
    return len(_plain(message))


def _plain(message: str) -> str:
    return message.replace("\r\n", "\n").replace("\r", "\n").strip()


def given_in(session: Session, giver: User, month: str) -> int:
    query = select(func.coalesce(func.sum(Thanks.points), 0)).where(
        Thanks.giver_id == giver.id, Thanks.month == month
    )
    return session.scalar(query)


def given_to(session: Session, giver: User, receiver: User, month: str) -> int:
    """Points `giver` gave `receiver` in `month`."""
    query = select(func.coalesce(func.sum(Thanks.points), 0)).where(
        Thanks.giver_id == giver.id, Thanks.receiver_id == receiver.id, Thanks.month == month
    )
    return session.scalar(query)


def remaining(session: Session, user: User, now: datetime) -> int:
    """Points `user` may still give in the month of `now`."""
    return max(0, get_rules(session).allowance - given_in(session, user, thanks_month(now)))


@dataclass(frozen=True)
class Allowance:
    """Where a member stands in the month: what they may give, and to one person."""

    allowance: int
    remaining: int
    cap: int  # the most to one person in a month
    resets_at: datetime  # the next month's first local midnight: whole again


def get_allowance(session: Session, user: User, now: datetime) -> Allowance:
    rules = get_rules(session)
    return Allowance(
        rules.allowance,
        remaining(session, user, now),
        rules.per_person_cap,
        next_month_start(now),
    )


def left_for(session: Session, giver: User, receiver: User, now: datetime) -> int:
    """The most `giver` may give `receiver` now: within the cap and what remains."""
    rules = get_rules(session)
    to_them = given_to(session, giver, receiver, thanks_month(now))
    return max(0, min(rules.per_person_cap - to_them, remaining(session, giver, now)))


# Why someone may not give thanks, by where their card stands.
_CANNOT_GIVE = {
    MemberState.LAPSED: _l("Your member card has expired, so you cannot give thanks now."),
    MemberState.REVOKED: _l("Your member card was taken back, so you cannot give thanks."),
}


def may_give(session: Session, user: User, now: datetime) -> DomainError | None:
    """Why `user` may not give thanks at `now` (None: they may): a card that gives its rights."""
    state = member_state(user, get_membership(session, user), now)
    if state == MemberState.MEMBER:
        return None
    message = _CANNOT_GIVE.get(state, _l("Only members with a valid member card can give thanks."))
    return DomainError("giver_not_member", message)


def may_receive(session: Session, user: User, now: datetime) -> DomainError | None:
    """Why `user` may not receive thanks at `now` (None: they may)."""
    state = member_state(user, get_membership(session, user), now)
    name = user.display_name
    if state == MemberState.MEMBER:
        return None
    if state == MemberState.LAPSED:
        message = _l(
            "%(name)s's member card has expired: they cannot receive thanks now.", name=name
        )
    elif state == MemberState.REVOKED:
        message = _l(
            "%(name)s's member card is no longer valid: they cannot receive thanks.", name=name
        )
    else:
        message = _l("%(name)s has no valid member card: they cannot receive thanks.", name=name)
    return DomainError("receiver_not_member", message)


def give_thanks(
    session: Session,
    giver: User,
    receiver: User,
    points: int,
    message: str,
    *,
    via: str,
    event_id: int | None = None,
    now: datetime,
) -> Thanks:
    """Gives `receiver` `points` of `giver`'s month, with a short message, if every rule allows.
    The giver's row is locked before what they gave is summed: two phones giving the last points
    at once are decided one after the other, and the second finds them given."""
    if via not in VIA:
        raise ValueError(f"unknown via {via!r}")
    if not isinstance(points, int) or points < 1:
        raise DomainError("bad_points", _l("Choose how many points to give: 1 or more."))
    if message_length(message) > MESSAGE_MAX:
        raise DomainError(
            "message_too_long",
            _l("The message is too long: at most %(n)s characters.", n=MESSAGE_MAX),
        )
    if giver.id == receiver.id:
        raise DomainError("not_self", _l("You cannot thank yourself. Thank someone else!"))
    # FOR NO KEY UPDATE (key_share), as perks/redemptions.py: rows that refer to the member
    # may still be written by others meanwhile.
    session.execute(select(User.id).where(User.id == giver.id).with_for_update(key_share=True))
    for refusal in (may_give(session, giver, now), may_receive(session, receiver, now)):
        if refusal is not None:
            raise refusal
    month, rules = thanks_month(now), get_rules(session)
    left = rules.allowance - given_in(session, giver, month)
    left_for_them = rules.per_person_cap - given_to(session, giver, receiver, month)
    if points > min(left, left_for_them):
        raise _over_limit(receiver, rules.per_person_cap, max(0, left), max(0, left_for_them))
    thanks = Thanks(
        giver_id=giver.id,
        receiver_id=receiver.id,
        points=points,
        message=_plain(message),
        month=month,
        via=via,
        event_id=event_id,
        created_at=now,
    )
    session.add(thanks)
    session.flush()
    return thanks


def _over_limit(receiver: User, cap: int, left: int, left_for_them: int) -> DomainError:
    if left <= left_for_them:
        if left == 0:
            return DomainError(
                "no_points_left",
                _l("You have given all your points this month. They come back on the 1st."),
            )
        return DomainError(
            "over_allowance",
            _l("You have %(n)s points left this month: give %(n)s or fewer.", n=left),
        )
    if left_for_them == 0:
        return DomainError(
            "over_cap",
            _l(
                "You have already given %(name)s %(cap)s points this month, the most for one "
                "person. You can thank them again next month.",
                name=receiver.display_name,
                cap=cap,
            ),
        )
    return DomainError(
        "over_cap",
        _l(
            "You can give %(name)s %(n)s more points this month (at most %(cap)s to one person).",
            name=receiver.display_name,
            n=left_for_them,
            cap=cap,
        ),
    )


def get_thanks(session: Session, thanks_id: int, giver: User) -> Thanks:
    """Thanks `giver` gave (anyone else's: none at all, 404)."""
    thanks = session.get(Thanks, thanks_id)
    if thanks is None or thanks.giver_id != giver.id:
        raise NotFound("no_such_thanks", _l("There are no such thanks."))
    return thanks


def event_organiser(session: Session, event_id: int, member: User) -> tuple[Event, User]:
    """The event and its main organiser (who made it), for 「主催者にありがとう」: only to a member
    who took part in it (anyone else: no such event, so that trying numbers tells no names)."""
    event = session.get(Event, event_id)
    attended = current_app.extensions[ATTENDED]
    if event is None or not attended(session, member, event):
        raise NotFound("no_such_event", _l("There is no such event."))
    return event, event.organiser


def when_asking_who_attended(app: Flask, attended: Callable[[Session, User, Event], bool]) -> None:
    app.extensions[ATTENDED] = attended


# The feed


@dataclass(frozen=True)
class FeedItem:
    id: int
    giver_id: int
    giver_name: str
    receiver_id: int
    receiver_name: str
    points: int
    message: str
    created_at: datetime


def recent_thanks(
    session: Session, limit: int = FEED_LIMIT, before_id: int | None = None
) -> list[FeedItem]:
    """The newest thanks, for members: none of anyone who chose not to appear (as giver or as
    receiver), nor of a closed account. `before_id`: the next page, older than that one."""
    giver, receiver = aliased(User), aliased(User)
    hidden = select(ThanksOptOut.user_id)
    query = (
        select(Thanks, giver.display_name, receiver.display_name)
        .join(giver, Thanks.giver_id == giver.id)
        .join(receiver, Thanks.receiver_id == receiver.id)
        .where(
            Thanks.giver_id.not_in(hidden),
            Thanks.receiver_id.not_in(hidden),
            giver.closed_at.is_(None),
            receiver.closed_at.is_(None),
        )
        .order_by(Thanks.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        query = query.where(Thanks.id < before_id)
    return [
        FeedItem(
            t.id,
            t.giver_id,
            giver_name,
            t.receiver_id,
            receiver_name,
            t.points,
            t.message,
            t.created_at,
        )  # fmt: skip
        for t, giver_name, receiver_name in session.execute(query)
    ]


def is_feed_optout(session: Session, user: User) -> bool:
    return session.get(ThanksOptOut, user.id) is not None


def set_feed_optout(session: Session, user: User, out: bool, *, now: datetime) -> None:
    """Whether `user` stays out of the feed, as giver and as receiver, from now on (their past
    thanks too). Setting what is already set changes nothing."""
    if out and not is_feed_optout(session, user):
        try:
            with session.begin_nested():
                session.add(ThanksOptOut(user_id=user.id, created_at=now))
                session.flush()
        except IntegrityError:  # set by the same member's other tap a moment ago
            pass
    elif not out:
        session.execute(delete(ThanksOptOut).where(ThanksOptOut.user_id == user.id))
    session.flush()


# What a member received


@dataclass(frozen=True)
class Received:
    giver_name: str
    points: int
    message: str
    created_at: datetime


@dataclass(frozen=True)
class ReceivedSummary:
    points: int  # ever
    month_points: int  # in the month of `now`
    count: int  # thanks received, ever
    givers: int  # different people, ever
    recent: list[Received]  # the newest few, with their messages


def received_summary(
    session: Session, user: User, *, now: datetime, recent: int = 3
) -> ReceivedSummary:
    """The thanks `user` received: points in all and this month, how many and from how many
    people, and the newest `recent` with their messages (for the profile and the wallet)."""
    mine = Thanks.receiver_id == user.id
    points, count, givers = session.execute(
        select(
            func.coalesce(func.sum(Thanks.points), 0),
            func.count(),
            func.count(Thanks.giver_id.distinct()),
        ).where(mine)
    ).one()
    month_points = session.scalar(
        select(func.coalesce(func.sum(Thanks.points), 0)).where(
            mine, Thanks.month == thanks_month(now)
        )
    )
    rows = (
        session.execute(
            select(User.display_name, Thanks.points, Thanks.message, Thanks.created_at)
            .join(User, Thanks.giver_id == User.id)
            .where(mine)
            .order_by(Thanks.id.desc())
            .limit(recent)
        )
        if recent
        else []
    )
    return ReceivedSummary(points, month_points, count, givers, [Received(*row) for row in rows])
