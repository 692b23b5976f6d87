"""Chain jobs and deployments: what the worker mints, and where the contracts are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chain.client import ChainClient, ContractAddresses
from chain.sender import Fees, SignedTx
from webapp.accounts.models import User
from webapp.events.models import Event
from webapp.onchain.models import ChainJob, Deployment, JobKind, JobStatus

# A sent transaction still waiting in the node's pool after this long is replaced with higher
# fees; one neither mined nor known to the node after RESEND_AFTER is sent again.
STUCK_AFTER = timedelta(seconds=90)
RESEND_AFTER = timedelta(minutes=2)
# How long a worker may hold jobs it took before another may take them.
LEASE = timedelta(minutes=1)
BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_CAP = timedelta(minutes=10)


def queue_award(session: Session, user: User, event: Event) -> ChainJob:
    job = ChainJob(kind=JobKind.AWARD, user_id=user.id, event_id=event.id, amount=event.reward)
    session.add(job)
    session.flush()
    return job


def queue_card(session: Session, user: User) -> ChainJob:
    job = ChainJob(kind=JobKind.ISSUE_CARD, user_id=user.id)
    session.add(job)
    session.flush()
    return job


# -- deployments ----------------------------------------------------------------------------


def get_deployment(session: Session, chain_id: int) -> Deployment | None:
    return session.scalar(select(Deployment).where(Deployment.chain_id == chain_id))


def addresses_of(deployment: Deployment) -> ContractAddresses:
    return ContractAddresses(
        token=deployment.token_address, badge=deployment.badge_address, card=deployment.card_address
    )


def deploy_contracts(
    session: Session, client: ChainClient, badge_uri: str
) -> tuple[Deployment, bool]:
    """Deploys the contracts unless this chain has them; returns (deployment, newly_deployed)."""
    chain_id = client.chain_id
    existing = get_deployment(session, chain_id)
    if existing is not None and client.w3.eth.get_code(existing.badge_address):
        client.addresses = addresses_of(existing)
        return existing, False
    if existing is not None:  # the chain was reset under us: its record no longer holds
        session.delete(existing)
        session.flush()
    result = client.deploy(badge_uri)
    deployment = Deployment(
        chain_id=chain_id,
        token_address=result.addresses.token,
        badge_address=result.addresses.badge,
        card_address=result.addresses.card,
        block_number=result.block_number,
    )
    session.add(deployment)
    session.flush()
    return deployment, True


# -- the worker's steps -----------------------------------------------------------------------
# Each step is a short transaction over job ids and plain values, so the worker never holds a
# database transaction (and, on SQLite, the write lock) while it waits for the node.


@dataclass(frozen=True)
class JobBatch:
    """Jobs that one transaction settles: an event's awards, or one membership card."""

    kind: str
    job_ids: tuple[int, ...]
    members: tuple[str, ...]
    event_id: int | None = None
    reward_each: int = 0

    @classmethod
    def of(cls, jobs: list[ChainJob]) -> JobBatch:
        return cls(
            kind=jobs[0].kind,
            job_ids=tuple(job.id for job in jobs),
            members=tuple(job.user.address for job in jobs),
            event_id=jobs[0].event_id,
            reward_each=jobs[0].amount,
        )


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


def take_due_batches(session: Session, now: datetime, limit: int) -> list[JobBatch]:
    """Leases the pending jobs whose time has come and groups them: one batch per event (and
    reward) for awards, one per card. A lease counts as an attempt and keeps other workers
    off the jobs until it runs out; a worker that dies mid-way thus delays, never drops."""
    query = (
        select(ChainJob)
        .where(ChainJob.status == JobStatus.PENDING, ChainJob.next_attempt_at <= now)
        .order_by(ChainJob.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    # The reward is part of an award batch's key, so each member is paid what the ledger
    # credited them even if the event's reward changed meanwhile.
    groups: dict[tuple, list[ChainJob]] = {}
    for job in session.scalars(query):
        job.attempts += 1
        job.next_attempt_at = now + LEASE
        key = (job.kind, job.event_id, job.amount) if job.kind == JobKind.AWARD else (job.id,)
        groups.setdefault(key, []).append(job)
    session.flush()
    return [JobBatch.of(jobs) for jobs in groups.values()]


def mark_sent(
    session: Session, job_ids: tuple[int, ...], signed: SignedTx, now: datetime, replaces=()
) -> None:
    """Records the transaction that settles the jobs (before it leaves); `replaces` names the
    transactions with the same nonce it takes over from."""
    for job in _jobs(session, job_ids):
        job.status = JobStatus.SENT
        job.tx_hash = signed.hash
        job.nonce = signed.nonce
        job.max_fee_per_gas = signed.fees.max_fee
        job.priority_fee_per_gas = signed.fees.priority_fee
        job.replaced_tx_hashes = " ".join(replaces)
        job.sent_at = now
    session.flush()


def batch_of(session: Session, job_ids: tuple[int, ...]) -> JobBatch:
    """The batch that jobs sent together form (to sign a replacement for it)."""
    return JobBatch.of(_jobs(session, job_ids))


def mark_confirmed(
    session: Session, job_ids: tuple[int, ...], tx_hash: str, block_number: int, now: datetime
) -> None:
    for job in _jobs(session, job_ids):
        job.status = JobStatus.CONFIRMED
        job.tx_hash = tx_hash
        job.block_number = block_number
        job.confirmed_at = now
        job.last_error = None
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


def list_open_jobs(session: Session, limit: int = 200) -> list[ChainJob]:
    """Jobs not yet confirmed, oldest first: the ones an administrator may need to look at."""
    query = select(ChainJob).where(ChainJob.status != JobStatus.CONFIRMED).order_by(ChainJob.id)
    return list(session.scalars(query.limit(limit)))


def retry_now(session: Session, now: datetime) -> int:
    """Makes every waiting job due at once (after an outage is fixed, say). Returns how many."""
    jobs = session.scalars(
        select(ChainJob).where(ChainJob.status == JobStatus.PENDING, ChainJob.next_attempt_at > now)
    ).all()
    for job in jobs:
        job.next_attempt_at = now
    session.flush()
    return len(jobs)


def _jobs(session: Session, job_ids: tuple[int, ...]) -> list[ChainJob]:
    query = select(ChainJob).where(ChainJob.id.in_(job_ids)).order_by(ChainJob.id)
    return list(session.scalars(query))
