"""A closed proposal's record and the check anyone can make: the ballots' CSV, digested and
counted again now, against what was written at the close and what the decision record on
chain holds (read through the chain client, once its job is confirmed)."""

from __future__ import annotations

import csv as csv_module
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from webapp.decisions import results
from webapp.decisions.models import Proposal
from webapp.decisions.services import ballots_csv
from webapp.onchain.jobs import get_decision_job
from webapp.onchain.models import JobStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChainRecord:
    recorded: bool  # the decision's chain job is confirmed: 記録済み
    tx_hash: str | None
    digest_now: bytes  # keccak256 of the ballots' CSV as it is now
    tally_now: tuple[int, ...]  # the votes per option, counted from that CSV
    matches_close: bool  # both equal what was written at the close
    on_chain: object | None  # chain.client.DecisionOnChain, once read
    chain_unreadable: bool  # recorded, but the node could not be asked just now

    @property
    def matches_chain(self) -> bool | None:
        """Whether the chain holds this digest and this tally (None: not read)."""
        if self.on_chain is None:
            return None
        return (self.on_chain.digest, self.on_chain.tally) == (self.digest_now, self.tally_now)

    @property
    def matches(self) -> bool:
        return self.matches_close and self.matches_chain is not False


def chain_record(
    session: Session, proposal: Proposal, read_decision: Callable[[int], object | None]
) -> ChainRecord:
    """`read_decision`: the chain client's (`ChainClient.read_decision`), asked only once the
    record is confirmed; one that raises (the node is down) leaves the chain unread."""
    csv = ballots_csv(session, proposal)
    digest, tally = results.digest(csv), count_csv(csv, len(proposal.options))
    job = get_decision_job(session, proposal.id)
    recorded = job is not None and job.status == JobStatus.CONFIRMED
    on_chain, unreadable = None, False
    if recorded:
        try:
            on_chain = read_decision(proposal.id)
        except Exception:  # noqa: BLE001 - the page says the chain cannot be read now
            log.warning("the decision record of proposal %s cannot be read", proposal.id)
            unreadable = True
    return ChainRecord(
        recorded=recorded,
        tx_hash=job.tx_hash if job is not None else None,
        digest_now=digest,
        tally_now=tally,
        matches_close=(digest, tally) == (proposal.ballots_digest, tuple(proposal.tally or ())),
        on_chain=on_chain,
        chain_unreadable=unreadable,
    )


def count_csv(csv: bytes, options: int) -> tuple[int, ...]:
    """The votes per option, counted from the CSV itself (its second column, the option's
    number): what anyone holding the export can count."""
    counts = [0] * options
    rows = csv_module.reader(io.StringIO(csv.decode("utf-8-sig"), newline=""))
    next(rows, None)  # the header
    for row in rows:
        counts[int(row[1]) - 1] += 1
    return tuple(counts)
