"""A closed proposal's record: where it stands on chain, and the check anyone can make, the
ballots' CSV digested again now against the digest written at the close (and on chain)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from webapp.decisions import results
from webapp.decisions.models import Proposal
from webapp.decisions.services import ballots_csv
from webapp.onchain.models import JobStatus


@dataclass(frozen=True)
class ChainRecord:
    recorded: bool  # the chain job is confirmed: 記録済み
    digest_matches: bool  # the CSV's digest now is the one written at the close
    tally_matches: bool  # the ballots counted now give the tally written at the close


def chain_record(session: Session, proposal: Proposal) -> ChainRecord:
    csv = ballots_csv(session, proposal)
    job = proposal.chain_job
    counted = _count(csv, len(proposal.options))
    return ChainRecord(
        recorded=job is not None and job.status == JobStatus.CONFIRMED,
        digest_matches=results.digest(csv) == proposal.ballots_digest,
        tally_matches=counted == tuple(proposal.tally or ()),
    )


def _count(csv: bytes, options: int) -> tuple[int, ...]:
    """The votes per option, counted from the CSV itself (its second column)."""
    counts = [0] * options
    for line in csv.decode("utf-8-sig").splitlines()[1:]:
        position = int(line.split(",", 2)[1])
        counts[position - 1] += 1
    return tuple(counts)
