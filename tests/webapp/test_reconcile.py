import pytest
from eth_account import Account

from webapp.reports.reconcile import reconcile

from .test_worker import attend, work

pytestmark = pytest.mark.parametrize("chain_kind", ["embedded", "anvil"], indirect=True)


def test_a_ledger_and_chain_that_agree_have_no_differences(app, session, chain, member, make_event):
    attend(session, member, make_event(reward=7))
    work(session, chain)
    assert reconcile(session, chain) == []
    result = app.test_cli_runner().invoke(args=["enishi", "reconcile"])
    assert result.exit_code == 0 and "0 difference(s)" in result.output


def test_every_difference_is_listed(app, session, chain, member, make_user, make_event):
    event = make_event(reward=7)
    attend(session, member, event)
    work(session, chain)
    stranger = make_user()
    # Behind the ledger's back: tokens minted by hand, and a badge nobody attended for.
    signed = chain.sign(
        chain.award_transaction(event.id, [stranger.address], 3), chain.next_nonce()
    )
    chain.send(signed)
    chain.w3.eth.wait_for_transaction_receipt(signed.hash, timeout=30)
    # And to an address no account has: tokens and a membership card.
    nobody = Account.create().address
    for tx in (chain.award_transaction(event.id, [nobody], 5), chain.card_transaction(nobody)):
        signed = chain.sign(tx, chain.next_nonce())
        chain.send(signed)
        chain.w3.eth.wait_for_transaction_receipt(signed.hash, timeout=30)
    differences = {(d.what, d.email, d.ledger, d.chain) for d in reconcile(session, chain)}
    assert differences == {
        ("tokens", stranger.email, 0, 3),
        ("badge", stranger.email, 0, 1),
        ("tokens", None, 0, 5),
        ("badge", None, 0, 1),
        ("card", None, 0, 1),
    }
    result = app.test_cli_runner().invoke(args=["enishi", "reconcile"])
    assert result.exit_code == 1
    assert f"tokens {stranger.address} {stranger.email}: ledger 0, chain 3" in result.output


def test_a_decision_that_differs_from_its_job_or_has_none_is_listed(app, session, chain):
    from eth_utils import keccak

    from webapp.onchain.jobs import get_decision_job, queue_decision

    digest = keccak(text="ballots")
    queue_decision(session, proposal_id=3, tally=(4, 1), digest=digest)
    session.commit()
    work(session, chain)
    assert reconcile(session, chain) == []
    # Behind the queue's back: a result recorded by hand for a proposal no job explains.
    signed = chain.sign(chain.decision_transaction(8, (1, 0), digest), chain.next_nonce())
    chain.send(signed)
    chain.w3.eth.wait_for_transaction_receipt(signed.hash, timeout=30)
    # And the database's copy of a recorded result changed afterwards.
    get_decision_job(session, 3).tally = "1,4"
    session.commit()
    differences = {(d.what, d.proposal_id, d.ledger, d.chain) for d in reconcile(session, chain)}
    assert differences == {("decision", 3, 1, 1), ("decision", 8, 0, 1)}
    result = app.test_cli_runner().invoke(args=["enishi", "reconcile"])
    assert result.exit_code == 1
    assert (
        f"decision proposal 3 {chain.addresses.decision} (record): ledger tally 1,4 digest "
        f"0x{digest.hex()}, chain tally 4,1 digest 0x{digest.hex()}"
    ) in result.output
