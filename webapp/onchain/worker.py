"""The chain worker: sends queued jobs in batches and confirms them from their receipts.

The database is never held open while the node is asked something: each step reads or writes
in a short transaction and commits. The hash of a transaction is on record before it leaves,
so after a crash every job is pending, or sent with a hash to look up; awards skip members who
already hold the badge, so a transaction sent twice cannot pay twice.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from flask import Flask
from sqlalchemy.orm import Session

from chain.client import ChainClient, ChainError
from webapp.core.db import utcnow
from webapp.onchain.models import JobKind
from webapp.onchain.services import (
    RESEND_AFTER,
    STUCK_AFTER,
    JobBatch,
    batch_of,
    list_sent_transactions,
    mark_confirmed,
    mark_retry,
    mark_sent,
    take_due_batches,
)

log = logging.getLogger(__name__)


@dataclass
class TickResult:
    sent_transactions: int = 0
    replaced_transactions: int = 0
    confirmed_jobs: int = 0
    retried_jobs: int = 0


def run_once(
    session: Session, client: ChainClient, batch_size: int, confirmations: int = 1
) -> TickResult:
    result = TickResult()
    settle(session, client, result, confirmations)
    if client.addresses is None:
        log.warning("contracts are not deployed on chain %s; jobs wait", client.chain_id)
        return result
    batches = take_due_batches(session, utcnow(), batch_size)
    session.commit()
    nonce = None
    for batch in batches:
        if nonce is None:
            nonce = client.next_nonce()
        if _send(session, client, batch, nonce, result):
            nonce += 1
        else:
            nonce = None  # ask the node again: an error may have left it elsewhere
    settle(session, client, result, confirmations)
    return result


def settle(session: Session, client: ChainClient, result: TickResult, confirmations: int = 1):
    """Confirms transactions mined `confirmations` blocks deep; replaces, with higher fees,
    those stuck in the node's pool; sends again those the node has lost (dropped, or undone
    by a reorganisation before they were confirmed)."""
    sent = list_sent_transactions(session)
    session.commit()
    if not sent:
        return
    head = client.block_number()
    for tx in sent:
        now = utcnow()
        mined = _first_receipt(client, tx.candidates)
        if mined is not None:
            tx_hash, receipt = mined
            if receipt["status"] != 1:
                mark_retry(session, tx.job_ids, f"transaction {tx_hash} reverted", now)
                result.retried_jobs += len(tx.job_ids)
            elif head - receipt["blockNumber"] + 1 >= confirmations:
                mark_confirmed(session, tx.job_ids, tx_hash, receipt["blockNumber"], now)
                result.confirmed_jobs += len(tx.job_ids)
        elif now - tx.sent_at > STUCK_AFTER and any(_node_knows(client, h) for h in tx.candidates):
            _replace(session, client, tx, result)
        elif now - tx.sent_at > RESEND_AFTER and not any(map(client.is_known, tx.candidates)):
            mark_retry(session, tx.job_ids, f"transaction {tx.tx_hash} was lost", now)
            result.retried_jobs += len(tx.job_ids)
        session.commit()


def _first_receipt(client: ChainClient, hashes):
    for tx_hash in hashes:
        receipt = client.receipt(tx_hash)
        if receipt is not None:
            return tx_hash, receipt
    return None


def _replace(session: Session, client: ChainClient, tx, result: TickResult) -> None:
    """Signs the same batch with the same nonce and higher fees, and sends it in its place."""
    batch = batch_of(session, tx.job_ids)
    fees = tx.fees.bumped(client.market_fees())
    try:
        signed = _prepare(client, batch, tx.nonce, fees)
    except Exception as exc:  # e.g. the original was mined meanwhile: the next round sees it
        log.warning("could not replace %s: %s", tx.tx_hash, exc)
        return
    mark_sent(session, tx.job_ids, signed, utcnow(), replaces=tx.candidates)
    session.commit()
    try:
        client.send(signed)
    except Exception as exc:
        log.warning("sending the replacement %s failed: %s", signed.hash, exc)
    result.replaced_transactions += 1


def _send(session: Session, client: ChainClient, batch: JobBatch, nonce: int, result) -> bool:
    """Sends one batch with `nonce`; True if the nonce was used."""
    try:
        if batch.kind == JobKind.ISSUE_CARD:
            issued = client.find_card_issue(batch.members[0], client.deployed_block)
            if issued is not None:  # already on chain (an earlier send whose answer was lost)
                mark_confirmed(session, batch.job_ids, issued[0], issued[1], utcnow())
                session.commit()
                return False
        signed = _prepare(client, batch, nonce)
    except Exception as exc:  # a node error, or a revert found at estimation: retry later
        mark_retry(session, batch.job_ids, _describe(exc), utcnow())
        session.commit()
        result.retried_jobs += len(batch.job_ids)
        log.warning("could not prepare a %s batch: %s", batch.kind, exc)
        return False
    mark_sent(session, batch.job_ids, signed, utcnow())
    session.commit()  # the hash is on record before the transaction leaves
    try:
        client.send(signed)
    except Exception as exc:
        log.warning("sending %s failed: %s", signed.hash, exc)
        if _node_lacks(client, signed.hash):
            mark_retry(session, batch.job_ids, _describe(exc), utcnow())
            session.commit()
            result.retried_jobs += len(batch.job_ids)
            return False
        # The node may have it after all: it stays sent, and `settle` finds out.
    result.sent_transactions += 1
    return True


def _node_knows(client: ChainClient, tx_hash: str) -> bool:
    try:
        return client.is_known(tx_hash)
    except Exception:
        return False


def _node_lacks(client: ChainClient, tx_hash: str) -> bool:
    """True only when the node answers that it does not know the transaction."""
    try:
        return not client.is_known(tx_hash)
    except Exception:
        return False


def _prepare(client: ChainClient, batch: JobBatch, nonce: int, fees=None):
    if batch.kind == JobKind.AWARD:
        members = list(batch.members)
        return client.prepare_award(batch.event_id, members, batch.reward_each, nonce, fees)
    if batch.kind == JobKind.ISSUE_CARD:
        return client.prepare_issue_card(batch.members[0], nonce, fees)
    raise ChainError(f"unknown job kind {batch.kind}")


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def run_forever(app: Flask, stop: threading.Event) -> None:
    """The worker loop: a tick every WORKER_INTERVAL seconds until `stop` is set."""
    from webapp.core.db import mark_writing
    from webapp.extensions import db
    from webapp.onchain.connection import get_chain_client

    interval = app.config["WORKER_INTERVAL"]
    while not stop.is_set():
        with app.app_context():
            mark_writing()
            try:
                client = get_chain_client(db.session)
                db.session.commit()
                result = run_once(
                    db.session,
                    client,
                    app.config["WORKER_BATCH_SIZE"],
                    app.config["CHAIN_CONFIRMATIONS"],
                )
                if result.sent_transactions or result.confirmed_jobs or result.retried_jobs:
                    log.info("worker: %s", result)
            except Exception:
                db.session.rollback()
                log.exception("worker tick failed; retrying")
            finally:
                db.session.remove()
        stop.wait(interval)
