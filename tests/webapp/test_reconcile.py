import pytest

from webapp.onchain.reconcile import reconcile
from webapp.onchain.worker import run_once

from .test_worker import attend

pytestmark = pytest.mark.parametrize("chain_kind", ["embedded", "anvil"], indirect=True)


def test_a_ledger_and_chain_that_agree_have_no_differences(app, session, chain, member, make_event):
    attend(session, member, make_event(reward=7))
    run_once(session, chain, batch_size=100)
    assert reconcile(session, chain) == []
    result = app.test_cli_runner().invoke(args=["enishi", "reconcile"])
    assert result.exit_code == 0 and "0 difference(s)" in result.output


def test_every_difference_is_listed(app, session, chain, member, make_user, make_event):
    event = make_event(reward=7)
    attend(session, member, event)
    run_once(session, chain, batch_size=100)
    stranger = make_user()
    # Behind the ledger's back: tokens minted by hand, and a badge nobody attended for.
    chain.send(chain.prepare_award(event.id, [stranger.address], 3, chain.next_nonce()))
    differences = {(d.what, d.email, d.ledger, d.chain) for d in reconcile(session, chain)}
    assert ("tokens", stranger.email, 0, 3) in differences
    assert ("badge", stranger.email, 0, 1) in differences
    result = app.test_cli_runner().invoke(args=["enishi", "reconcile"])
    assert result.exit_code == 1
    assert f"tokens {stranger.address} {stranger.email}: ledger 0, chain 3" in result.output
