"""Chain jobs and deployments: what the worker mints, and where the contracts are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from chain.client import ChainClient, ContractAddresses
from webapp.accounts.models import User
from webapp.events.models import Event
from webapp.onchain.models import ChainJob, Deployment, JobKind, JobStatus

MAX_ATTEMPTS = 8
RESEND_AFTER = timedelta(minutes=2)


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


@dataclass
class JobBatch:
    """Jobs that one transaction settles: an event's awards, or one membership card."""

    kind: str
    jobs: list[ChainJob]
    event: Event | None = None

    @property
    def reward_each(self) -> int:
        return self.jobs[0].amount

    @property
    def members(self) -> list[str]:
        return [job.user.address for job in self.jobs]


def take_due_batches(session: Session, now: datetime, limit: int) -> list[JobBatch]:
    """Pending jobs whose time has come, grouped into one batch per event (awards) or job."""
    query = (
        select(ChainJob)
        .where(ChainJob.status == JobStatus.PENDING, ChainJob.next_attempt_at <= now)
        .order_by(ChainJob.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    # Awards of one event share a transaction; the reward is part of the key, so each member
    # is paid what the ledger credited them even if the event's reward changed meanwhile.
    awards: dict[tuple[int, int], JobBatch] = {}
    batches: list[JobBatch] = []
    for job in session.scalars(query):
        if job.kind == JobKind.AWARD:
            key = (job.event_id, job.amount)
            if key not in awards:
                awards[key] = JobBatch(JobKind.AWARD, [], session.get(Event, job.event_id))
                batches.append(awards[key])
            awards[key].jobs.append(job)
        else:
            batches.append(JobBatch(JobKind.ISSUE_CARD, [job]))
    return batches


def mark_sent(batch: JobBatch, tx_hash: str, nonce: int, now: datetime) -> None:
    for job in batch.jobs:
        job.status = JobStatus.SENT
        job.tx_hash = tx_hash
        job.nonce = nonce
        job.sent_at = now
        job.attempts += 1


def mark_attempt_failed(batch_jobs: list[ChainJob], error: str, now: datetime) -> None:
    """Puts jobs back in the queue with exponential backoff, or fails them for good."""
    for job in batch_jobs:
        job.last_error = error[:2000]
        job.tx_hash = None
        if job.attempts >= MAX_ATTEMPTS:
            job.status = JobStatus.FAILED
        else:
            job.status = JobStatus.PENDING
            job.next_attempt_at = now + backoff(job.attempts)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2 ** max(attempts, 1), 600))


def settle_sent_jobs(session: Session, client: ChainClient, now: datetime) -> int:
    """Looks up the receipts of sent jobs; confirms the mined ones. Returns how many."""
    sent = session.scalars(
        select(ChainJob).where(ChainJob.status == JobStatus.SENT).order_by(ChainJob.id)
    ).all()
    by_hash: dict[str, list[ChainJob]] = {}
    for job in sent:
        by_hash.setdefault(job.tx_hash, []).append(job)
    confirmed = 0
    for tx_hash, jobs in by_hash.items():
        receipt = client.receipt(tx_hash)
        if receipt is None:
            if now - jobs[0].sent_at > RESEND_AFTER:
                # Never mined (dropped, or lost in a crash): send again. Awards skip members who
                # already hold the badge, so a second send cannot pay twice.
                mark_attempt_failed(jobs, f"transaction {tx_hash} was not mined in time", now)
            continue
        if receipt["status"] == 1:
            for job in jobs:
                job.status = JobStatus.CONFIRMED
                job.block_number = receipt["blockNumber"]
                job.confirmed_at = now
            confirmed += len(jobs)
        else:
            mark_attempt_failed(jobs, f"transaction {tx_hash} reverted", now)
    return confirmed


def list_jobs(session: Session, status: str | None = None) -> list[ChainJob]:
    query = select(ChainJob).order_by(ChainJob.id)
    if status is not None:
        query = query.where(ChainJob.status == status)
    return list(session.scalars(query))
