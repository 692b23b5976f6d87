"""The chain worker: sends queued jobs in batches and confirms them from their receipts.

The database is never held open while the node is asked something: each step reads or writes
in a short transaction and commits. A batch's nonce is chosen under a lock and its signed
transaction is on record before it leaves, so after a crash every job is pending, or sent with
a transaction to look up and, if no node has it, to send again as it was; awards skip members
who already hold the badge, so even two transactions for one batch cannot pay twice. Several
workers may share the queue: each takes jobs no other holds, and acts on a sent transaction
only if its jobs still wait for it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session
from web3.exceptions import Web3RPCError

from chain.client import ChainClient, ChainError
from chain.reverts import revert_of
from webapp.core.db import utcnow
from webapp.onchain.jobs import (
    LEASE,
    RESEND_AFTER,
    STUCK_AFTER,
    JobBatch,
    allocate_nonce,
    batch_of,
    held_nonces,
    list_sent_transactions,
    mark_confirmed,
    mark_retry,
    mark_reverted,
    mark_sent,
    note_error,
    project_badge_token_id,
    replacement_fees,
    signed_transaction,
    still_leased,
    still_sent_as,
    take_due_batches,
)
from webapp.onchain.models import JobKind

log = logging.getLogger(__name__)


@dataclass
class TickResult:
    sent_transactions: int = 0
    replaced_transactions: int = 0
    resent_transactions: int = 0
    confirmed_jobs: int = 0
    retried_jobs: int = 0
    failed_jobs: int = 0
    capped_transactions: int = 0  # stuck, and a replacement would pay more than the fee cap


def run_once(
    session: Session,
    client: ChainClient,
    batch_size: int,
    confirmations: int = 1,
    lease: timedelta = LEASE,
    max_fee: int | None = None,
) -> TickResult:
    """One round: settle what was sent, send what is due, settle again. `max_fee` (wei per gas,
    ENISHI_MAX_FEE_GWEI) caps what any transaction may offer, replacements included."""
    result = TickResult()
    settle(session, client, result, confirmations, max_fee)
    if client.addresses is None:
        log.warning("contracts are not deployed on chain %s; jobs wait", client.chain_id)
        return result
    batches = take_due_batches(session, utcnow(), batch_size, lease)
    session.commit()
    for batch in batches:
        _send(session, client, batch, result, max_fee)
    settle(session, client, result, confirmations, max_fee)
    return result


def settle(
    session: Session,
    client: ChainClient,
    result: TickResult,
    confirmations: int = 1,
    max_fee: int | None = None,
):
    """Confirms transactions mined `confirmations` blocks deep and applies the revert rule to
    those mined as reverted; replaces, with higher fees, those stuck in the node's pool; sends
    again, as they were, those no node has (never received, dropped, or undone by a
    reorganisation before they were confirmed)."""
    sent = list_sent_transactions(session)
    session.commit()
    if not sent:
        return
    head = client.block_number()
    for tx in sent:
        mined = _first_receipt(client, tx.candidates)
        if mined is not None:
            tx_hash, receipt = mined
            if receipt["status"] != 1:
                revert = client.revert_reason(tx_hash, receipt)
                done = _done_before(session, client, tx.job_ids, revert)
                if still_sent_as(session, tx.job_ids, tx.tx_hash):
                    if done is not None:  # another transaction of ours did it first
                        mark_confirmed(session, tx.job_ids, done[0], done[1], utcnow())
                        result.confirmed_jobs += len(tx.job_ids)
                    else:
                        _reverted(session, tx.job_ids, revert, result)
            elif head - receipt["blockNumber"] + 1 >= confirmations:
                if still_sent_as(session, tx.job_ids, tx.tx_hash):
                    mark_confirmed(session, tx.job_ids, tx_hash, receipt["blockNumber"], utcnow())
                    result.confirmed_jobs += len(tx.job_ids)
        elif any(_node_knows(client, h) for h in tx.candidates):
            if utcnow() - tx.sent_at > STUCK_AFTER:
                _unstick(session, client, tx, result, max_fee)
        elif utcnow() - tx.sent_at > RESEND_AFTER:
            _resend(session, client, tx, result)
        session.commit()


def _first_receipt(client: ChainClient, hashes):
    for tx_hash in hashes:
        receipt = client.receipt(tx_hash)
        if receipt is not None:
            return tx_hash, receipt
    return None


def _unstick(
    session: Session, client: ChainClient, tx, result: TickResult, max_fee: int | None
) -> None:
    """A transaction waits in the pool: if it is next in line, higher fees get it mined; if a
    nonce below it is held by no transaction (refused, and its jobs failed for good), nothing
    will ever fill that gap, so its jobs go back to the queue to be sent with the free nonce.
    Behind one of ours that waits too, it waits its turn."""
    mined = client.mined_nonce()
    if tx.nonce == mined:
        _replace(session, client, tx, result, max_fee)
    elif tx.nonce > mined and len(held_nonces(session, mined, tx.nonce)) < tx.nonce - mined:
        if still_sent_as(session, tx.job_ids, tx.tx_hash):
            error = f"transaction {tx.tx_hash} waited behind a free nonce below {tx.nonce}"
            mark_retry(session, tx.job_ids, error, utcnow())
            result.retried_jobs += len(tx.job_ids)


def _replace(
    session: Session, client: ChainClient, tx, result: TickResult, max_fee: int | None
) -> None:
    """Signs the same batch with the same nonce and higher fees, and sends it in its place;
    unless those fees would pass the cap: then it waits for the market to come down (or for
    an administrator to raise the cap), and the chain page says so."""
    batch = batch_of(session, tx.job_ids)
    session.commit()
    try:
        fees = replacement_fees(tx, client.market_fees(), max_fee)
        if fees is None:
            log.warning("%s waits at the fee cap of %s wei per gas", tx.tx_hash, max_fee)
            note_error(session, tx.job_ids, f"waiting at the fee cap ({max_fee} wei per gas)")
            session.commit()
            result.capped_transactions += 1
            return
        unsigned = _unsigned(client, batch)
        signed = client.sign(unsigned, tx.nonce, fees)
    except Exception as exc:  # e.g. the original was mined meanwhile: the next round sees it
        log.warning("could not replace %s: %s", tx.tx_hash, exc)
        return
    if not still_sent_as(session, tx.job_ids, tx.tx_hash):
        return
    mark_sent(session, tx.job_ids, signed, utcnow(), replaces=tx.candidates)
    session.commit()
    try:
        client.send(signed)
    except Exception as exc:  # the earlier ones still stand; the next round looks again
        log.warning("sending the replacement %s failed: %s", signed.hash, exc)
    result.replaced_transactions += 1


def _resend(session: Session, client: ChainClient, tx, result: TickResult) -> None:
    """Sends a transaction the node does not have again, byte for byte; if its nonce has been
    used by another transaction meanwhile, its jobs go back to the queue instead."""
    raw = signed_transaction(session, tx.tx_hash)
    session.commit()
    try:
        if raw is not None and client.mined_nonce() <= tx.nonce:
            client.send_raw(raw)
            result.resent_transactions += 1
            return
        error = f"transaction {tx.tx_hash} was lost: its nonce {tx.nonce} went to another"
    except Web3RPCError as exc:
        if _already_has(client, tx.tx_hash, exc):
            return
        error = f"transaction {tx.tx_hash} was refused when sent again: {_describe(exc)}"
    except Exception as exc:  # no answer: the node may be down; the next round tries again
        log.warning("could not send %s again: %s", tx.tx_hash, exc)
        note_error(session, tx.job_ids, _describe(exc))
        return
    # Mined a moment ago, between the receipt asked for and now? Then the next round sees it.
    if _first_receipt(client, tx.candidates) is None and still_sent_as(
        session, tx.job_ids, tx.tx_hash
    ):
        mark_retry(session, tx.job_ids, error, utcnow())
        result.retried_jobs += len(tx.job_ids)


def _send(
    session: Session,
    client: ChainClient,
    batch: JobBatch,
    result: TickResult,
    max_fee: int | None = None,
) -> None:
    try:
        done = _already_on_chain(client, batch)
        if done is not None:  # an earlier send whose answer was lost
            if still_leased(session, batch):
                mark_confirmed(session, batch.job_ids, done[0], done[1], utcnow())
            session.commit()
            return
        unsigned = _unsigned(client, batch)  # a batch the chain would refuse stops here
        fees = client.market_fees().capped(max_fee)
        mined = client.mined_nonce()
    except Exception as exc:
        revert = revert_of(exc)
        done = _done_before(session, client, batch.job_ids, revert, batch)
        if still_leased(session, batch):
            if done is not None:  # recorded between the look and the send's estimate
                mark_confirmed(session, batch.job_ids, done[0], done[1], utcnow())
            elif revert is not None:
                _reverted(session, batch.job_ids, revert, result)
            else:  # the node is down or answered nonsense: retry later
                mark_retry(session, batch.job_ids, _describe(exc), utcnow())
                result.retried_jobs += len(batch.job_ids)
                log.warning("could not prepare a %s batch: %s", batch.kind, exc)
        session.commit()
        return
    if not still_leased(session, batch):  # another worker has them now
        session.commit()
        return
    nonce = allocate_nonce(session, client.chain_id, client.operator.address, mined)
    signed = client.sign(unsigned, nonce, fees)
    mark_sent(session, batch.job_ids, signed, utcnow())
    session.commit()  # the nonce is taken and the transaction on record before it leaves
    try:
        client.send(signed)
    except Web3RPCError as exc:
        if _already_has(client, signed.hash, exc):  # another worker sent it first
            result.sent_transactions += 1
            return
        # The node refused it: its nonce is free for the next batch.
        log.warning("the node refused %s: %s", signed.hash, exc)
        if still_sent_as(session, batch.job_ids, signed.hash):
            mark_retry(session, batch.job_ids, _describe(exc), utcnow())
            result.retried_jobs += len(batch.job_ids)
        session.commit()
        return
    except Exception as exc:  # no answer: the node may have it; `settle` finds out
        log.warning("sending %s failed: %s", signed.hash, exc)
        note_error(session, batch.job_ids, _describe(exc))
        session.commit()
    result.sent_transactions += 1


# How nodes say that they have a transaction already (geth, anvil, others).
ALREADY_KNOWN = ("already known", "already imported", "known transaction")


def _already_has(client: ChainClient, tx_hash: str, exc: Exception) -> bool:
    """Whether a refused send was refused because the node has (or has mined) it already."""
    if any(phrase in str(exc).lower() for phrase in ALREADY_KNOWN):
        return True
    return _node_knows(client, tx_hash)


def _reverted(session: Session, job_ids, revert, result: TickResult) -> None:
    if mark_reverted(session, job_ids, revert, utcnow()):
        result.failed_jobs += len(job_ids)
    else:
        result.retried_jobs += len(job_ids)


def _node_knows(client: ChainClient, tx_hash: str) -> bool:
    try:
        return client.is_known(tx_hash)
    except Exception:
        return False


def _unsigned(client: ChainClient, batch: JobBatch) -> dict:
    if batch.kind == JobKind.AWARD:
        return client.award_transaction(batch.event_id, list(batch.members), batch.reward_each)
    if batch.kind == JobKind.PROJECT_BADGE:
        token_id = project_badge_token_id(batch.project_id)
        return client.award_transaction(token_id, list(batch.members), 0)
    if batch.kind == JobKind.BADGE:
        return client.award_transaction(batch.token_id, list(batch.members), batch.reward_each)
    if batch.kind == JobKind.ISSUE_CARD:
        return client.card_transaction(batch.members[0])
    if batch.kind == JobKind.REVOKE_CARD:
        return client.card_revocation_transaction(batch.members[0])
    if batch.kind in (JobKind.REDEEM, JobKind.BURN):
        return client.redeem_transaction(batch.members[0], batch.reward_each, batch.ref)
    if batch.kind == JobKind.RECORD_DECISION:
        return client.decision_transaction(batch.proposal_id, batch.tally, batch.digest)
    raise ChainError(f"unknown job kind {batch.kind}")


def _already_on_chain(client: ChainClient, batch: JobBatch) -> tuple[str | None, int | None] | None:
    """(transaction, block) that did a card's or a burn's work already. Awards and project
    badges need no look: the contract skips members who hold the badge, so sending one again
    does no harm. A card's burn is done once the card is no longer held: it is taken only after
    the card's mint is settled (`take_due_batches`), so a card not held then was burned (or
    never minted)."""
    if batch.kind == JobKind.ISSUE_CARD:
        return client.find_card_issue(batch.members[0], client.deployed_block)
    if batch.kind == JobKind.REVOKE_CARD:
        return client.find_card_revocation(batch.members[0], client.deployed_block)
    if batch.kind in (JobKind.REDEEM, JobKind.BURN):
        return client.find_redemption(batch.ref, client.deployed_block)
    if batch.kind == JobKind.RECORD_DECISION:
        return _decision_on_chain(client, batch)
    return None


def _decision_on_chain(client: ChainClient, batch: JobBatch) -> tuple[str | None, int] | None:
    """(transaction, block) that recorded the batch's decision, if the record holds this very
    result; None if it holds none, or another (then the send reverts, and the job fails with
    `DecisionAlreadyRecorded` for an administrator to look at: a result is never changed)."""
    recorded = client.read_decision(batch.proposal_id)
    if recorded is None or (recorded.tally, recorded.digest) != (batch.tally, batch.digest):
        return None
    return client.find_decision(batch.proposal_id, client.deployed_block)


def _done_before(
    session: Session,
    client: ChainClient,
    job_ids: tuple[int, ...],
    revert,
    batch: JobBatch | None = None,
) -> tuple[str | None, int | None] | None:
    """Whether a decision refused as `DecisionAlreadyRecorded` was recorded, with this result,
    by an earlier transaction of ours (one thought lost, say): then the job is done, not
    failed. None for any other revert."""
    if revert is None or revert.name != "DecisionAlreadyRecorded":
        return None
    if batch is None:
        batch = batch_of(session, job_ids)
        session.commit()
    try:
        return _decision_on_chain(client, batch)
    except Exception as exc:  # the node went away: the revert's usual rule applies
        log.warning("could not read decision %s: %s", batch.proposal_id, exc)
        return None


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]
