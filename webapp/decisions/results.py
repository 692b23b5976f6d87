"""What a closed proposal's ballots say, as pure functions: the rule applied to a tally, the
voters' references and the ballots' CSV, whose keccak256 digest goes on chain.

The CSV is the record anyone can check: one row per ballot, sorted by the voter's reference
(then by the rest of the row), with the option's number and label and how it was cast (phone, or
recorded at a meeting). It has no times: when a ballot was cast would tell who sat at which
meeting. A voter's reference is `HMAC-SHA256(the proposal's own secret, user id)`, its first 40
bits written as two groups of four letters and digits (base32): each member is shown their own
on the proposal's page, so they can find their row, and nobody else's row names them. The secret
is the proposal's (drawn when it opens), so references differ from one proposal to the next and
cannot be linked across them. The `via` column has a cost: where only a few votes were recorded
at a meeting, those who were there may guess whose rows they are. The labels of a yes/no
proposal are 賛成 and 反対 in every language, and the header is English in every language: the bytes
must not depend on who downloads them."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from eth_utils import keccak

from webapp.core.spreadsheet import csv_bytes
from webapp.decisions.models import ProposalKind, ProposalStatus

# The CSV's header is the same in every language: its bytes are what the digest covers.
CSV_HEADER = ["voter", "option", "label", "via"]


@dataclass(frozen=True)
class Outcome:
    status: ProposalStatus
    winner: int | None  # the winning option's index in the tally, when one has the majority


def decide(kind: str, tally: tuple[int, ...], electorate_size: int, min_turnout: int) -> Outcome:
    """The rule: MORE than `min_turnout` % of the electorate must vote (exactly that share is
    not enough); then the option with the most votes wins if it has more than half of the
    ballots cast (a simple majority). A tie for first has no winner. A yes/no proposal passes
    when its first option (賛成) wins; any other kind passes when some option wins."""
    votes = sum(tally)
    if electorate_size <= 0 or votes * 100 <= min_turnout * electorate_size:
        return Outcome(ProposalStatus.NO_QUORUM, None)
    top = max(tally)
    if tally.count(top) > 1:
        return Outcome(ProposalStatus.TIE, None)
    winner = tally.index(top)
    if top * 2 <= votes:
        return Outcome(ProposalStatus.REJECTED, None)  # no option has more than half
    if kind == ProposalKind.YES_NO and winner != 0:
        return Outcome(ProposalStatus.REJECTED, winner)
    return Outcome(ProposalStatus.PASSED, winner)


def check_min_turnout(value: object) -> int:
    """ENISHI_VOTE_MIN_TURNOUT_PERCENT as a whole number of percent, 0 to 99 (at the app's
    start: a mistyped one stops it, rather than every proposal's form). 100 would let no
    proposal ever count: MORE than that share must vote."""
    text = str(value).strip() if not isinstance(value, bool) else ""
    if not text.isascii() or not text.isdigit() or not 0 <= int(text) <= 99:
        raise ValueError(
            f"ENISHI_VOTE_MIN_TURNOUT_PERCENT: {value!r} is not a whole number from 0 to 99"
        )
    return int(text)


def turnout_percent(votes: int, electorate_size: int) -> float:
    return 100 * votes / electorate_size if electorate_size else 0.0


def voter_reference(secret: bytes, user_id: int) -> str:
    mac = hmac.new(secret, str(user_id).encode("ascii"), hashlib.sha256).digest()
    letters = base64.b32encode(mac[:5]).decode("ascii")
    return f"{letters[:4]}-{letters[4:]}"


@dataclass(frozen=True)
class BallotRow:
    reference: str
    position: int
    label: str
    via: str


def ballots_csv(rows: list[BallotRow]) -> bytes:
    # By the whole row: two voters' 40-bit references may be equal, and the digest must not
    # depend on the order the database returned their ballots in.
    ordered = sorted(rows, key=lambda row: (row.reference, row.position, row.label, row.via))
    return csv_bytes(
        CSV_HEADER,
        ((row.reference, row.position, row.label, row.via) for row in ordered),
    )


def digest(csv: bytes) -> bytes:
    """keccak256 of the CSV's exact bytes (32 bytes), as recorded on chain."""
    return keccak(csv)
