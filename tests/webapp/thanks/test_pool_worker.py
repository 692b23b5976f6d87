"""The issue's test: the pool shared out exactly once per month with the worker killed between
the ledger and the chain, and the sum paid equals the pool.

A real `enishi worker` process shares the month just ended (the real clock: the month before
this one in Tokyo) while the chain node it is given cannot be reached, so its chain round fails
every tick: the pool's one transaction (its row, the shares, the ledger credits, the badge jobs)
commits, and nothing is sent. It is killed (SIGKILL) as soon as the pool's row is there. A second
worker, given the node, shares nothing again and sends every job once."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from webapp.core.db import utcnow
from webapp.core.i18n import local_zone
from webapp.ledger.models import LedgerEntry
from webapp.onchain.jobs import thanks_badge_token_id
from webapp.onchain.models import ChainJob, JobKind, JobStatus
from webapp.reports.reconcile import reconcile
from webapp.thanks.models import ThanksPool, ThanksPoolShare
from webapp.thanks.pool import month_before, month_end, month_of

from ...support import free_port
from ..test_worker_processes import Worker, counts, wait_until_confirmed
from .pool_world import pool_on, thanked

pytestmark = pytest.mark.parametrize("chain_kind", ["anvil"], indirect=True)

POOL = 100


def wait_for_the_pool(session, month: str, worker: Worker, timeout: float = 60) -> ThanksPool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        session.rollback()  # a fresh snapshot: the worker writes from its own process
        pool = session.get(ThanksPool, month)
        if pool is not None:
            return pool
        assert worker.process.poll() is None, worker.log_path.read_text()
        time.sleep(0.05)
    raise AssertionError("the worker did not share the pool")


def test_the_pool_is_paid_once_when_the_worker_dies_between_the_ledger_and_the_chain(
    session, chain, instance, anvil_url, make_user, tmp_path
):
    zone = local_zone()
    month = month_before(month_of(utcnow(), zone))  # the month just ended
    receivers = [make_user() for _ in range(3)]
    for n, receiver in enumerate(receivers):  # 3, 4 and 5 points from each of three people
        thanked(session, make_user, receiver, [n + 3] * 3, month=month)
    # Switched on while the month was under way: the month is due.
    pool_on(session, make_user, POOL, now=month_end(month_before(month), zone) + timedelta(hours=1))
    nonce_before = chain.mined_nonce()

    nowhere = f"http://127.0.0.1:{free_port()}"  # no node: the chain round fails every tick
    first = Worker(instance, nowhere, tmp_path / "first.log")
    try:
        wait_for_the_pool(session, month, first)
    finally:
        first.kill()

    # Killed between the ledger and the chain: every coin on the ledger, none sent.
    badges = list(session.scalars(select(ChainJob).where(ChainJob.kind == JobKind.BADGE)))
    assert len(badges) == 3
    assert all(job.status == JobStatus.PENDING and job.tx_hash is None for job in badges)
    paid = session.scalar(
        select(func.sum(LedgerEntry.amount)).where(LedgerEntry.kind == "thanks_pool")
    )
    assert paid == POOL
    assert all(chain.token_balance(receiver.address) == 0 for receiver in receivers)

    total = session.scalar(select(func.count()).select_from(ChainJob))  # cards and badges
    second = Worker(instance, anvil_url, tmp_path / "second.log")
    try:
        wait_until_confirmed(session, total, [second])
    finally:
        second.stop()

    session.rollback()
    assert session.scalar(select(func.count()).select_from(ThanksPool)) == 1
    shares = {
        share.user_id: share.coins
        for share in session.scalars(select(ThanksPoolShare).where(ThanksPoolShare.month == month))
    }
    # 3:4:5 of 100 is 25, 33.33, 41.67: the coin left goes to .67.
    assert shares == {receivers[0].id: 25, receivers[1].id: 33, receivers[2].id: 42}
    assert sum(shares.values()) == POOL
    assert (
        session.scalar(
            select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "thanks_pool")
        )
        == 3
    )  # the second worker shared nothing again
    badge = thanks_badge_token_id(month)
    for receiver in receivers:
        assert chain.token_balance(receiver.address) == shares[receiver.id]
        assert chain.badge_balance(receiver.address, badge) == 1
    # Every job confirmed, each sent once (one transaction per batch the jobs record), and the
    # chain holds what the ledger says.
    assert counts(session) == {JobStatus.CONFIRMED: total}
    batches = session.scalar(select(func.count(func.distinct(ChainJob.tx_hash))))
    assert chain.mined_nonce() - nonce_before == batches
    assert reconcile(session, chain) == []  # the badges and the coins, as the ledger says
