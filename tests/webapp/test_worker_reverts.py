"""A batch the chain refuses is diagnosed by its custom error and failed or retried by rule."""

import pytest
from web3.exceptions import ContractLogicError

from webapp.core.db import utcnow
from webapp.onchain.jobs import MAX_REVERTS, retry_now
from webapp.onchain.models import JobKind, JobStatus

from .test_worker import attend, jobs, make_due, work

pytestmark = pytest.mark.parametrize("chain_kind", ["embedded", "anvil"], indirect=True)


def set_minter(chain, allowed: bool) -> None:
    """Grants or revokes the operator's right to award badges, as the contracts' admin can."""
    badge = chain._contract("ParticipationBadge", chain.addresses.badge)
    role = badge.functions.MINTER_ROLE().call()
    change = badge.functions.grantRole if allowed else badge.functions.revokeRole
    tx = chain._unsigned(change(role, chain.operator.address))
    signed = chain.sign(tx, chain.next_nonce())
    chain.send(signed)
    assert chain.w3.eth.wait_for_transaction_receipt(signed.hash, timeout=30)["status"] == 1


def test_a_batch_refused_for_a_missing_role_fails_at_once_with_the_decoded_error(
    session, chain, member, make_event
):
    work(session, chain)  # the membership card
    event = make_event(reward=4)
    attend(session, member, event)
    set_minter(chain, allowed=False)
    nonce_before = chain.mined_nonce()

    result = work(session, chain)
    award = jobs(session, kind=JobKind.AWARD)[0]
    assert result.failed_jobs == 1 and award.status == JobStatus.FAILED
    assert "AccessControlUnauthorizedAccount" in award.last_error
    assert chain.operator.address.lower() in award.last_error.lower()
    assert chain.mined_nonce() == nonce_before  # refused at estimation: nothing was sent
    make_due(session, kind=JobKind.AWARD)
    work(session, chain)
    assert jobs(session, kind=JobKind.AWARD)[0].attempts == 1  # failed jobs are left alone

    set_minter(chain, allowed=True)  # the administrator fixes the role, then retries
    assert retry_now(session, utcnow()) == 1
    session.commit()
    work(session, chain)
    award = jobs(session, kind=JobKind.AWARD)[0]
    assert (award.status, award.reverts, award.last_error) == (JobStatus.CONFIRMED, 0, None)
    assert chain.token_balance(member.address) == 4


def test_a_batch_mined_as_reverted_is_diagnosed_by_replaying_it(
    session, chain, member, make_event, monkeypatch
):
    work(session, chain)
    attend(session, member, make_event(reward=4))
    set_minter(chain, allowed=False)
    # The role goes between estimation and mining: here, the estimate is skipped.
    monkeypatch.setattr(chain.w3.eth, "estimate_gas", lambda tx, *args: 200_000)
    work(session, chain)
    monkeypatch.undo()

    award = jobs(session, kind=JobKind.AWARD)[0]
    assert award.status == JobStatus.FAILED
    assert "AccessControlUnauthorizedAccount" in award.last_error
    sent = chain.w3.eth.get_block("latest", full_transactions=True)["transactions"]
    assert [chain.receipt(tx["hash"])["status"] for tx in sent] == [0]  # it was mined, reverted
    assert chain.badge_balance(member.address, award.event_id) == 0


def test_an_unexplained_revert_is_retried_and_then_failed(
    session, chain, member, make_event, monkeypatch
):
    work(session, chain)
    attend(session, member, make_event())

    def refuse(*args):
        raise ContractLogicError("execution reverted", data="0x")

    monkeypatch.setattr(chain, "award_transaction", refuse)
    for round_number in range(1, MAX_REVERTS + 1):
        make_due(session, kind=JobKind.AWARD)
        work(session, chain)
        award = jobs(session, kind=JobKind.AWARD)[0]
        assert award.reverts == round_number
        expected = JobStatus.FAILED if round_number == MAX_REVERTS else JobStatus.PENDING
        assert award.status == expected, round_number
    assert award.last_error.startswith("reverted: unknown")


def test_a_revert_that_cannot_be_replayed_follows_the_rule_instead_of_stopping_the_worker(
    session, chain, member, make_event, monkeypatch
):
    work(session, chain)
    attend(session, member, make_event())
    real_receipt = chain.receipt
    monkeypatch.setattr(chain, "receipt", lambda h: {**real_receipt(h), "status": 0})

    def pruned(*args, **kwargs):
        raise ValueError("missing trie node")  # a node that keeps no old state

    monkeypatch.setattr(chain.w3.eth, "call", pruned)
    result = work(session, chain)
    award = jobs(session, kind=JobKind.AWARD)[0]
    assert result.retried_jobs == 1 and award.status == JobStatus.PENDING
    assert "cannot replay" in award.last_error and award.reverts == 1
