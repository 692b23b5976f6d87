"""A proposal's result on chain: queued once, sent by the worker, read back from the decision
record; recorded once even when an answer is lost on the way."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from chain.client import DecisionOnChain
from chain.sender import complete_transaction
from webapp.onchain.deployments import deploy_contracts, get_deployment
from webapp.onchain.jobs import get_decision_job, queue_decision
from webapp.onchain.models import ChainJob, JobKind, JobStatus

from .test_worker import make_due, work

pytestmark = pytest.mark.parametrize("chain_kind", ["embedded", "anvil"], indirect=True)

CSV = "ballot,option,how\n1,Yes,phone\n2,No,meeting\n3,Yes,phone\n"
DIGEST = keccak(text=CSV)


def decide(session, proposal_id=4, tally=(2, 1), digest=DIGEST) -> ChainJob:
    job = queue_decision(session, proposal_id=proposal_id, tally=tally, digest=digest)
    session.commit()
    return job


def decision_job(session, proposal_id=4) -> ChainJob:
    session.rollback()
    return get_decision_job(session, proposal_id)


def test_a_decision_goes_on_chain_and_reads_back(session, chain):
    decide(session, tally=(2, 1, 0))
    assert chain.read_decision(4) is None
    work(session, chain)
    job = decision_job(session)
    assert job.status == JobStatus.CONFIRMED and job.tx_hash and job.user_id is None
    assert chain.read_decision(4) == DecisionOnChain(
        tally=(2, 1, 0), digest=DIGEST, block_number=job.block_number
    )
    assert chain.find_decision(4, chain.deployed_block) == (job.tx_hash, job.block_number)
    assert chain.read_decision(4).digest == keccak(text=CSV)  # anyone can recompute it


def test_a_decision_recorded_before_its_answer_was_lost_is_confirmed_not_sent_again(session, chain):
    """The worker's first send reached the chain, but its record of it did not survive (a
    crash, a restored database): the next round finds the result on chain, sends nothing."""
    decide(session)
    earlier = chain.sign(chain.decision_transaction(4, (2, 1), DIGEST), chain.next_nonce())
    chain.send(earlier)
    chain.w3.eth.wait_for_transaction_receipt(earlier.hash, timeout=30)
    nonce = chain.mined_nonce()
    result = work(session, chain)
    job = decision_job(session)
    assert (job.status, job.tx_hash) == (JobStatus.CONFIRMED, earlier.hash)
    assert result.sent_transactions == 0 and chain.mined_nonce() == nonce


def test_a_decision_on_chain_whose_log_the_node_forgot_is_confirmed_at_its_block(
    session, chain, monkeypatch
):
    """A node restored from a state dump (or with its history pruned) holds the record but no
    log of the transaction: the contract noted the block, and that is what the job keeps."""
    decide(session)
    earlier = chain.sign(chain.decision_transaction(4, (2, 1), DIGEST), chain.next_nonce())
    chain.send(earlier)
    block = chain.w3.eth.wait_for_transaction_receipt(earlier.hash, timeout=30)["blockNumber"]
    monkeypatch.setattr(chain.w3.eth, "get_logs", lambda *args, **kwargs: [])
    result = work(session, chain)
    job = decision_job(session)
    assert (job.status, job.tx_hash, job.block_number) == (JobStatus.CONFIRMED, None, block)
    assert result.sent_transactions == 0


def test_a_resend_refused_as_already_recorded_with_the_same_result_counts_as_done(
    session, chain, monkeypatch
):
    """The worker looked before the earlier transaction was mined, sent again, and its second
    transaction reverted with DecisionAlreadyRecorded: the same result, so the job is done."""
    decide(session)
    earlier = chain.sign(chain.decision_transaction(4, (2, 1), DIGEST), chain.next_nonce())
    chain.send(earlier)
    chain.w3.eth.wait_for_transaction_receipt(earlier.hash, timeout=30)
    real_read = chain.read_decision
    looks = []

    def missed_the_first_look(proposal_id):
        looks.append(proposal_id)
        return None if len(looks) == 1 else real_read(proposal_id)

    def without_estimate(proposal_id, tally, digest):  # mined as reverted, not refused first
        record = chain._contract("DecisionRecord", chain.addresses.decision)
        draft = record.functions.record(proposal_id, list(tally), digest).build_transaction(
            {"from": chain.operator_address, "gas": 300_000}
        )
        return complete_transaction(chain.w3, chain.operator, draft, gas=300_000)

    monkeypatch.setattr(chain, "read_decision", missed_the_first_look)
    monkeypatch.setattr(chain, "decision_transaction", without_estimate)
    result = work(session, chain)
    job = decision_job(session)
    assert result.sent_transactions == 1 and result.failed_jobs == 0
    assert (job.status, job.tx_hash, job.last_error) == (JobStatus.CONFIRMED, earlier.hash, None)
    assert chain.read_decision(4).tally == (2, 1)


def test_a_send_refused_while_preparing_as_already_recorded_counts_as_done(
    session, chain, monkeypatch
):
    decide(session)
    earlier = chain.sign(chain.decision_transaction(4, (2, 1), DIGEST), chain.next_nonce())
    chain.send(earlier)
    chain.w3.eth.wait_for_transaction_receipt(earlier.hash, timeout=30)
    real_read = chain.read_decision
    looks = []
    monkeypatch.setattr(
        chain,
        "read_decision",
        lambda p: looks.append(p) or (None if len(looks) == 1 else real_read(p)),
    )
    result = work(session, chain)
    job = decision_job(session)
    assert (job.status, job.tx_hash) == (JobStatus.CONFIRMED, earlier.hash)
    assert result.sent_transactions == 0 and result.failed_jobs == 0


def test_another_result_on_record_fails_the_job_for_an_administrator(session, chain):
    decide(session, tally=(2, 1))
    other = chain.sign(chain.decision_transaction(4, (1, 2), DIGEST), chain.next_nonce())
    chain.send(other)
    chain.w3.eth.wait_for_transaction_receipt(other.hash, timeout=30)
    work(session, chain)
    job = decision_job(session)
    assert job.status == JobStatus.FAILED and "DecisionAlreadyRecorded" in job.last_error
    assert chain.read_decision(4).tally == (1, 2)  # the chain's record stands, unchanged


def test_an_install_deployed_before_the_record_gets_it_and_its_decisions_go_on_chain(
    app, session, chain
):
    """`make run` on an instance made before the decision record existed: its deployment has
    no record; setup's deploy adds one beside the other contracts, and a decision queued
    meanwhile waits for it, then goes on chain."""
    deployment = get_deployment(session, chain.chain_id)
    before = (deployment.token_address, deployment.badge_address, deployment.card_address)
    deployment.decision_address = None
    session.commit()
    decide(session)

    from webapp.onchain.connection import get_chain_client

    old = get_chain_client(session)
    assert old.addresses.decision is None and old.read_decision(4) is None
    work(session, old)
    job = decision_job(session)
    assert job.status == JobStatus.PENDING and "not deployed" in job.last_error

    deploy = app.test_cli_runner().invoke(args=["enishi", "deploy"])
    assert deploy.exit_code == 0, deploy.output
    assert "Added the decision record" in deploy.output
    deployment = get_deployment(session, chain.chain_id)
    session.refresh(deployment)
    assert deployment.decision_address and chain.w3.eth.get_code(deployment.decision_address)
    assert (deployment.token_address, deployment.badge_address, deployment.card_address) == before

    again = get_chain_client(session)
    _deployment, new = deploy_contracts(session, again, "http://localhost")  # nothing more
    assert new is False and again.addresses.decision == deployment.decision_address
    session.commit()
    make_due(session, kind=JobKind.RECORD_DECISION)
    work(session, again)
    assert decision_job(session).status == JobStatus.CONFIRMED
    assert again.read_decision(4).tally == (2, 1)
