"""The check-in algorithm: one function decides every claim, whichever route brought it.

A claim is a scan as the phone reported it: its own id (made on the phone, the same on every
retry), the code and the scan time. The answer is accepted, duplicate or rejected with a
stable reason code; every claim is stored with its answer, and a claim id seen before gets
the first answer again. An accepted claim makes, in the same transaction, one attendance,
one ledger credit and one chain job.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.accounts.services import get_user
from webapp.checkin import codes
from webapp.checkin.eligibility import eligibility, rule_in_words
from webapp.checkin.models import Attendance, Claim, ClaimStatus
from webapp.checkin.rewards import Award, award_terms, get_award
from webapp.core.errors import NotFound
from webapp.events.models import Event
from webapp.events.services import checkin_opens_at, runs_event
from webapp.ledger.services import credit_reward
from webapp.membership.cards import read_card_code
from webapp.onchain.jobs import queue_award

# Reason codes are part of the API: never rename one; add new ones.
REASONS = {
    "malformed": _l("This is not an Enishi check-in code."),
    "unknown_event": _l("This code belongs to no event here."),
    "bad_signature": _l("This code is not genuine."),
    "stale_code": _l("This code has changed since. Please scan the code shown now."),
    "future_code": _l("This code is not valid yet. Check the clock of the screen showing it."),
    "too_late": _l("This check-in was sent too long after the scan to count."),
    "not_yet_open": _l("Check-in for this event has not opened yet."),
    "expired": _l("This event has ended; check-in is closed."),
    "not_a_member": _l("Only members can check in. Please ask the organiser."),
    "own_event": _l("The organisers of an event cannot check themselves in to it."),
    "already_checked_in": _l("You are already checked in to this event."),
    "id_conflict": _l("This claim id is already used. Please scan again."),
    "word_needed": _l("This event has a secret word. Scan again and type the word you heard."),
    "wrong_word": _l("That is not this event's secret word. Scan again and type it once more."),
    "too_many_words": _l("Too many wrong secret words. Please ask the organiser to check you in."),
    "awaiting_approval": _l(
        "This check-in arrived after the code had changed: it counts once the organiser has "
        "looked at it."
    ),
    "refused": _l("The organiser did not approve this check-in."),
    # The event invites by a rule the member does not meet; the message says the rule.
    "not_invited": _l("This event is for invited people only."),
}
# Wrong secret words a member may type for one event: a spoken word must not be found by trying
# a list of words.
MAX_WRONG_WORDS = 5
MAX_CODE_CHARS = 512
MAX_EVENT_ID = 2**31 - 1  # a token carries 32 bits; the events table holds signed 32-bit ids


@dataclass(frozen=True)
class ClaimInput:
    id: str
    code: str
    scanned_at: datetime
    offline: bool = False  # the phone had no connection when it scanned
    word: str | None = None  # the secret word typed after scanning a printed code


@dataclass(frozen=True)
class ClaimResult:
    id: str
    status: str
    reason: str | None = None
    event: Event | None = None
    offline: bool = False
    award: Award | None = None  # what an accepted claim brings: coins, or why none

    @property
    def accepted(self) -> bool:
        return self.status == ClaimStatus.ACCEPTED

    @property
    def message(self) -> str | None:
        return refusal_message(self.reason, self.event)

    def as_dict(self) -> dict:
        answer = {
            "id": self.id,
            "status": self.status,
            "reason": self.reason,
            "offline": self.offline,
        }
        if self.reason:
            answer["message"] = self.message
        if self.event is not None:
            answer["event"] = {"id": self.event.id, "title": self.event.title}
        if self.award is not None:
            answer["award"] = self.award.as_dict()
        return answer


def refusal_message(reason: str | None, event: Event | None) -> str | None:
    """A reason code in words; an event that invites by rule says its rule."""
    if not reason:
        return None
    if reason == "not_invited" and event is not None:
        return _("%(reason)s Invited: %(rule)s.", reason=REASONS[reason], rule=rule_in_words(event))
    return str(REASONS[reason])


def _invitation_refusal(session: Session, user: User, event: Event, now: datetime) -> str | None:
    """None if `user` may check in to `event` at `now`; else "not_a_member" or "not_invited"."""
    return eligibility(session, user, event, now).reason


def record_claim(
    session: Session,
    user: User,
    claim: ClaimInput,
    *,
    now: datetime,
    source: str,
    observed_at: datetime | None = None,
) -> ClaimResult:
    """Decides and stores one claim. `observed_at` is when the server first saw the code
    (defaults to `now`); the rotation allowance is measured from it."""
    # One member's claims are decided one at a time: a retry racing its original must find it.
    session.execute(select(User.id).where(User.id == user.id).with_for_update())
    previous = session.get(Claim, claim.id)
    if previous is not None:
        if previous.user_id != user.id:
            return ClaimResult(claim.id, ClaimStatus.REJECTED, "id_conflict")
        award = get_award(session, previous.id) if previous.status == ClaimStatus.ACCEPTED else None
        return ClaimResult(
            previous.id, previous.status, previous.reason, previous.event, previous.offline, award
        )

    decision = _decide(session, user, claim, observed_at or now)
    stored = Claim(
        id=claim.id,
        user_id=user.id,
        event_id=decision.event.id if decision.event else None,
        code=claim.code[:MAX_CODE_CHARS],
        slot=decision.slot,
        scanned_at=claim.scanned_at,
        received_at=now,
        source=source,
        # Offline if the phone says it scanned with no connection, or if the claim came later
        # than a live scan could: either way the organiser sees it marked.
        offline=claim.offline or decision.late,
        status=decision.status,
        reason=decision.reason,
        via=decision.via,
    )
    session.add(stored)
    session.flush()
    award = None
    if decision.status == ClaimStatus.ACCEPTED:
        award = _attend(session, user, decision.event, stored, now)
    return ClaimResult(
        claim.id, decision.status, decision.reason, decision.event, stored.offline, award
    )


def check_in_by_organiser(
    session: Session, organiser: User, member: User, event: Event, *, via: str, now: datetime
) -> ClaimResult:
    """An organiser checks in a member who has no phone with them: by scanning the member's
    card (`via` "card") or finding them by name ("search"). Stored as a claim like any other,
    with who recorded it; late entries count as long as the event's offline claims would."""
    session.execute(select(User.id).where(User.id == member.id).with_for_update())
    if _has_attended(session, member, event):
        status, reason = ClaimStatus.DUPLICATE, "already_checked_in"
    elif runs_event(member, event):
        status, reason = ClaimStatus.REJECTED, "own_event"
    elif now < checkin_opens_at(event):
        status, reason = ClaimStatus.REJECTED, "not_yet_open"
    elif now >= event.ends_at + timedelta(days=event.offline_claim_days):
        status, reason = ClaimStatus.REJECTED, "expired"
    elif refusal := _invitation_refusal(session, member, event, now):
        status, reason = ClaimStatus.REJECTED, refusal
    else:
        status, reason = ClaimStatus.ACCEPTED, None
    stored = Claim(
        id=str(uuid.uuid4()),
        user_id=member.id,
        event_id=event.id,
        code=f"{via}:{member.id}",
        scanned_at=now,
        received_at=now,
        source="organiser",
        via=via,
        recorded_by_id=organiser.id,
        status=status,
        reason=reason,
    )
    session.add(stored)
    session.flush()
    if status == ClaimStatus.ACCEPTED:
        _attend(session, member, event, stored, now)
    return ClaimResult(stored.id, status, reason, event)


def check_in_at_desk(
    session: Session,
    organiser: User,
    event: Event,
    *,
    card: str | None,
    member_id: int | None,
    card_key: bytes,
    now: datetime,
) -> tuple[User, ClaimResult]:
    """The organiser's desk: checks in the member whose card was scanned (`card`, its QR
    code's text) or, without a card, the member found by name (`member_id`)."""
    if card:
        member_id, via = read_card_code(card, card_key), "card"
        refusal = NotFound("not_a_card", _l("This is not an Enishi member card."))
    else:
        via = "search"
        refusal = NotFound("no_such_member", _l("There is no such member."))
    member = get_user(session, member_id) if member_id is not None else None
    if member is None:
        raise refusal
    return member, check_in_by_organiser(session, organiser, member, event, via=via, now=now)


def record_claims(
    session: Session, user: User, claims: list[ClaimInput], *, now: datetime, source: str
) -> list[ClaimResult]:
    return [record_claim(session, user, claim, now=now, source=source) for claim in claims]


@dataclass(frozen=True)
class _Decision:
    status: str
    reason: str | None = None
    event: Event | None = None
    slot: int | None = None
    late: bool = False  # accepted after the rotation allowance, as an offline claim
    via: str = "display"


def _decide(session: Session, user: User, claim: ClaimInput, observed_at: datetime) -> _Decision:
    """The answer to a code, checked in the order a member can act on.

    Precedence: a code that is not genuine is rejected first; then a member already checked
    in gets `duplicate` whatever the code's age; then the event's own organisers are refused;
    then the code's time (and a printed code's secret word); then whether the event invites
    the member (membership, or the event's rule: checkin.eligibility)."""
    try:
        code = codes.parse_token(claim.code)
    except codes.MalformedCode:
        return _Decision(ClaimStatus.REJECTED, "malformed")
    event = session.get(Event, code.event_id) if code.event_id <= MAX_EVENT_ID else None
    if event is None:
        return _Decision(ClaimStatus.REJECTED, "unknown_event", slot=code.slot)
    # Display codes count only under the current display key, whenever they were scanned:
    # after a display link is stopped (and the key rotated), a claim kept offline from before
    # is refused too, since the stopped tablet still holds the old key and could make codes
    # for any past slot (see checkin/display_links.py).
    if not codes.is_authentic(code, event.secret, event.display_key_version):
        return _Decision(ClaimStatus.REJECTED, "bad_signature", slot=code.slot)

    def reject(reason: str) -> _Decision:
        return _Decision(ClaimStatus.REJECTED, reason, event, code.slot)

    if _has_attended(session, user, event):
        return _Decision(ClaimStatus.DUPLICATE, "already_checked_in", event, code.slot)
    if runs_event(user, event):  # rewards are for taking part, not for running the event
        return reject("own_event")
    if code.kind == codes.KIND_PRINTED:
        return _decide_printed(session, user, claim, event, observed_at)
    if codes.slot_age(code.slot, observed_at) < 0:
        return reject("future_code")
    late = not codes.is_live(code.slot, observed_at)
    shown_at = codes.slot_start(code.slot)
    if late and event.offline_claim_days == 0:
        return reject("stale_code")
    if late and observed_at - shown_at > timedelta(days=event.offline_claim_days):
        return reject("too_late")
    if shown_at + codes.SLOT_LENGTH <= checkin_opens_at(event):
        return reject("not_yet_open")
    if shown_at >= event.ends_at:
        return reject("expired")
    if refusal := _invitation_refusal(session, user, event, observed_at):
        return reject(refusal)
    if late and event.hold_late_claims:
        # A late display code may be a screenshot sent on: an organiser decides.
        status = ClaimStatus.DUPLICATE if _is_held(session, user, event) else ClaimStatus.HELD
        return _Decision(status, "awaiting_approval", event, code.slot, late=True)
    return _Decision(ClaimStatus.ACCEPTED, None, event, code.slot, late=late)


def _decide_printed(
    session: Session, user: User, claim: ClaimInput, event: Event, observed_at: datetime
) -> _Decision:
    """A poster's code carries no time: the scan's time is the server's, or for a claim kept
    on a phone with no signal, the phone's (never later than its arrival)."""

    def reject(reason: str) -> _Decision:
        return _Decision(ClaimStatus.REJECTED, reason, event, codes.PRINTED_SLOT, via="printed")

    moment = min(claim.scanned_at, observed_at) if claim.offline else observed_at
    if observed_at - moment > timedelta(days=event.offline_claim_days):
        return reject("too_late")
    if moment < checkin_opens_at(event):
        return reject("not_yet_open")
    if moment >= event.ends_at:
        return reject("expired")
    if event.secret_word and not (claim.word or "").strip():
        return reject("word_needed")
    if event.secret_word and _wrong_words(session, user, event) >= MAX_WRONG_WORDS:
        return reject("too_many_words")
    if event.secret_word and not codes.same_word(claim.word, event.secret_word):
        return reject("wrong_word")
    if refusal := _invitation_refusal(session, user, event, observed_at):
        return reject(refusal)
    late = observed_at - moment > codes.SLOT_LENGTH * 2
    return _Decision(ClaimStatus.ACCEPTED, None, event, codes.PRINTED_SLOT, late, "printed")


def _wrong_words(session: Session, user: User, event: Event) -> int:
    query = select(func.count()).where(
        Claim.user_id == user.id, Claim.event_id == event.id, Claim.reason == "wrong_word"
    )
    return session.scalar(query)


def get_code_event(session: Session, code_text: str) -> tuple[Event, codes.CheckinCode] | None:
    """The event of a genuine check-in code, and the code read (None for anything else, a
    forgery included: only someone who saw the real code learns whose it is)."""
    try:
        code = codes.parse_token(code_text)
    except codes.MalformedCode:
        return None
    event = session.get(Event, code.event_id) if code.event_id <= MAX_EVENT_ID else None
    if event is None or not codes.is_authentic(code, event.secret, event.display_key_version):
        return None
    return event, code


def event_asking_word(session: Session, code_text: str) -> Event | None:
    """The event, if `code_text` is a genuine printed code of an event with a secret word: the
    member must type the word before the claim is made."""
    found = get_code_event(session, code_text)
    if found is None:
        return None
    event, code = found
    return event if code.kind == codes.KIND_PRINTED and event.secret_word else None


def _is_held(session: Session, user: User, event: Event) -> bool:
    query = select(Claim.id).where(
        Claim.user_id == user.id, Claim.event_id == event.id, Claim.status == ClaimStatus.HELD
    )
    return session.scalar(query.limit(1)) is not None


def list_held_claims(session: Session, event: Event) -> list[Claim]:
    """The event's late claims waiting for an organiser, oldest first."""
    query = (
        select(Claim)
        .where(Claim.event_id == event.id, Claim.status == ClaimStatus.HELD)
        .order_by(Claim.received_at)
    )
    return list(session.scalars(query))


def list_member_held_claims(session: Session, user: User) -> list[Claim]:
    query = (
        select(Claim)
        .where(Claim.user_id == user.id, Claim.status == ClaimStatus.HELD)
        .order_by(Claim.received_at.desc())
    )
    return list(session.scalars(query))


def decide_held_claim(
    session: Session, organiser: User, event: Event, claim_id: str, *, approve: bool, now: datetime
) -> tuple[User, ClaimResult]:
    """An organiser approves or refuses a held claim of their event. An approved claim is
    decided as it would have been (the member may have checked in since, or lost the card)."""
    claim = session.get(Claim, claim_id)
    if claim is None or claim.event_id != event.id or claim.status != ClaimStatus.HELD:
        raise NotFound("no_such_claim", _l("This check-in no longer waits for a decision."))
    member = claim.user
    session.execute(select(User.id).where(User.id == member.id).with_for_update())
    if not approve:
        status, reason = ClaimStatus.REJECTED, "refused"
    elif _has_attended(session, member, event):
        status, reason = ClaimStatus.DUPLICATE, "already_checked_in"
    elif refusal := _invitation_refusal(session, member, event, now):
        status, reason = ClaimStatus.REJECTED, refusal
    else:
        status, reason = ClaimStatus.ACCEPTED, None
    claim.status, claim.reason, claim.recorded_by_id = status, reason, organiser.id
    session.flush()
    if status == ClaimStatus.ACCEPTED:
        _attend(session, member, event, claim, now)
    return member, ClaimResult(claim.id, status, reason, event, claim.offline)


def _has_attended(session: Session, user: User, event: Event) -> bool:
    query = select(Attendance.id).where(
        Attendance.user_id == user.id, Attendance.event_id == event.id
    )
    return session.scalar(query) is not None


def _attend(session: Session, user: User, event: Event, claim: Claim, now: datetime) -> Award:
    """Makes the attendance, its award's chain job and (unless held) its ledger credit; returns
    what it brings the member."""
    terms = award_terms(session, event)
    job = queue_award(
        session,
        user_id=user.id,
        address=user.address,
        event_id=event.id,
        amount=terms.amount,
        held=terms.held,
    )
    attendance = Attendance(
        user_id=user.id,
        event_id=event.id,
        claim_id=claim.id,
        chain_job_id=job.id,
        checked_in_at=now,
    )
    session.add(attendance)
    session.flush()
    if not terms.held:  # a held reward is credited when an administrator approves it
        credit_reward(
            session,
            user_id=user.id,
            amount=terms.amount,
            attendance_id=attendance.id,
            chain_job_id=job.id,
        )
    return Award.of(terms, event)


def list_attendances(session: Session, event: Event) -> list[Attendance]:
    query = select(Attendance).where(Attendance.event_id == event.id).order_by(Attendance.id)
    return list(session.scalars(query))


def count_attendances(session: Session, event: Event) -> int:
    """How many have checked in to `event`: what its display shows, asked every few seconds."""
    query = select(func.count()).select_from(Attendance).where(Attendance.event_id == event.id)
    return session.scalar(query) or 0


# How an attendance came about, as the organiser's list shows it.
HOW = {
    "live": _l("Scanned live"),
    "offline": _l("Scanned offline, sent later"),
    "printed": _l("Printed code"),
    # A poster's code proves no time: one kept offline and sent after the event is shown as such.
    "printed_offline": _l("Printed code, scanned offline, sent later"),
    "card": _l("Member card, scanned by an organiser"),
    "search": _l("Found by name by an organiser"),
}


def how_checked_in(attendance: Attendance) -> str:
    claim = attendance.claim
    if claim.via == "printed":
        return "printed_offline" if claim.offline else "printed"
    if claim.via != "display":
        return claim.via
    return "offline" if claim.offline else "live"


def list_rejected_claims(session: Session, event: Event, limit: int = 1000) -> list[Claim]:
    """The event's refused claims, newest first (a member's repeat scans are not refusals)."""
    query = (
        select(Claim)
        .where(Claim.event_id == event.id, Claim.status == ClaimStatus.REJECTED)
        .order_by(Claim.received_at.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def list_member_attendances(session: Session, user: User) -> list[Attendance]:
    query = (
        select(Attendance)
        .join(Event, Attendance.event_id == Event.id)
        .where(Attendance.user_id == user.id)
        .order_by(Event.starts_at.desc())
    )
    return list(session.scalars(query))


def get_member_attendance(session: Session, user: User, event: Event) -> Attendance | None:
    query = select(Attendance).where(Attendance.user_id == user.id, Attendance.event_id == event.id)
    return session.scalar(query)


def list_attended_event_ids(session: Session, user: User, event_ids: list[int]) -> set[int]:
    """Which of these events `user` attended."""
    query = select(Attendance.event_id).where(
        Attendance.user_id == user.id, Attendance.event_id.in_(event_ids)
    )
    return set(session.scalars(query))


def get_last_claim(session: Session, user: User) -> Claim | None:
    """The member's latest check-in with an answer worth telling: accepted, waiting for the
    organiser, or refused. A repeat scan (duplicate) or a code of no event is not one."""
    query = (
        select(Claim)
        .where(
            Claim.user_id == user.id,
            Claim.event_id.is_not(None),
            Claim.status.in_((ClaimStatus.ACCEPTED, ClaimStatus.HELD, ClaimStatus.REJECTED)),
        )
        .order_by(Claim.received_at.desc())
        .limit(1)
    )
    return session.scalar(query)


def count_attendances_since(session: Session, user: User, since: datetime) -> int:
    """Badges the member got after `since` (an attendance is a badge)."""
    query = select(func.count(Attendance.id)).where(
        Attendance.user_id == user.id, Attendance.checked_in_at > since
    )
    return session.scalar(query)
