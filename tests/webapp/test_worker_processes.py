"""Real worker processes against a real node: two sharing one queue, one killed again and again
in the middle of its work, and the node stopped and started again under a running worker.
Whatever happens, every job ends confirmed and the chain holds exactly what the ledger says."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time

import pytest
from flask import g
from sqlalchemy import func, select
from web3 import Web3

from chain.client import ChainClient
from chain.wallets import Keyring
from webapp.core.db import mark_writing
from webapp.onchain.deployments import deploy_contracts
from webapp.onchain.models import ChainJob, JobStatus
from webapp.reports.reconcile import reconcile

from ..conftest import TEST_MNEMONIC, database_uri
from ..support import PROJECT_DIR, free_port, start_anvil
from .test_worker import attend

pytestmark = pytest.mark.parametrize("chain_kind", ["anvil"], indirect=True)


class Worker:
    """`flask enishi worker` as its own process, its log in a file."""

    def __init__(self, instance, rpc_url: str, log_path, batch_size: int = 4):
        env = {
            **os.environ,
            "ENISHI_INSTANCE": str(instance),
            "ENISHI_DATABASE_URL": database_uri(instance),
            "ENISHI_RPC_URL": rpc_url,
            "ENISHI_MASTER_MNEMONIC": TEST_MNEMONIC,
            "ENISHI_SECRET_KEY": "test-secret",
            "ENISHI_WORKER_INTERVAL": "0.2",
            "ENISHI_WORKER_BATCH_SIZE": str(batch_size),
            # A killed worker's jobs wait out its lease; a short one keeps the test short.
            "ENISHI_WORKER_LEASE_SECONDS": "3",
        }
        self.log_path = log_path
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "webapp", "enishi", "worker"],
                cwd=PROJECT_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no cleanup, as when a machine dies
        self.process.wait(timeout=10)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=20)

    def wait_until_running(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while "running" not in self.log_path.read_text(encoding="utf-8", errors="replace"):
            assert self.process.poll() is None and time.monotonic() < deadline, "no worker"
            time.sleep(0.1)

    def transactions_sent(self) -> int:
        log = self.log_path.read_text(encoding="utf-8", errors="replace")
        return sum(int(n) for n in re.findall(r"sent_transactions=(\d+)", log))


def crowd(session, make_user, make_event, members: int, events: int) -> int:
    """`members` members who each attend `events` events; returns how many jobs that queues."""
    # As the web app's writing requests do beside a running worker on SQLite: take the write
    # lock when a transaction begins, and only while writing (the test then only watches).
    session.commit()
    mark_writing()
    try:
        people = [make_user() for _ in range(members)]
        for n in range(events):
            event = make_event(title=f"集まり {n}", reward=n + 1)
            for person in people:
                attend(session, person, event)
    finally:
        session.commit()
        g.db_writes = False
    return members * (events + 1)  # an award per attendance, and each member's card


def counts(session) -> dict[str, int]:
    session.rollback()  # a fresh snapshot: the workers write from other processes
    query = select(ChainJob.status, func.count()).group_by(ChainJob.status)
    return dict(session.execute(query).all())


def wait_until_confirmed(session, total: int, workers: list[Worker], timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if counts(session).get(JobStatus.CONFIRMED, 0) == total:
            return
        for worker in workers:
            assert worker.process.poll() is None, worker.log_path.read_text()
        time.sleep(0.2)
    raise AssertionError(f"not all confirmed: {counts(session)}")


def wait_for_progress(session, before: int, timeout: float = 60) -> int:
    """Waits until more jobs have left the queue than `before`; returns how many have."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = sum(n for status, n in counts(session).items() if status != JobStatus.PENDING)
        if done > before:
            return done
        time.sleep(0.02)
    raise AssertionError("the worker made no progress")


def assert_minted_exactly_once(session, client: ChainClient, total: int, nonce_before: int):
    assert counts(session) == {JobStatus.CONFIRMED: total}
    assert reconcile(session, client) == []  # balances, badges and cards as the ledger says
    # Not one transaction more than the batches the jobs record: none was sent twice (the
    # contracts would have skipped a second award, so balances alone could not tell).
    batches = session.scalar(select(func.count(func.distinct(ChainJob.tx_hash))))
    assert client.mined_nonce() - nonce_before == batches


def test_two_workers_share_the_queue_without_sharing_a_job_or_a_nonce(
    session, chain, instance, anvil_url, make_user, make_event, tmp_path
):
    nonce_before = chain.mined_nonce()
    workers = [Worker(instance, anvil_url, tmp_path / f"worker{n}.log") for n in range(2)]
    try:
        for worker in workers:  # both poll the queue before the first job arrives
            worker.wait_until_running()
        total = crowd(session, make_user, make_event, members=12, events=3)
        wait_until_confirmed(session, total, workers)
    finally:
        for worker in workers:
            worker.stop()
    assert all(worker.transactions_sent() > 0 for worker in workers)  # both did a share
    assert_minted_exactly_once(session, chain, total, nonce_before)


def test_a_worker_killed_again_and_again_mid_work_mints_everything_once(
    session, chain, instance, anvil_url, make_user, make_event, tmp_path
):
    nonce_before = chain.mined_nonce()
    total = crowd(session, make_user, make_event, members=10, events=4)
    chance = random.Random(20261130)
    done, kills = 0, 0
    while done < total and kills < 8:
        worker = Worker(instance, anvil_url, tmp_path / "worker.log", batch_size=2)
        try:
            done = wait_for_progress(session, done)
            time.sleep(chance.uniform(0, 0.3))  # somewhere in the middle of a round
        finally:
            worker.kill()
        kills += 1
    assert kills >= 3, "the work finished before the worker was killed a few times"
    last = Worker(instance, anvil_url, tmp_path / "worker.log")
    try:
        wait_until_confirmed(session, total, [last])
    finally:
        last.stop()
    assert_minted_exactly_once(session, chain, total, nonce_before)


def test_the_node_stopped_and_started_again_under_a_worker_loses_nothing(
    session, instance, make_user, make_event, tmp_path
):
    port, state = free_port(), tmp_path / "anvil-state.json"
    node = start_anvil(port, "--state", str(state))
    url = f"http://127.0.0.1:{port}"
    operator = Keyring(TEST_MNEMONIC).operator
    client = ChainClient(Web3(Web3.HTTPProvider(url)), operator)
    client.w3.provider.make_request("anvil_setBalance", [operator.address, hex(10**24)])
    deploy_contracts(session, client, "http://localhost")
    session.commit()
    nonce_before = client.mined_nonce()
    total = crowd(session, make_user, make_event, members=8, events=3)

    worker = Worker(instance, url, tmp_path / "worker.log", batch_size=2)
    try:
        wait_for_progress(session, 0)
        # anvil writes its state to the file as it stops, but not as one snapshot: a block mined
        # meanwhile can reach the file's accounts (the nonce spent) and not its blocks (the
        # transaction, its receipt). A node that forgets what it mined is not what this test
        # is about (the worker, finding no receipt and the nonce spent, would send the batch
        # again, and `assert_minted_exactly_once` would count one transaction too many). So
        # the node stops mining first, and a block already under way is let finish; what the
        # worker sends after that waits in the pool, which is not saved: it must send it again.
        client.w3.provider.make_request("evm_setAutomine", [False])
        time.sleep(0.2)
        node.send_signal(signal.SIGTERM)
        node.wait(timeout=20)
        time.sleep(3)  # the worker's rounds fail meanwhile
        during = counts(session)
        assert sum(during.values()) == total and during.get(JobStatus.CONFIRMED, 0) < total
        node = start_anvil(port, "--state", str(state))
        wait_until_confirmed(session, total, [worker])
        assert "worker tick failed" in worker.log_path.read_text()  # it did see the node gone
        assert_minted_exactly_once(session, client, total, nonce_before)
    finally:
        worker.stop()
        node.terminate()
        node.wait(timeout=20)
