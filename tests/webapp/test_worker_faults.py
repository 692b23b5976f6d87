"""Faults a real node shows: a transaction stuck in the pool, one the pool dropped, a
reorganisation that undoes a mined batch. On anvil, with automining switched off, and its
`anvil_dropTransaction` and `anvil_reorg` calls."""

import re
from datetime import timedelta

import pytest

from webapp.core.db import utcnow
from webapp.onchain.models import JobKind, JobStatus
from webapp.onchain.worker import run_once

from .test_worker import attend, jobs

pytestmark = pytest.mark.parametrize("chain_kind", ["anvil"], indirect=True)


def rpc(chain, method, *params):
    return chain.w3.provider.make_request(method, list(params))["result"]


def age_sent_jobs(session, by: timedelta) -> None:
    for job in jobs(session, status=JobStatus.SENT):
        job.sent_at = utcnow() - by
    session.commit()


def test_a_stuck_transaction_is_replaced_with_higher_fees_and_pays_once(
    session, chain, member, make_event
):
    run_once(session, chain, batch_size=100)  # the membership card
    event = make_event(reward=4)
    attend(session, member, event)
    rpc(chain, "evm_setAutomine", False)
    run_once(session, chain, batch_size=100)
    stuck = jobs(session, kind=JobKind.AWARD)[0]
    assert stuck.status == JobStatus.SENT and chain.receipt(stuck.tx_hash) is None
    first = (stuck.tx_hash, stuck.nonce, stuck.max_fee_per_gas, stuck.priority_fee_per_gas)

    age_sent_jobs(session, timedelta(minutes=2))
    result = run_once(session, chain, batch_size=100)
    assert result.replaced_transactions == 1
    replaced = jobs(session, kind=JobKind.AWARD)[0]
    first_hash, first_nonce, first_max_fee, first_priority_fee = first
    assert replaced.tx_hash != first_hash and replaced.nonce == first_nonce
    assert replaced.replaced_tx_hashes.split() == [first_hash]
    assert replaced.priority_fee_per_gas * 8 >= first_priority_fee * 9  # at least +12.5%
    assert replaced.max_fee_per_gas * 8 >= first_max_fee * 9
    assert chain.is_known(replaced.tx_hash)  # the node took the replacement in

    rpc(chain, "evm_mine")
    run_once(session, chain, batch_size=100)
    done = jobs(session, kind=JobKind.AWARD)[0]
    assert (done.status, done.tx_hash) == (JobStatus.CONFIRMED, replaced.tx_hash)
    assert chain.receipt(done.tx_hash)["status"] == 1
    assert chain.receipt(first_hash) is None  # the replacement, not the first, was mined
    assert chain.token_balance(member.address) == 4
    rpc(chain, "evm_setAutomine", True)


def test_a_transaction_the_pool_dropped_is_sent_again_and_pays_once(
    session, chain, member, make_event
):
    run_once(session, chain, batch_size=100)  # the membership card
    event = make_event(reward=5)
    attend(session, member, event)
    rpc(chain, "evm_setAutomine", False)
    run_once(session, chain, batch_size=100)
    award = jobs(session, kind=JobKind.AWARD)[0]
    assert rpc(chain, "anvil_dropTransaction", award.tx_hash) == award.tx_hash
    assert not chain.is_known(award.tx_hash)

    age_sent_jobs(session, timedelta(seconds=30))
    result = run_once(session, chain, batch_size=100)
    assert result.resent_transactions == 1  # the same signed transaction, byte for byte
    rpc(chain, "evm_mine")
    run_once(session, chain, batch_size=100)
    done = jobs(session, kind=JobKind.AWARD)[0]
    assert (done.status, done.tx_hash) == (JobStatus.CONFIRMED, award.tx_hash)
    assert chain.token_balance(member.address) == 5
    assert chain.badge_balance(member.address, event.id) == 1
    rpc(chain, "evm_setAutomine", True)


def test_a_batch_undone_by_a_reorganisation_is_minted_again_once(
    session, chain, member, make_event
):
    run_once(session, chain, batch_size=100, confirmations=2)
    rpc(chain, "evm_mine")
    run_once(session, chain, batch_size=100, confirmations=2)  # the card, two blocks deep
    event = make_event(reward=6)
    attend(session, member, event)
    run_once(session, chain, batch_size=100, confirmations=2)
    award = jobs(session, kind=JobKind.AWARD)[0]
    assert award.status == JobStatus.SENT  # mined, but only one block deep
    assert chain.token_balance(member.address) == 6
    head = chain.block_number()

    rpc(chain, "anvil_reorg", 1, [])  # the block with the batch is replaced by an empty one
    assert chain.block_number() == head
    assert chain.token_balance(member.address) == 0
    assert not chain.is_known(award.tx_hash)
    age_sent_jobs(session, timedelta(seconds=30))
    result = run_once(session, chain, batch_size=100, confirmations=2)
    assert result.resent_transactions == 1  # the same signed transaction, mined again
    rpc(chain, "evm_mine")
    run_once(session, chain, batch_size=100, confirmations=2)
    again = jobs(session, kind=JobKind.AWARD)[0]
    assert (again.status, again.tx_hash) == (JobStatus.CONFIRMED, award.tx_hash)
    assert chain.token_balance(member.address) == 6
    assert chain.badge_balance(member.address, event.id) == 1


def test_fees_never_pass_the_cap_and_the_chain_page_says_what_waits(
    app, session, chain, member, make_event, make_user
):
    from webapp.accounts.models import Role

    from ..conftest import log_in

    run_once(session, chain, batch_size=100)  # the membership card
    market = chain.market_fees()
    cap = market.max_fee - 1  # below what the market asks
    event = make_event(reward=4)
    attend(session, member, event)
    rpc(chain, "evm_setAutomine", False)
    run_once(session, chain, batch_size=100, max_fee=cap)
    stuck = jobs(session, kind=JobKind.AWARD)[0]
    assert stuck.max_fee_per_gas == cap  # the first offer is capped, not refused
    first_hash = stuck.tx_hash

    age_sent_jobs(session, timedelta(minutes=2))
    result = run_once(session, chain, batch_size=100, max_fee=cap)
    assert result.replaced_transactions == 0 and result.capped_transactions >= 1
    waiting = jobs(session, kind=JobKind.AWARD)[0]
    assert (waiting.status, waiting.tx_hash) == (JobStatus.SENT, first_hash)
    assert "fee cap" in waiting.last_error

    app.config["MAX_FEE_GWEI"] = cap / 10**9
    admin = app.test_client()
    log_in(admin, make_user(Role.ADMIN).email)
    page = admin.get("/admin/chain").get_data(as_text=True)
    alert = re.search(r'data-testid="fee-cap">([^<]*)<', page).group(1)
    assert "%g gwei" % (cap / 10**9) in alert and "：1 件" in alert

    rpc(chain, "evm_mine")  # the capped offer still pays the base fee: it is mined
    run_once(session, chain, batch_size=100, max_fee=cap)
    assert jobs(session, kind=JobKind.AWARD)[0].status == JobStatus.CONFIRMED
    assert "fee-cap" not in admin.get("/admin/chain").get_data(as_text=True)
    assert chain.token_balance(member.address) == 4
    rpc(chain, "evm_setAutomine", True)
