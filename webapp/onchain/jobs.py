"""The job queue: the only writer of chain jobs. Jobs are queued here (each with its
recipient's address, fixed when it is made), taken, sent, confirmed or failed by the worker's
steps here, and read here for the administrator's page."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from chain.reverts import Revert
from chain.sender import Fees, SignedTx
from webapp.onchain.models import (
    ChainJob,
    ChainTransaction,
    JobKind,
    JobStatus,
    SenderNonce,
)

log = logging.getLogger(__name__)

# A sent transaction still waiting in the node's pool after this long is replaced with higher
# fees. One that no node has is sent again once it is RESEND_AFTER old: the worker that
# recorded it may be about to send it this moment.
STUCK_AFTER = timedelta(seconds=90)
RESEND_AFTER = timedelta(seconds=10)
# Reverts that no retry cures until someone changes something (the minter's role revoked, a
# receiver that refuses tokens): their jobs fail at once, with the reason, for an administrator
# to retry once it is fixed. Any other revert may pass (a race with another transaction, too
# little gas), so its jobs are retried with the usual pauses, up to MAX_REVERTS times in a row.
PERMANENT_REVERTS = frozenset(
    {
        "AccessControlUnauthorizedAccount",
        "ERC20InvalidReceiver",
        "ERC1155InvalidReceiver",
        "ERC721InvalidReceiver",
        # Another result is on record for the proposal (the same one counts as done: the
        # worker looks before it applies this rule).
        "DecisionAlreadyRecorded",
    }
)
MAX_REVERTS = 5
# How long a worker may hold jobs it took before another may take them: longer than a round
# takes, or two workers could send one job; a worker that dies delays its jobs this long.
LEASE = timedelta(minutes=1)
BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_CAP = timedelta(minutes=10)


@dataclass(frozen=True)
class AwardJob:
    """An event's badge and its reward for one member; `held` until an administrator approves
    the event's reward (`release_held_awards`)."""

    user_id: int
    address: str | None
    event_id: int
    amount: int
    held: bool = False


_job_rows = ChainJob.__table__
# Matched back by member and event, not by the order of RETURNING (which SQL leaves open, and
# which SQLAlchemy could only keep by sending the rows one by one).
_INSERT_JOBS = insert(_job_rows).returning(
    _job_rows.c.id, _job_rows.c.user_id, _job_rows.c.event_id
)


def queue_awards(session: Session, awards: list[AwardJob], now: datetime) -> list[int]:
    """Queues the awards in one statement (a check-in batch's hot path); returns their job ids
    in the order given (ids rise in that order: the rows are inserted in it). At most one award
    per member and event, as attendances are."""
    if any(not award.address for award in awards):
        raise ValueError("a chain job needs its recipient's address")
    keys = [(award.user_id, award.event_id) for award in awards]
    if len(set(keys)) < len(keys):
        raise ValueError("one award per member and event")
    rows = [
        {
            "kind": JobKind.AWARD,
            "user_id": award.user_id,
            "address": award.address,
            "event_id": award.event_id,
            "amount": award.amount,
            "status": JobStatus.HELD if award.held else JobStatus.PENDING,
            "created_at": now,
            "next_attempt_at": now,
        }
        for award in awards
    ]
    if not rows:
        return []
    made = session.connection().execute(_INSERT_JOBS, rows)
    ids = {(row.user_id, row.event_id): row.id for row in made}
    return [ids[key] for key in keys]


def award_total_of(event_id_column):
    """The tokens the awards of the event in `event_id_column` pay or will pay, held ones
    included: a scalar subquery, for a statement that reads events."""
    return (
        select(func.coalesce(func.sum(_job_rows.c.amount), 0))
        .where(_job_rows.c.kind == JobKind.AWARD, _job_rows.c.event_id == event_id_column)
        .scalar_subquery()
    )


def release_held_awards(
    session: Session, event_id: int, now: datetime, amount: int | None = None
) -> list[ChainJob]:
    """Sends the event's held awards on their way (each with `amount` instead, if given: 0
    when the reward was refused and only the badge goes)."""
    query = (
        select(ChainJob)
        .where(
            ChainJob.kind == JobKind.AWARD,
            ChainJob.event_id == event_id,
            ChainJob.status == JobStatus.HELD,
        )
        .order_by(ChainJob.id)
        .with_for_update()
    )
    jobs = list(session.scalars(query))
    for job in jobs:
        job.status = JobStatus.PENDING
        job.next_attempt_at = now
        if amount is not None:
            job.amount = amount
    session.flush()
    return jobs


# A project's contributor badge lives on the participation badge contract beside the events'
# badges, at a token id no event can have (events' ids stay below 2**31).
PROJECT_BADGE_BASE = 2**32


def project_badge_token_id(project_id: int) -> int:
    return PROJECT_BADGE_BASE + project_id


def queue_project_badge(
    session: Session, *, user_id: int, address: str, project_id: int
) -> ChainJob:
    """A project's contributor badge for one member (a badge only: no coins)."""
    return _queue(session, JobKind.PROJECT_BADGE, user_id, address, project_id=project_id)


# Badges given outside events, at token ids no event or project can have: a 結い's (one per
# confirmed help, both people get it) and a month's thanks (those the month's pool paid).
YUI_BADGE_BASE = 2**40
THANKS_BADGE_BASE = 2**41
# A burn's reference on chain for coins paid for a badge: the badge's token id with the top bit
# set, so that it can never equal a perk redemption's reference.
BURN_REF_BIT = 2**255


def yui_badge_token_id(confirmation_id: int) -> int:
    return YUI_BADGE_BASE + confirmation_id


def thanks_badge_token_id(month: str) -> int:
    """The badge of a month's thanks ("2026-11" -> 2**41 + 202611)."""
    return THANKS_BADGE_BASE + int(month.replace("-", ""))


def queue_badge(
    session: Session, *, user_id: int, address: str, token_id: int, coins: int = 0
) -> ChainJob:
    """A badge given outside an event (a 結い's, a month's thanks), with `coins` minted to the
    member by the same call, or none."""
    return _queue(session, JobKind.BADGE, user_id, address, token_id=token_id, amount=coins)


def queue_coin_burn(
    session: Session, *, user_id: int, address: str, amount: int, token_id: int
) -> ChainJob:
    """Burns `amount` of a member's coins paid for the badge `token_id`: with that badge's job
    minting them to another member, the coins move from one to the other."""
    return _queue(session, JobKind.BURN, user_id, address, amount=amount, token_id=token_id)


def queue_card(session: Session, *, user_id: int, address: str) -> ChainJob:
    """A member's membership card."""
    return _queue(session, JobKind.ISSUE_CARD, user_id, address)


def revoke_card(
    session: Session, *, user_id: int, address: str, issue_job_id: int | None
) -> ChainJob | None:
    """Takes a member's card back on chain. If its issue job was never sent, or was given up
    (reverted: nothing of it is on chain), that job is cancelled and nothing goes on chain
    (None); else a burn is queued (and returned), which waits for the card's mint to be settled
    (`take_due_batches`). A worker that has leased the issue job leaves it alone once it is
    cancelled (`still_leased`); `retry_now` never revives a mint whose card was taken back."""
    issue = None
    if issue_job_id is not None:
        issue = session.scalar(
            select(ChainJob)
            .where(ChainJob.id == issue_job_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    if issue is not None and issue.kind != JobKind.ISSUE_CARD:
        raise ValueError(f"job {issue.id} is not a card's issue")
    if issue is None or issue.status == JobStatus.CANCELLED:
        return None
    never_sent = issue.sent_at is None and issue.status == JobStatus.PENDING
    if never_sent or issue.status == JobStatus.FAILED:
        issue.status = JobStatus.CANCELLED
        issue.last_error = None
        session.flush()
        return None
    return _queue(session, JobKind.REVOKE_CARD, user_id, address)


def queue_burn(
    session: Session, *, user_id: int, address: str, amount: int, redemption_id: int
) -> ChainJob:
    """Burns a used perk ticket's tokens, with the redemption as the reference on chain."""
    return _queue(
        session, JobKind.REDEEM, user_id, address, amount=amount, redemption_id=redemption_id
    )


def queue_decision(
    session: Session, *, proposal_id: int, tally: tuple[int, ...], digest: bytes
) -> ChainJob:
    """A proposal's final result for the decision record: `tally` the votes for each option, in
    the proposal's order, and `digest` the keccak256 (32 bytes) of its ballots' CSV. A result is
    recorded once: one job per proposal (the unique index on `chain_jobs.proposal_id`, which
    also settles two sessions queueing at once). Queued again with the same result, it is the
    same job; with another, ValueError: a result on its way to the chain is never changed."""
    if isinstance(proposal_id, bool) or not isinstance(proposal_id, int) or proposal_id <= 0:
        raise ValueError(f"a decision needs its proposal's id, not {proposal_id!r}")
    if not tally or any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in tally):
        raise ValueError(f"a tally is one count (0 or more) per option, not {tally!r}")
    if not isinstance(digest, bytes) or len(digest) != 32:
        raise ValueError("a ballots' digest is 32 bytes (keccak256)")
    fields = {"tally": ",".join(str(n) for n in tally), "digest": "0x" + digest.hex()}
    existing = _decision_job(session, proposal_id)
    if existing is None:
        try:
            with session.begin_nested():
                existing = ChainJob(kind=JobKind.RECORD_DECISION, proposal_id=proposal_id, **fields)
                session.add(existing)
            return existing
        except IntegrityError:  # another session queued it a moment ago
            existing = _decision_job(session, proposal_id)
    if (existing.tally, existing.digest) != (fields["tally"], fields["digest"]):
        raise ValueError(
            f"proposal {proposal_id}'s result is queued already ({existing.tally} with ballots "
            f"{existing.digest}): a recorded result cannot be changed"
        )
    return existing


def get_decision_job(session: Session, proposal_id: int) -> ChainJob | None:
    """The job that records `proposal_id`'s result (its status says whether it is on chain)."""
    return _decision_job(session, proposal_id)


def _decision_job(session: Session, proposal_id: int) -> ChainJob | None:
    return session.scalar(select(ChainJob).where(ChainJob.proposal_id == proposal_id))


def _queue(session: Session, kind: str, user_id: int, address: str, **fields) -> ChainJob:
    if not address:
        raise ValueError("a chain job needs its recipient's address")
    job = ChainJob(kind=kind, user_id=user_id, address=address, **fields)
    session.add(job)
    session.flush()
    return job


# -- the worker's steps -----------------------------------------------------------------------
# Each step is a short transaction over job ids and plain values, so the worker never holds a
# database transaction (and, on SQLite, the write lock) while it waits for the node.


@dataclass(frozen=True)
class JobBatch:
    """Jobs that one transaction settles: an event's awards, a project's badges, one membership
    card, one burn or one decision."""

    kind: str
    job_ids: tuple[int, ...]
    members: tuple[str, ...]  # () for a decision: it has none
    event_id: int | None = None
    reward_each: int = 0
    leased_until: datetime | None = None  # when taken: the worker's claim on the jobs
    redemption_id: int | None = None
    proposal_id: int | None = None
    tally: tuple[int, ...] = ()
    digest: bytes | None = None
    project_id: int | None = None
    token_id: int | None = None

    @classmethod
    def of(cls, jobs: list[ChainJob], leased_until: datetime | None = None) -> JobBatch:
        return cls(
            kind=jobs[0].kind,
            job_ids=tuple(job.id for job in jobs),
            members=tuple(job.address for job in jobs if job.address is not None),
            event_id=jobs[0].event_id,
            reward_each=jobs[0].amount,
            leased_until=leased_until,
            redemption_id=jobs[0].redemption_id,
            proposal_id=jobs[0].proposal_id,
            tally=jobs[0].tally_counts,
            digest=jobs[0].digest_bytes,
            project_id=jobs[0].project_id,
            token_id=jobs[0].token_id,
        )

    @property
    def ref(self) -> bytes:
        """A burn's reference on chain: the redemption's id, or for coins paid for a badge the
        badge's token id with the top bit set, as 32 bytes."""
        if self.kind == JobKind.BURN:
            return (BURN_REF_BIT | self.token_id).to_bytes(32, "big")
        return redemption_ref(self.redemption_id)


def redemption_ref(redemption_id: int) -> bytes:
    return redemption_id.to_bytes(32, "big")


@dataclass(frozen=True)
class SentTransaction:
    tx_hash: str
    job_ids: tuple[int, ...]
    sent_at: datetime
    nonce: int
    fees: Fees
    replaced: tuple[str, ...]  # earlier transactions with the same nonce: one may be mined

    @property
    def candidates(self) -> tuple[str, ...]:
        return (self.tx_hash, *self.replaced)


def take_due_batches(
    session: Session, now: datetime, limit: int, lease: timedelta = LEASE
) -> list[JobBatch]:
    """Leases the pending jobs whose time has come and groups them: one batch per event (and
    reward) for awards, one per project for its badges, one per job for the others (a card, a
    burn, a decision). A lease counts as an attempt and keeps other workers off the jobs until
    it runs out; a worker that dies mid-way thus delays, never drops."""
    # A burn waits for the member's earlier awards on their way: the tokens it burns must be on
    # chain first. Not for a failed one: the burn then goes, and says why if it cannot.
    earlier = aliased(ChainJob)
    award_waits = exists().where(
        earlier.user_id == ChainJob.user_id,
        earlier.kind.in_((JobKind.AWARD, JobKind.BADGE)),
        earlier.status.in_((JobStatus.PENDING, JobStatus.SENT)),
        earlier.id < ChainJob.id,
    )
    # A card's burn waits for the card's mint on its way: a card not yet minted cannot burn.
    mint_waits = exists().where(
        earlier.user_id == ChainJob.user_id,
        earlier.kind == JobKind.ISSUE_CARD,
        earlier.status.in_((JobStatus.PENDING, JobStatus.SENT)),
        earlier.id < ChainJob.id,
    )
    query = (
        select(ChainJob)
        .where(ChainJob.status == JobStatus.PENDING, ChainJob.next_attempt_at <= now)
        .where(ChainJob.kind.not_in((JobKind.REDEEM, JobKind.BURN)) | ~award_waits)
        .where((ChainJob.kind != JobKind.REVOKE_CARD) | ~mint_waits)
        .order_by(ChainJob.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    # The reward is part of an award batch's key, so each member is paid what the ledger
    # credited them even if the event's reward changed meanwhile.
    groups: dict[tuple, list[ChainJob]] = {}
    leased_until = now + lease
    for job in session.scalars(query):
        job.attempts += 1
        job.next_attempt_at = leased_until
        groups.setdefault(_batch_key(job), []).append(job)
    session.flush()
    return [JobBatch.of(jobs, leased_until) for jobs in groups.values()]


def _batch_key(job: ChainJob) -> tuple:
    if job.kind == JobKind.AWARD:
        return (job.kind, job.event_id, job.amount)
    if job.kind == JobKind.PROJECT_BADGE:
        return (job.kind, job.project_id)
    if job.kind == JobKind.BADGE:
        return (job.kind, job.token_id, job.amount)
    return (job.id,)


def still_leased(session: Session, batch: JobBatch) -> bool:
    """Locks the batch's jobs and tells whether they are still pending under this worker's
    lease: if the lease ran out (a slow round) or an administrator made them due again,
    another worker may have taken them, and this one must leave them alone."""
    jobs = _locked_jobs(session, batch.job_ids)
    return len(jobs) == len(batch.job_ids) and all(
        job.status == JobStatus.PENDING and job.next_attempt_at == batch.leased_until
        for job in jobs
    )


def held_nonces(session: Session, start: int, stop: int) -> set[int]:
    """The nonces in [start, stop) that sent jobs hold."""
    query = select(ChainJob.nonce).where(
        ChainJob.status == JobStatus.SENT, ChainJob.nonce >= start, ChainJob.nonce < stop
    )
    return set(session.scalars(query))


def allocate_nonce(session: Session, chain_id: int, address: str, mined: int) -> int:
    """The nonce for `address`'s next transaction: the lowest at or above `mined` (the node's
    count of its mined transactions) that no sent job holds, so a nonce freed by a transaction
    the node refused is used again instead of leaving a gap that would block every later one.

    The account's row stays locked until the caller commits, and the caller records its
    transaction (`mark_sent`) first: two workers never sign with one nonce. The row's own
    count is what the database alone would give; where it differs, the node has moved (another
    user of the key, a reorganisation, a refused transaction) and the nonce is resynchronised.
    """
    row = _locked_nonce_row(session, chain_id, address)
    held = set(
        session.scalars(
            select(ChainJob.nonce).where(ChainJob.status == JobStatus.SENT, ChainJob.nonce >= mined)
        )
    )
    nonce = mined
    while nonce in held:
        nonce += 1
    if nonce != row.next_nonce:
        log.info("nonce of %s resynchronised: %s, not %s", address, nonce, row.next_nonce)
    row.next_nonce = nonce + 1
    session.flush()
    return nonce


def _locked_nonce_row(session: Session, chain_id: int, address: str) -> SenderNonce:
    query = (
        select(SenderNonce)
        .where(SenderNonce.chain_id == chain_id, SenderNonce.address == address)
        .with_for_update()
    )
    row = session.scalar(query)
    if row is None:
        try:
            with session.begin_nested():
                session.add(SenderNonce(chain_id=chain_id, address=address, next_nonce=0))
        except IntegrityError:  # another worker created it a moment ago: wait for its lock
            pass
        row = session.scalar(query)
    return row


def mark_sent(
    session: Session,
    job_ids: tuple[int, ...],
    signed: SignedTx,
    now: datetime,
    replaces: tuple[str, ...] = (),
) -> None:
    """Records the transaction that settles the jobs, and keeps it signed, before it leaves;
    `replaces` names the transactions with the same nonce it takes over from."""
    if session.get(ChainTransaction, signed.hash) is None:  # signing is deterministic
        session.add(ChainTransaction(tx_hash=signed.hash, nonce=signed.nonce, raw=signed.raw))
    for job in _jobs(session, job_ids):
        job.status = JobStatus.SENT
        job.tx_hash = signed.hash
        job.nonce = signed.nonce
        job.max_fee_per_gas = signed.fees.max_fee
        job.priority_fee_per_gas = signed.fees.priority_fee
        job.replaced_tx_hashes = " ".join(replaces)
        job.sent_at = now
    session.flush()


def still_sent_as(session: Session, job_ids: tuple[int, ...], tx_hash: str) -> bool:
    """Locks the jobs and tells whether they still wait for `tx_hash`: another worker settling
    the same transaction may have confirmed, replaced or requeued them meanwhile."""
    jobs = _locked_jobs(session, job_ids)
    return bool(jobs) and all(
        job.status == JobStatus.SENT and job.tx_hash == tx_hash for job in jobs
    )


def signed_transaction(session: Session, tx_hash: str) -> bytes | None:
    row = session.get(ChainTransaction, tx_hash)
    return None if row is None else row.raw


def batch_of(session: Session, job_ids: tuple[int, ...]) -> JobBatch:
    """The batch that jobs sent together form (to sign a replacement for it)."""
    return JobBatch.of(_jobs(session, job_ids))


def mark_confirmed(
    session: Session,
    job_ids: tuple[int, ...],
    tx_hash: str | None,
    block_number: int | None,
    now: datetime,
) -> None:
    """Marks the jobs done on chain: by `tx_hash` in `block_number`, or (both None) found done
    in the contracts' state with no trace of the transaction left on the node."""
    for job in _jobs(session, job_ids):
        job.status = JobStatus.CONFIRMED
        job.tx_hash = tx_hash
        job.block_number = block_number
        job.confirmed_at = now
        job.last_error = None
        job.reverts = 0
    session.flush()


def mark_retry(session: Session, job_ids: tuple[int, ...], error: str, now: datetime) -> None:
    """Back to the queue, after a pause that grows with each attempt (capped, never given up:
    a job that cannot be minted stays visible with its last error)."""
    for job in _jobs(session, job_ids):
        job.status = JobStatus.PENDING
        job.tx_hash = None
        job.nonce = None
        job.replaced_tx_hashes = ""
        job.last_error = error[:2000]
        job.next_attempt_at = now + backoff(job.attempts)
    session.flush()


def note_error(session: Session, job_ids: tuple[int, ...], error: str) -> None:
    """Notes what went wrong with jobs that stay where they are (sent, and to be sent again)."""
    for job in _jobs(session, job_ids):
        job.last_error = error[:2000]
    session.flush()


def mark_reverted(
    session: Session, job_ids: tuple[int, ...], revert: Revert, now: datetime
) -> bool:
    """Applies the rule for a batch the chain refused: its jobs fail for good (True) if the
    reason is one no retry can cure or they have been refused MAX_REVERTS times in a row; else
    they go back to the queue like any other failure."""
    jobs = _jobs(session, job_ids)
    reverts = max(job.reverts for job in jobs) + 1
    error = f"reverted: {revert}"
    if revert.name not in PERMANENT_REVERTS and reverts < MAX_REVERTS:
        mark_retry(session, job_ids, error, now)
        for job in jobs:
            job.reverts = reverts
        session.flush()
        return False
    for job in jobs:
        job.status = JobStatus.FAILED
        job.tx_hash = None
        job.nonce = None
        job.replaced_tx_hashes = ""
        job.reverts = reverts
        job.last_error = error[:2000]
    session.flush()
    log.error("%s jobs failed: %s", len(jobs), error)
    return True


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)


def list_sent_transactions(session: Session) -> list[SentTransaction]:
    sent: dict[str, list[ChainJob]] = {}
    query = select(ChainJob).where(ChainJob.status == JobStatus.SENT).order_by(ChainJob.id)
    for job in session.scalars(query):
        sent.setdefault(job.tx_hash, []).append(job)
    return [
        SentTransaction(
            tx_hash=tx_hash,
            job_ids=tuple(job.id for job in jobs),
            sent_at=min(job.sent_at for job in jobs),
            nonce=jobs[0].nonce,
            fees=Fees(jobs[0].max_fee_per_gas or 0, jobs[0].priority_fee_per_gas or 0),
            replaced=tuple(jobs[0].replaced_tx_hashes.split()),
        )
        for tx_hash, jobs in sent.items()
    ]


def count_jobs_by_status(session: Session) -> dict[str, int]:
    query = select(ChainJob.status, func.count()).group_by(ChainJob.status)
    counts = {status.value: 0 for status in JobStatus}
    counts.update({status: n for status, n in session.execute(query)})
    return counts


def replacement_fees(tx: SentTransaction, market: Fees, max_fee: int | None) -> Fees | None:
    """The fees a replacement for the stuck `tx` offers (12.5% more, and at least the
    market's), or None where they would pass the cap `max_fee` (wei per gas): then it waits."""
    fees = tx.fees.bumped(market)
    return None if max_fee is not None and fees.max_fee > max_fee else fees


def list_capped_transactions(
    session: Session, market: Fees, max_fee: int, now: datetime
) -> list[SentTransaction]:
    """Transactions stuck in the pool that the worker leaves waiting at the fee cap."""
    return [
        tx
        for tx in list_sent_transactions(session)
        if now - tx.sent_at > STUCK_AFTER and replacement_fees(tx, market, max_fee) is None
    ]


def list_open_jobs(session: Session, limit: int = 200) -> list[ChainJob]:
    """Jobs not yet confirmed (nor cancelled), oldest first: the ones an administrator may need
    to look at."""
    done = (JobStatus.CONFIRMED, JobStatus.CANCELLED)
    query = select(ChainJob).where(ChainJob.status.not_in(done)).order_by(ChainJob.id)
    return list(session.scalars(query.limit(limit)))


def retry_now(session: Session, now: datetime) -> int:
    """Makes every waiting job due at once, failed ones included (after an outage or a missing
    role is fixed, say). Returns how many."""
    waiting = (ChainJob.status == JobStatus.PENDING) & (ChainJob.next_attempt_at > now)
    # A card's mint that failed while its card was being taken back stays failed: sent now, it
    # would give the card back to someone whose burn is already recorded.
    burn = aliased(ChainJob)
    taken_back = exists().where(
        burn.kind == JobKind.REVOKE_CARD, burn.address == ChainJob.address, burn.id > ChainJob.id
    )
    revived = (ChainJob.status == JobStatus.FAILED) & ~(
        (ChainJob.kind == JobKind.ISSUE_CARD) & taken_back
    )
    jobs = session.scalars(select(ChainJob).where(waiting | revived))
    count = 0
    for job in jobs:
        job.status = JobStatus.PENDING
        job.reverts = 0
        job.next_attempt_at = now
        count += 1
    session.flush()
    return count


def _locked_jobs(session: Session, job_ids: tuple[int, ...]) -> list[ChainJob]:
    """The jobs, locked and read again: copies loaded before the lock may be out of date."""
    query = select(ChainJob).where(ChainJob.id.in_(job_ids)).with_for_update()
    return list(session.scalars(query.execution_options(populate_existing=True)))


def _jobs(session: Session, job_ids: tuple[int, ...]) -> list[ChainJob]:
    query = select(ChainJob).where(ChainJob.id.in_(job_ids)).order_by(ChainJob.id)
    return list(session.scalars(query))
