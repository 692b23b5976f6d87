"""The check-in algorithm: one function decides every claim, whichever route brought it.

A claim is a scan as the phone reported it: its own id (made on the phone, the same on every
retry), the code and the scan time. The answer is accepted, duplicate or rejected with a
stable reason code; every claim is stored with its answer, and a claim id seen before gets
the first answer again. An accepted claim makes, in the same transaction, one attendance,
one ledger credit and one chain job.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, case, exists, func, insert, select
from sqlalchemy.orm import Session

from webapp.accounts.devices import SessionLimits, mark_seen, seen_since
from webapp.accounts.models import DeviceSession, User
from webapp.accounts.services import get_user
from webapp.checkin import codes
from webapp.checkin.decide import MAX_EVENT_ID, EventFacts, decide, note, read_code
from webapp.checkin.eligibility import RULE, audience_refusal, eligibility, rule_in_words
from webapp.checkin.models import Attendance, Claim, ClaimStatus
from webapp.checkin.rewards import Award, AwardTerms, award_terms, lock_budgets, terms_of
from webapp.core.errors import NotFound
from webapp.events.models import Event, EventOrganiser
from webapp.events.services import checkin_opens_at, runs_event
from webapp.ledger.services import Reward, credit_rewards
from webapp.membership.cards import read_card_code
from webapp.membership.models import Membership, card_gives_rights
from webapp.onchain.jobs import AwardJob, award_total_of, queue_awards
from webapp.onchain.models import ChainJob, JobStatus

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
MAX_CODE_CHARS = 512


@dataclass(frozen=True)
class ClaimInput:
    id: str
    code: str
    scanned_at: datetime
    offline: bool = False  # the phone had no connection when it scanned
    word: str | None = None  # the secret word typed after scanning a printed code


@dataclass(frozen=True)
class EventRef:
    """An event as an answer names it: plain values, valid after the commit."""

    id: int
    title: str


@dataclass(frozen=True)
class ClaimResult:
    id: str
    status: str
    reason: str | None = None
    event: EventRef | None = None
    offline: bool = False
    award: Award | None = None  # what an accepted claim brings: coins, or why none
    rule: str | None = None  # for "not_invited": whom the event invites, in words

    @property
    def accepted(self) -> bool:
        return self.status == ClaimStatus.ACCEPTED

    @property
    def message(self) -> str | None:
        return refusal_message(self.reason, self.rule)

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


def refusal_message(reason: str | None, rule: str | None = None) -> str | None:
    """A reason code in words; an event that invites by rule says its rule."""
    if not reason:
        return None
    if reason == "not_invited" and rule:
        return _("%(reason)s Invited: %(rule)s.", reason=REASONS[reason], rule=rule)
    return str(REASONS[reason])


def stored_refusal_message(claim: Claim) -> str | None:
    """A stored claim's refusal in words (the start page's last check-in)."""
    invited_by_rule = claim.reason == "not_invited" and claim.event is not None
    return refusal_message(claim.reason, rule_in_words(claim.event) if invited_by_rule else None)


@dataclass(frozen=True)
class Claimant:
    """The member a batch is for, as the statement that locks them read them."""

    id: int
    address: str | None
    closed_at: datetime | None
    card_revoked_at: datetime | None
    card_ends_at: datetime | None
    has_card: bool

    def is_member_at(self, moment: datetime) -> bool:
        return (
            self.closed_at is None
            and self.has_card
            and card_gives_rights(self.card_revoked_at, self.card_ends_at, moment)
        )


# -- the set-based path: a batch is read in a few statements, decided in memory and written in
# bulk, whatever its size. Pre-built Core statements: the ORM costs several times more here.

_users, _devices, _cards = User.__table__, DeviceSession.__table__, Membership.__table__
_claims, _attendances, _events = Claim.__table__, Attendance.__table__, Event.__table__
_jobs, _co_organisers = ChainJob.__table__, EventOrganiser.__table__


def _claimant_query(with_device: bool):
    """The member, with their card, locked: one member's batches are decided one at a time,
    so a retry racing its original finds it. FOR NO KEY UPDATE on PostgreSQL: it excludes the
    member's other batches and the organisers' check-ins (FOR UPDATE) but not the rows that
    merely point at the member (a reward's ledger entry being credited by an administrator's
    approval, who may be waiting for an event this batch locks next). With the device session's
    times, so that the same statement authenticates the phone."""
    columns = [
        _users.c.id,
        _users.c.address,
        _users.c.closed_at,
        _cards.c.revoked_at,
        _cards.c.term_ends_at,
        _cards.c.id.label("card_id"),
    ]
    joined = _users.outerjoin(_cards, _cards.c.user_id == _users.c.id)
    query = select(*columns)
    if with_device:
        joined = joined.join(
            _devices,
            (_devices.c.user_id == _users.c.id) & (_devices.c.id == bindparam("device_id")),
        )
        query = select(
            *columns, _devices.c.created_at, _devices.c.last_seen_at, _devices.c.ended_at
        )
    return (
        query.select_from(joined)
        .where(_users.c.id == bindparam("user_id"))
        .with_for_update(of=_users, key_share=True)
    )


_CLAIMANT = _claimant_query(with_device=False)
_DEVICE_CLAIMANT = _claimant_query(with_device=True)

_EARLIER_CLAIMS = (
    select(
        _claims.c.id,
        _claims.c.user_id,
        _claims.c.status,
        _claims.c.reason,
        _claims.c.offline,
        _claims.c.event_id,
        _events.c.title,
        _events.c.reward,
        _jobs.c.amount,
        _jobs.c.status.label("job_status"),
    )
    .select_from(
        _claims.outerjoin(_events, _events.c.id == _claims.c.event_id)
        .outerjoin(_attendances, _attendances.c.claim_id == _claims.c.id)
        .outerjoin(_jobs, _jobs.c.id == _attendances.c.chain_job_id)
    )
    .where(_claims.c.id.in_(bindparam("claim_ids", expanding=True)))
)


def _of_member_at_event(table):
    return (table.c.user_id == bindparam("user_id")) & (table.c.event_id == _events.c.id)


_EVENT_FACTS = select(
    _events.c.id,
    _events.c.title,
    _events.c.secret,
    _events.c.display_key_version,
    _events.c.starts_at,
    _events.c.ends_at,
    _events.c.offline_claim_days,
    _events.c.hold_late_claims,
    _events.c.secret_word,
    _events.c.audience,
    _events.c.reward,
    _events.c.budget,
    _events.c.reward_approved_at,
    case((_events.c.budget.is_not(None), award_total_of(_events.c.id))).label("awarded"),
    (
        (_events.c.organiser_id == bindparam("user_id"))
        | exists().where(_of_member_at_event(_co_organisers))
    ).label("runs"),
    exists().where(_of_member_at_event(_attendances)).label("attended"),
    exists()
    .where(_of_member_at_event(_claims), _claims.c.status == ClaimStatus.HELD)
    .label("held"),
    select(func.count())
    .where(_of_member_at_event(_claims), _claims.c.reason == "wrong_word")
    .scalar_subquery()
    .label("wrong_words"),
).where(_events.c.id.in_(bindparam("event_ids", expanding=True)))

_INSERT_CLAIMS = insert(_claims)
# Matched back by event (one attendance per member and event), not by the order of RETURNING.
_INSERT_ATTENDANCES = insert(_attendances).returning(_attendances.c.id, _attendances.c.event_id)


def record_device_claims(
    session: Session,
    user_id: int,
    device_id: str,
    claims: list[ClaimInput],
    *,
    now: datetime,
    limits: SessionLimits,
) -> list[ClaimResult] | None:
    """The API's batch: authenticates the phone's device session and locks its member in one
    statement, then records the claims. None if the device session no longer lasts (logged
    out elsewhere, or unused too long): nothing is recorded."""
    codes_read = [read_code(claim.code) for claim in claims]  # before any I/O
    connection = session.connection()
    found = connection.execute(
        _DEVICE_CLAIMANT, {"user_id": user_id, "device_id": device_id}
    ).first()
    if found is None or found.ended_at is not None or not limits.allow(found, now):
        return None
    if seen_since(found, now):
        mark_seen(connection, device_id, now)
    return _record(session, _claimant(found), claims, codes_read, now, "api", now)


def record_claims(
    session: Session,
    user: User,
    claims: list[ClaimInput],
    *,
    now: datetime,
    source: str,
    observed_at: datetime | None = None,
) -> list[ClaimResult]:
    """Decides and stores claims of `user`, in their order; a claim id seen before gets the
    first answer again. `observed_at` is when the server first saw the codes (defaults to
    `now`); the rotation allowance is measured from it."""
    codes_read = [read_code(claim.code) for claim in claims]
    session.flush()  # the caller's pending rows, before the statements below read around them
    found = session.connection().execute(_CLAIMANT, {"user_id": user.id}).first()
    return _record(session, _claimant(found), claims, codes_read, now, source, observed_at or now)


def record_claim(
    session: Session,
    user: User,
    claim: ClaimInput,
    *,
    now: datetime,
    source: str,
    observed_at: datetime | None = None,
) -> ClaimResult:
    """One claim: a batch of one."""
    return record_claims(session, user, [claim], now=now, source=source, observed_at=observed_at)[0]


def _claimant(row) -> Claimant:
    return Claimant(
        row.id,
        row.address,
        row.closed_at,
        row.revoked_at,
        row.term_ends_at,
        row.card_id is not None,
    )


def _record(
    session: Session,
    claimant: Claimant,
    claims: list[ClaimInput],
    codes_read: list,
    now: datetime,
    source: str,
    observed_at: datetime,
) -> list[ClaimResult]:
    connection = session.connection()
    earlier = {
        row.id: row
        for row in connection.execute(
            _EARLIER_CLAIMS, {"claim_ids": sorted({claim.id for claim in claims})}
        )
    }
    # The events of the claims to decide (a retry's event is neither read nor locked again).
    event_ids = sorted(
        {
            code.event_id
            for claim, code in zip(claims, codes_read, strict=True)
            if code and code.event_id <= MAX_EVENT_ID and claim.id not in earlier
        }
    )
    events = {}
    if event_ids:
        lock_budgets(session, event_ids)  # before what the events paid is read
        params = {"user_id": claimant.id, "event_ids": event_ids}
        events = {
            row.id: EventFacts(**row._mapping) for row in connection.execute(_EVENT_FACTS, params)
        }
    invitation = _Invitations(session, claimant)

    answers: dict[str, ClaimResult] = {}  # by claim id: a claim sent twice gets one answer
    rows, attending = [], []
    for claim, code in zip(claims, codes_read, strict=True):
        if claim.id in answers:
            continue
        if claim.id in earlier:
            answers[claim.id] = _earlier_answer(session, claimant, earlier[claim.id])
            continue
        event = events.get(code.event_id) if code is not None else None
        decision = decide(
            code,
            event,
            scanned_at=claim.scanned_at,
            offline=claim.offline,
            word=claim.word,
            observed_at=observed_at,
            invitation=invitation,
        )
        note(decision)
        # Offline if the phone says it scanned with no connection, or if the claim came later
        # than a live scan could: either way the organiser sees it marked.
        offline = claim.offline or decision.late
        rows.append(
            {
                "id": claim.id,
                "user_id": claimant.id,
                "event_id": decision.event.id if decision.event else None,
                "code": claim.code[:MAX_CODE_CHARS],
                "slot": decision.slot,
                "scanned_at": claim.scanned_at,
                "received_at": now,
                "source": source,
                "offline": offline,
                "status": decision.status,
                "reason": decision.reason,
                "via": decision.via,
                "recorded_by_id": None,
            }
        )
        if decision.status == ClaimStatus.ACCEPTED:
            attending.append((claim.id, decision.event))
            invitation.accepted.append((decision.event.id, now))
        ref = EventRef(decision.event.id, decision.event.title) if decision.event else None
        rule = invitation.rule(decision.event) if decision.reason == "not_invited" else None
        answers[claim.id] = ClaimResult(
            claim.id, decision.status, decision.reason, ref, offline, rule=rule
        )
    if rows:
        # In id order: two batches holding each other's claim ids wait for each other on the
        # unique index in one order, never in a circle.
        connection.execute(_INSERT_CLAIMS, sorted(rows, key=lambda row: row["id"]))
    terms = {event.id: terms_of(event, event.awarded or 0) for _claim, event in attending}
    awards = _attend(session, claimant.id, claimant.address, attending, now, terms)
    for claim_id, award in awards.items():
        answers[claim_id] = replace(answers[claim_id], award=award)
    return [answers[claim.id] for claim in claims]


def _earlier_answer(session: Session, claimant: Claimant, row) -> ClaimResult:
    """The first answer to a claim id, for its retry; another member's id is a conflict."""
    if row.user_id != claimant.id:
        return ClaimResult(row.id, ClaimStatus.REJECTED, "id_conflict")
    award = None
    if row.status == ClaimStatus.ACCEPTED and row.amount is not None:
        terms = AwardTerms(row.amount, held=row.job_status == JobStatus.HELD)
        award = Award.of(terms, row.reward)
    ref = EventRef(row.event_id, row.title) if row.event_id is not None else None
    rule = None
    if row.reason == "not_invited" and row.event_id is not None:
        rule = rule_in_words(session.get(Event, row.event_id))
    return ClaimResult(row.id, row.status, row.reason, ref, row.offline, award, rule)


class _Invitations:
    """Whether the claimant is invited to each event: in memory for events open to everyone
    or to members; an event with a rule is evaluated by `eligibility` (a few more statements,
    for those events only). The batch's check-ins accepted so far count for a rule, as they
    would had they come in batches of their own."""

    def __init__(self, session: Session, claimant: Claimant):
        self.session, self.claimant = session, claimant
        self.accepted: list[tuple[int, datetime]] = []  # (event id, checked in at)

    def __call__(self, event: EventFacts, moment: datetime) -> str | None:
        closed = self.claimant.closed_at is not None
        if event.audience != RULE or closed:
            return audience_refusal(event.audience, closed, self.claimant.is_member_at(moment))
        user, rule_event = (
            self.session.get(User, self.claimant.id),
            self.session.get(Event, event.id),
        )
        return eligibility(self.session, user, rule_event, moment, tuple(self.accepted)).reason

    def rule(self, event: EventFacts) -> str:
        return rule_in_words(self.session.get(Event, event.id))


def _attend(
    session: Session,
    user_id: int,
    address: str | None,
    attending: list[tuple[str, object]],
    now: datetime,
    terms: dict[int, AwardTerms] | None = None,
) -> dict[str, Award]:
    """Makes the attendances of accepted claims (claim id, event), their awards' chain jobs and
    (unless held) their ledger credits, in one statement each; returns what each brings the
    member, by claim id. `event`: anything with an event's id, title, reward, budget and
    reward_approved_at. `terms`: what each event pays, if the caller read it already."""
    if not attending:
        return {}
    if terms is None:
        terms = award_terms(session, [event for _claim, event in attending])
    job_ids = queue_awards(
        session,
        [
            AwardJob(user_id, address, event.id, terms[event.id].amount, terms[event.id].held)
            for _claim, event in attending
        ],
        now,
    )
    rows = [
        {
            "user_id": user_id,
            "event_id": event.id,
            "claim_id": claim_id,
            "chain_job_id": job_id,
            "checked_in_at": now,
        }
        for (claim_id, event), job_id in zip(attending, job_ids, strict=True)
    ]
    made = dict(
        (row.event_id, row.id) for row in session.connection().execute(_INSERT_ATTENDANCES, rows)
    )
    attendance_ids = [made[event.id] for _claim, event in attending]
    # A held reward is credited when an administrator approves it.
    rewards = [
        Reward(user_id, terms[event.id].amount, attendance_id, job_id)
        for (_claim, event), job_id, attendance_id in zip(
            attending, job_ids, attendance_ids, strict=True
        )
        if not terms[event.id].held
    ]
    credit_rewards(session, rewards, now)
    return {claim_id: Award.of(terms[event.id], event.reward) for claim_id, event in attending}


def _store_claim(session: Session, row: dict) -> None:
    session.connection().execute(_INSERT_CLAIMS, [row])


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
    claim_id = str(uuid.uuid4())
    session.flush()
    _store_claim(
        session,
        {
            "id": claim_id,
            "user_id": member.id,
            "event_id": event.id,
            "code": f"{via}:{member.id}",
            "slot": None,
            "scanned_at": now,
            "received_at": now,
            "source": "organiser",
            "offline": False,
            "status": status,
            "reason": reason,
            "via": via,
            "recorded_by_id": organiser.id,
        },
    )
    if status == ClaimStatus.ACCEPTED:
        _attend(session, member.id, member.address, [(claim_id, event)], now)
    rule = rule_in_words(event) if reason == "not_invited" else None
    return ClaimResult(claim_id, status, reason, EventRef(event.id, event.title), rule=rule)


def _invitation_refusal(session: Session, user: User, event: Event, now: datetime) -> str | None:
    """None if `user` may check in to `event` at `now`; else "not_a_member" or "not_invited"."""
    return eligibility(session, user, event, now).reason


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
        _attend(session, member.id, member.address, [(claim.id, event)], now)
    rule = rule_in_words(event) if reason == "not_invited" else None
    return member, ClaimResult(
        claim.id, status, reason, EventRef(event.id, event.title), claim.offline, rule=rule
    )


def _has_attended(session: Session, user: User, event: Event) -> bool:
    query = select(Attendance.id).where(
        Attendance.user_id == user.id, Attendance.event_id == event.id
    )
    return session.scalar(query) is not None


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


def has_attended(session: Session, user: User, event: Event) -> bool:
    return get_member_attendance(session, user, event) is not None


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
