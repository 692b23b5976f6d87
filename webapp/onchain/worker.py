"""The chain worker: sends queued jobs in batches and confirms them from their receipts.

Each step commits before it talks to the node, so a crash leaves every job either still
pending or sent with a recorded transaction hash, never half-way.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from flask import Flask
from sqlalchemy.orm import Session

from chain.client import ChainClient, ChainError
from webapp.core.db import utcnow
from webapp.onchain.models import JobKind, JobStatus
from webapp.onchain.services import (
    JobBatch,
    mark_attempt_failed,
    mark_sent,
    settle_sent_jobs,
    take_due_batches,
)

log = logging.getLogger(__name__)


@dataclass
class TickResult:
    sent_transactions: int = 0
    confirmed_jobs: int = 0
    failed_attempts: int = 0


def run_once(session: Session, client: ChainClient, batch_size: int) -> TickResult:
    result = TickResult()
    result.confirmed_jobs += settle_sent_jobs(session, client, utcnow())
    session.commit()
    if client.addresses is None:
        log.warning("contracts are not deployed on chain %s; jobs wait", client.chain_id)
        return result
    batches = take_due_batches(session, utcnow(), batch_size)
    nonce = client.next_nonce() if batches else 0
    for batch in batches:
        if _send(session, client, batch, nonce):
            nonce += 1
            result.sent_transactions += 1
        else:
            result.failed_attempts += 1
    result.confirmed_jobs += settle_sent_jobs(session, client, utcnow())
    session.commit()
    return result


def _send(session: Session, client: ChainClient, batch: JobBatch, nonce: int) -> bool:
    try:
        if batch.kind == JobKind.ISSUE_CARD and client.has_card(batch.members[0]):
            # Already on chain (a retry after a lost answer): nothing left to send.
            for job in batch.jobs:
                job.status = JobStatus.CONFIRMED
                job.confirmed_at = utcnow()
            session.commit()
            return False
        signed = _prepare(client, batch, nonce)
    except Exception as exc:  # a node error or a revert at estimation: retry later
        mark_attempt_failed(batch.jobs, _describe(exc), utcnow())
        session.commit()
        log.warning("could not prepare %s batch: %s", batch.kind, exc)
        return False
    mark_sent(batch, signed.hash, nonce, utcnow())
    session.commit()  # the hash is on record before the transaction leaves
    try:
        client.send(signed)
    except Exception as exc:
        mark_attempt_failed(batch.jobs, _describe(exc), utcnow())
        session.commit()
        log.warning("could not send %s: %s", signed.hash, exc)
        return False
    return True


def _prepare(client: ChainClient, batch: JobBatch, nonce: int):
    if batch.kind == JobKind.AWARD:
        return client.prepare_award(batch.event.id, batch.members, batch.reward_each, nonce)
    if batch.kind == JobKind.ISSUE_CARD:
        return client.prepare_issue_card(batch.members[0], nonce)
    raise ChainError(f"unknown job kind {batch.kind}")


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def run_forever(app: Flask, stop: threading.Event) -> None:
    """The worker loop: a tick every WORKER_INTERVAL seconds until `stop` is set."""
    from webapp.extensions import db
    from webapp.onchain.connection import get_chain_client

    interval = app.config["WORKER_INTERVAL"]
    while not stop.is_set():
        with app.app_context():
            try:
                client = get_chain_client(db.session)
                result = run_once(db.session, client, app.config["WORKER_BATCH_SIZE"])
                if result.sent_transactions or result.confirmed_jobs:
                    log.info("worker: %s", result)
            except Exception:
                db.session.rollback()
                log.exception("worker tick failed; retrying")
            finally:
                db.session.remove()
        stop.wait(interval)
