"""Who an event invites: the one evaluation of an event's audience, used by the wallet's
invitations, the RSVP and the check-in alike.

An event is open to `everyone` with an account (a closed account never), to `members` whose
会員証 gives its rights (the default), or to those who meet its `rule`: every condition set
holds. The conditions: holds the card; at least N badges (attendances) within the last D days,
counted from `now` back, both ends included; a badge of any one of the required events; a member
of the project now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.checkin.models import Attendance
from webapp.events.models import Event
from webapp.membership.services import is_member
from webapp.projects.services import in_project_ids

EVERYONE, MEMBERS, RULE = "everyone", "members", "rule"
AUDIENCES = (EVERYONE, MEMBERS, RULE)
# A rule's conditions, as `Eligibility.unmet` names them.
CARD, BADGES, EVENTS, PROJECT = "card", "badges", "events", "project"


@dataclass(frozen=True)
class Eligibility:
    invited: bool
    reason: str | None = None  # None, "not_a_member" or "not_invited": check-in's reason codes
    unmet: tuple[str, ...] = ()  # the rule's conditions not met


class _Facts:
    """What the conditions ask of one person, read once however many events are evaluated."""

    def __init__(
        self,
        session: Session,
        user: User,
        now: datetime,
        pending: tuple[tuple[int, datetime], ...] = (),
    ):
        self.session, self.user, self.now, self.pending = session, user, now, pending

    @cached_property
    def member(self) -> bool:
        return is_member(self.session, self.user, self.now)

    @cached_property
    def projects(self) -> set[int]:
        return in_project_ids(self.session, self.user.id)

    @cached_property
    def attendances(self) -> list[tuple[int, datetime]]:
        query = select(Attendance.event_id, Attendance.checked_in_at).where(
            Attendance.user_id == self.user.id
        )
        return [tuple(row) for row in self.session.execute(query)] + list(self.pending)

    def badges_within(self, days: int) -> int:
        since = self.now - timedelta(days=days)
        return sum(1 for _event, at in self.attendances if since <= at <= self.now)


def eligibility(
    session: Session,
    user: User,
    event: Event,
    now: datetime,
    pending: tuple[tuple[int, datetime], ...] = (),
) -> Eligibility:
    """Whether `user` is invited to `event` at `now`, and if not, why. `pending`: attendances
    (event id, time) decided but not yet written, which count as the written ones do (a batch's
    earlier check-ins, written together after the last is decided)."""
    return _evaluate(event, _Facts(session, user, now, pending))


def list_eligibility(
    session: Session, user: User, events: list[Event], now: datetime
) -> dict[int, Eligibility]:
    """The same answer for many events at once (the wallet, the calendar), by event id."""
    facts = _Facts(session, user, now)
    return {event.id: _evaluate(event, facts) for event in events}


def audience_refusal(audience: str, closed: bool, member: bool) -> str | None:
    """The answer for an event open to everyone or to members, from plain facts (the check-in's
    set-based path): None if invited, else "not_a_member". An event with a rule needs
    `eligibility`."""
    if closed:
        return "not_a_member"
    if audience == EVERYONE or member:
        return None
    return "not_a_member"


def _evaluate(event: Event, facts: _Facts) -> Eligibility:
    if event.audience != RULE or facts.user.closed_at is not None:
        closed = facts.user.closed_at is not None
        refusal = audience_refusal(
            event.audience, closed, event.audience != EVERYONE and facts.member
        )
        return Eligibility(refusal is None, refusal)
    unmet = []
    if event.rule_card and not facts.member:
        unmet.append(CARD)
    if event.rule_badges and facts.badges_within(event.rule_days) < event.rule_badges:
        unmet.append(BADGES)
    required = {required.id for required in event.required_events}
    if required and not required & {event_id for event_id, _at in facts.attendances}:
        unmet.append(EVENTS)
    if event.rule_project_id is not None and event.rule_project_id not in facts.projects:
        unmet.append(PROJECT)
    return Eligibility(False, "not_invited", tuple(unmet)) if unmet else Eligibility(True)


def rule_in_words(event: Event) -> str:
    """Who the event invites, in a plain sentence (「会員証をお持ちで、過去90日に3回以上参加し
    た方」)."""
    if event.audience == EVERYONE:
        return _("Everyone with an account")
    if event.audience != RULE:
        return _("Members with a valid membership card")
    clauses = []
    if event.rule_badges:
        clauses.append(
            _(
                "took part %(n)s times or more in the last %(days)s days",
                n=event.rule_badges,
                days=event.rule_days,
            )
        )
    if event.required_events:
        titles = _(", ").join(
            _("“%(title)s”", title=required.title) for required in event.required_events
        )
        if len(event.required_events) == 1:
            clauses.append(_("took part in %(titles)s", titles=titles))
        else:
            clauses.append(_("took part in any of %(titles)s", titles=titles))
    if event.rule_project is not None:
        clauses.append(_("are in the project “%(title)s”", title=event.rule_project.title))
    conditions = _(" and ").join(clauses)
    if event.rule_card and conditions:
        return _("Those who hold a membership card and %(conditions)s", conditions=conditions)
    if event.rule_card:
        return _("Those who hold a membership card")
    if conditions:
        return _("Those who %(conditions)s", conditions=conditions)
    return _("Everyone with an account")
