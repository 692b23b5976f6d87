import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from web3.exceptions import Web3RPCError

from chain.sender import complete_transaction
from webapp.checkin.services import record_claim
from webapp.core.db import utcnow
from webapp.onchain.models import ChainJob, JobKind, JobStatus
from webapp.onchain.worker import TickResult, run_once, settle

from .checkin.scans import claim, code_for

# The worker and the whole path run on the embedded chain and on anvil, a real JSON-RPC node.
pytestmark = pytest.mark.parametrize("chain_kind", ["embedded", "anvil"], indirect=True)


def attend(session, user, event):
    record_claim(session, user, claim(code_for(event)), now=utcnow(), source="api")
    session.commit()


def jobs(session, **where) -> list[ChainJob]:
    session.rollback()
    query = select(ChainJob).order_by(ChainJob.id)
    for name, value in where.items():
        query = query.where(getattr(ChainJob, name) == value)
    return list(session.scalars(query))


def work(session, chain, **kwargs):
    """One worker round, then more settling (as the next rounds would) until every sent
    transaction the node knows is mined: anvil mines a moment after it accepts one."""
    result = run_once(session, chain, batch_size=100, **kwargs)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        sent = jobs(session, status=JobStatus.SENT)
        if not any(chain.receipt(j.tx_hash) is None and chain.is_known(j.tx_hash) for j in sent):
            break
        time.sleep(0.05)
    settle(session, chain, TickResult(), kwargs.get("confirmations", 1))
    return result


def age_sent(session, by: timedelta = timedelta(minutes=1)) -> None:
    """Makes the sent jobs' transactions older, as the next rounds would find them."""
    for job in jobs(session, status=JobStatus.SENT):
        job.sent_at = job.sent_at - by
    session.commit()


def make_due(session, **where) -> None:
    for job in jobs(session, **where):
        job.next_attempt_at = utcnow() - timedelta(seconds=1)
    session.commit()


def test_one_transaction_per_event_for_many_members(session, chain, make_user, make_event):
    event, other = make_event(reward=5), make_event(title="別の会", reward=8)
    people = [make_user() for n in range(4)]
    for person in people:
        attend(session, person, event)
    attend(session, people[0], other)
    work(session, chain)
    awards = jobs(session, kind=JobKind.AWARD)
    assert {j.status for j in awards} == {JobStatus.CONFIRMED}
    assert len({j.tx_hash for j in awards if j.event_id == event.id}) == 1
    assert len({j.tx_hash for j in awards}) == 2
    assert chain.token_balance(people[0].address) == 13
    assert chain.token_balance(people[3].address) == 5


def test_a_refused_send_is_retried_later_with_growing_pauses(
    session, chain, member, make_event, monkeypatch
):
    event = make_event()
    attend(session, member, event)

    def refuse(signed):
        raise Web3RPCError("insufficient funds for gas * price + value")

    monkeypatch.setattr(chain, "send", refuse)
    pauses = []
    for attempt in range(1, 4):
        make_due(session, kind=JobKind.AWARD)
        work(session, chain)
        ended = utcnow()
        award = jobs(session, kind=JobKind.AWARD)[0]
        assert (award.status, award.attempts, award.tx_hash) == (JobStatus.PENDING, attempt, None)
        assert "insufficient funds" in award.last_error
        pauses.append((award.next_attempt_at - ended).total_seconds())
    # 2, 4 and 8 seconds from the failed attempt (which ended a moment before `ended`)
    expected = (2, 4, 8)
    assert all(e - 2 < p <= e for p, e in zip(pauses, expected, strict=True)), pauses

    monkeypatch.undo()
    work(session, chain)
    assert jobs(session, kind=JobKind.AWARD)[0].status == JobStatus.PENDING  # still pausing
    make_due(session, kind=JobKind.AWARD)
    work(session, chain)
    assert jobs(session, kind=JobKind.AWARD)[0].status == JobStatus.CONFIRMED
    assert chain.badge_balance(member.address, event.id) == 1


def test_a_failure_while_preparing_counts_as_an_attempt(
    session, chain, member, make_event, monkeypatch
):
    attend(session, member, make_event())

    def revert(*args):
        raise ValueError("execution reverted")

    monkeypatch.setattr(chain, "award_transaction", revert)
    work(session, chain)
    make_due(session, kind=JobKind.AWARD)
    work(session, chain)
    award = jobs(session, kind=JobKind.AWARD)[0]
    assert (award.status, award.attempts) == (JobStatus.PENDING, 2)
    assert "execution reverted" in award.last_error


def test_a_send_error_after_the_node_took_the_transaction_keeps_it(
    session, chain, member, make_event, monkeypatch
):
    event = make_event(reward=6)
    attend(session, member, event)
    real_send = chain.send

    def send_then_time_out(signed):
        real_send(signed)
        raise TimeoutError("no answer")

    monkeypatch.setattr(chain, "send", send_then_time_out)
    work(session, chain)
    award = jobs(session, kind=JobKind.AWARD)[0]
    assert award.status == JobStatus.CONFIRMED and award.tx_hash
    assert chain.token_balance(member.address) == 6


def test_a_transaction_lost_after_recording_is_sent_again_as_it_was_and_pays_once(
    session, chain, member, make_event, monkeypatch
):
    event = make_event(reward=9)
    work(session, chain)  # the membership card, sent normally
    attend(session, member, event)
    # The worker records the transaction, then dies before it leaves: no node ever sees it.
    monkeypatch.setattr(chain, "send_raw", lambda raw: None)
    run_once(session, chain, batch_size=100)
    award = jobs(session, kind=JobKind.AWARD)[0]
    recorded = award.tx_hash
    assert award.status == JobStatus.SENT and not chain.is_known(recorded)
    monkeypatch.undo()

    assert work(session, chain).resent_transactions == 0  # not yet: it may be on its way
    age_sent(session)
    result = work(session, chain)  # the restarted worker finds it nowhere and sends it again
    assert result.resent_transactions == 1
    award = jobs(session, kind=JobKind.AWARD)[0]
    assert (award.status, award.tx_hash) == (JobStatus.CONFIRMED, recorded)
    assert chain.token_balance(member.address) == 9
    work(session, chain)
    assert chain.token_balance(member.address) == 9


def test_a_transaction_whose_nonce_went_elsewhere_is_requeued_and_pays_once(
    session, chain, member, make_event, monkeypatch
):
    event = make_event(reward=2)
    work(session, chain)
    attend(session, member, event)
    monkeypatch.setattr(chain, "send_raw", lambda raw: None)
    run_once(session, chain, batch_size=100)
    lost_nonce = jobs(session, kind=JobKind.AWARD)[0].nonce
    monkeypatch.undo()
    # Someone else sends with the operator's key meanwhile, taking the recorded nonce.
    transfer = {"to": member.address, "value": 1}
    other = chain.sign(
        complete_transaction(chain.w3, chain.operator, transfer, gas=21_000), lost_nonce
    )
    chain.send(other)
    chain.w3.eth.wait_for_transaction_receipt(other.hash, timeout=30)

    age_sent(session)
    work(session, chain)
    award = jobs(session, kind=JobKind.AWARD)[0]
    assert award.status == JobStatus.PENDING and "was lost" in award.last_error
    make_due(session, kind=JobKind.AWARD)
    work(session, chain)
    award = jobs(session, kind=JobKind.AWARD)[0]
    assert award.status == JobStatus.CONFIRMED and award.nonce == lost_nonce + 1
    assert chain.token_balance(member.address) == 2


def test_a_node_that_does_not_answer_a_send_gets_the_transaction_again_later(
    session, chain, member, make_event, monkeypatch
):
    event = make_event(reward=3)
    work(session, chain)
    attend(session, member, event)

    def unreachable(raw):
        raise ConnectionError("connection refused")

    monkeypatch.setattr(chain, "send_raw", unreachable)
    work(session, chain)
    work(session, chain)
    award = jobs(session, kind=JobKind.AWARD)[0]
    assert award.status == JobStatus.SENT and award.attempts == 1  # kept, not requeued
    monkeypatch.undo()
    age_sent(session)
    work(session, chain)
    assert jobs(session, kind=JobKind.AWARD)[0].status == JobStatus.CONFIRMED
    assert chain.token_balance(member.address) == 3


def test_a_reverted_transaction_goes_back_to_the_queue(
    session, chain, member, make_event, monkeypatch
):
    attend(session, member, make_event())
    real_receipt = chain.receipt
    monkeypatch.setattr(chain, "receipt", lambda h: {**real_receipt(h), "status": 0})
    work(session, chain)
    award = jobs(session, kind=JobKind.AWARD)[0]
    assert award.status == JobStatus.PENDING
    assert "reverted" in award.last_error


def test_a_card_already_on_chain_is_confirmed_with_its_real_transaction(session, chain, member):
    card_job = jobs(session, kind=JobKind.ISSUE_CARD, user_id=member.id)[0]
    signed = chain.sign(chain.card_transaction(member.address), chain.next_nonce())
    chain.send(signed)  # an earlier send whose answer the worker never recorded
    chain.w3.eth.wait_for_transaction_receipt(signed.hash, timeout=30)
    work(session, chain)
    card_job = jobs(session, id=card_job.id)[0]
    assert (card_job.status, card_job.tx_hash) == (JobStatus.CONFIRMED, signed.hash)


def test_a_card_on_chain_whose_mint_the_node_forgot_is_confirmed_not_sent_again(
    session, chain, member, monkeypatch
):
    """A node restored from a state dump (or with its history pruned) holds the card but no log
    of its mint: the contract's state is what counts."""
    card_job = jobs(session, kind=JobKind.ISSUE_CARD, user_id=member.id)[0]
    signed = chain.sign(chain.card_transaction(member.address), chain.next_nonce())
    chain.send(signed)
    chain.w3.eth.wait_for_transaction_receipt(signed.hash, timeout=30)
    nonce = chain.mined_nonce()
    monkeypatch.setattr(chain.w3.eth, "get_logs", lambda *args, **kwargs: [])
    result = work(session, chain)
    card_job = jobs(session, id=card_job.id)[0]
    assert (card_job.status, card_job.tx_hash, card_job.last_error) == (
        JobStatus.CONFIRMED,
        None,
        None,
    )
    assert result.sent_transactions == 0 and chain.mined_nonce() == nonce
    assert chain.has_card(member.address)


def test_a_worker_whose_lease_was_taken_over_leaves_the_batch_alone(
    session, chain, member, make_event
):
    from webapp.onchain.jobs import retry_now, take_due_batches
    from webapp.onchain.worker import _send

    work(session, chain)
    event = make_event(reward=5)
    attend(session, member, event)
    late = take_due_batches(session, utcnow(), 100)  # worker A takes the award, then stalls
    session.commit()
    retry_now(session, utcnow())  # an administrator presses "send now"
    session.commit()
    work(session, chain)  # worker B sends and confirms it
    confirmed = jobs(session, kind=JobKind.AWARD)[0]
    assert confirmed.status == JobStatus.CONFIRMED
    first_hash, nonce_after = confirmed.tx_hash, chain.mined_nonce()

    result = TickResult()
    _send(session, chain, late[0], result)  # worker A wakes up
    assert result == TickResult()
    assert chain.mined_nonce() == nonce_after  # nothing sent twice
    award = jobs(session, kind=JobKind.AWARD)[0]
    assert (award.status, award.tx_hash) == (JobStatus.CONFIRMED, first_hash)


def test_a_transaction_another_worker_sent_first_is_not_freed(
    session, chain, member, make_event, monkeypatch
):
    work(session, chain)
    attend(session, member, make_event(reward=7))
    real_send = chain.send

    def sent_by_another_worker_first(signed):
        real_send(signed)  # the other worker's resend got there first
        return real_send(signed)

    monkeypatch.setattr(chain, "send", sent_by_another_worker_first)
    result = work(session, chain)
    award = jobs(session, kind=JobKind.AWARD)[0]
    assert result.retried_jobs == 0
    assert award.status == JobStatus.CONFIRMED and award.attempts == 1
    assert chain.token_balance(member.address) == 7
