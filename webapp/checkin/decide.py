"""The check-in decision for one claim, in memory: what a code proves, given what the batch's
reads found about its event and the member. No database here: `services.record_claims` reads
the facts of a whole batch in a few statements, then decides its claims one after the other,
each decision updating the facts the next one sees (two scans of one event in one batch: the
second is a duplicate).

Precedence, in the order a member can act on: a code that is not genuine is rejected first;
then a member already checked in gets `duplicate` whatever the code's age; then the event's own
organisers are refused; then the code's time (and a printed code's secret word); then whether
the event invites the member (membership, or the event's rule: checkin.eligibility).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from webapp.checkin import codes
from webapp.checkin.models import ClaimStatus
from webapp.events.services import OPENS_BEFORE_START

# Wrong secret words a member may type for one event: a spoken word must not be found by trying
# a list of words.
MAX_WRONG_WORDS = 5
MAX_EVENT_ID = 2**31 - 1  # a token carries 32 bits; the events table holds signed 32-bit ids


@dataclass
class EventFacts:
    """An event as one member's batch sees it: the event's own columns, read once, and what the
    member has done there, updated as the batch's claims are decided."""

    id: int
    title: str
    secret: bytes
    display_key_version: int
    starts_at: datetime
    ends_at: datetime
    offline_claim_days: int
    hold_late_claims: bool
    secret_word: str | None
    audience: str
    reward: int
    budget: int | None
    reward_approved_at: datetime | None
    awarded: int | None  # what its awards pay already, if a budget limits them
    runs: bool  # the member organises it
    attended: bool
    held: bool  # a claim of the member's waits for an organiser
    wrong_words: int

    @property
    def opens_at(self) -> datetime:
        return self.starts_at - OPENS_BEFORE_START


@dataclass(frozen=True)
class Decision:
    status: str
    reason: str | None = None
    event: EventFacts | None = None
    slot: int | None = None
    late: bool = False  # accepted after the rotation allowance, as an offline claim
    via: str = "display"


# Whether the member is invited to an event at a moment: None, or the refusal's reason code.
Invitation = Callable[[EventFacts, datetime], str | None]


def read_code(text: str) -> codes.CheckinCode | None:
    """The code a claim carries, or None for text that is no check-in code at all."""
    try:
        return codes.parse_token(text)
    except codes.MalformedCode:
        return None


def decide(
    code: codes.CheckinCode | None,
    event: EventFacts | None,
    *,
    scanned_at: datetime,
    offline: bool,
    word: str | None,
    observed_at: datetime,
    invitation: Invitation,
) -> Decision:
    """The answer to one claim; `event` is the code's event as read (None: no such event)."""
    if code is None:
        return Decision(ClaimStatus.REJECTED, "malformed")
    if event is None:
        return Decision(ClaimStatus.REJECTED, "unknown_event", slot=code.slot)
    # Display codes count only under the current display key, whenever they were scanned:
    # after a display link is stopped (and the key rotated), a claim kept offline from before
    # is refused too, since the stopped tablet still holds the old key and could make codes
    # for any past slot (see checkin/display_links.py).
    if not codes.is_authentic(code, event.secret, event.display_key_version):
        return Decision(ClaimStatus.REJECTED, "bad_signature", slot=code.slot)
    if event.attended:
        return Decision(ClaimStatus.DUPLICATE, "already_checked_in", event, code.slot)
    if event.runs:  # rewards are for taking part, not for running the event
        return Decision(ClaimStatus.REJECTED, "own_event", event, code.slot)
    if code.kind == codes.KIND_PRINTED:
        return _decide_printed(event, scanned_at, offline, word, observed_at, invitation)
    return _decide_display(code, event, observed_at, invitation)


def _decide_display(
    code: codes.CheckinCode, event: EventFacts, observed_at: datetime, invitation: Invitation
) -> Decision:
    def reject(reason: str) -> Decision:
        return Decision(ClaimStatus.REJECTED, reason, event, code.slot)

    if codes.slot_age(code.slot, observed_at) < 0:
        return reject("future_code")
    late = not codes.is_live(code.slot, observed_at)
    shown_at = codes.slot_start(code.slot)
    if late and event.offline_claim_days == 0:
        return reject("stale_code")
    if late and observed_at - shown_at > timedelta(days=event.offline_claim_days):
        return reject("too_late")
    if shown_at + codes.SLOT_LENGTH <= event.opens_at:
        return reject("not_yet_open")
    if shown_at >= event.ends_at:
        return reject("expired")
    if refusal := invitation(event, observed_at):
        return reject(refusal)
    if late and event.hold_late_claims:
        # A late display code may be a screenshot sent on: an organiser decides.
        status = ClaimStatus.DUPLICATE if event.held else ClaimStatus.HELD
        return Decision(status, "awaiting_approval", event, code.slot, late=True)
    return Decision(ClaimStatus.ACCEPTED, None, event, code.slot, late=late)


def _decide_printed(
    event: EventFacts,
    scanned_at: datetime,
    offline: bool,
    word: str | None,
    observed_at: datetime,
    invitation: Invitation,
) -> Decision:
    """A poster's code carries no time: the scan's time is the server's, or for a claim kept
    on a phone with no signal, the phone's (never later than its arrival)."""

    def reject(reason: str) -> Decision:
        return Decision(ClaimStatus.REJECTED, reason, event, codes.PRINTED_SLOT, via="printed")

    moment = min(scanned_at, observed_at) if offline else observed_at
    if observed_at - moment > timedelta(days=event.offline_claim_days):
        return reject("too_late")
    if moment < event.opens_at:
        return reject("not_yet_open")
    if moment >= event.ends_at:
        return reject("expired")
    if event.secret_word and not (word or "").strip():
        return reject("word_needed")
    if event.secret_word and event.wrong_words >= MAX_WRONG_WORDS:
        return reject("too_many_words")
    if event.secret_word and not codes.same_word(word, event.secret_word):
        return reject("wrong_word")
    if refusal := invitation(event, observed_at):
        return reject(refusal)
    late = observed_at - moment > codes.SLOT_LENGTH * 2
    return Decision(ClaimStatus.ACCEPTED, None, event, codes.PRINTED_SLOT, late, "printed")


def note(decision: Decision) -> None:
    """What the decision changes for the batch's next claims of the same event."""
    event = decision.event
    if event is None:
        return
    if decision.status == ClaimStatus.ACCEPTED:
        event.attended = True
    elif decision.status == ClaimStatus.HELD:
        event.held = True
    elif decision.reason == "wrong_word":
        event.wrong_words += 1
