"""Queueing a proposal's result for the chain: one job per proposal, whatever asks twice,
and only a well-formed result (the worker's side: test_worker_decisions)."""

from __future__ import annotations

import threading

import pytest
from eth_utils import keccak

from webapp.core.db import mark_writing
from webapp.extensions import db
from webapp.onchain.jobs import queue_decision
from webapp.onchain.models import JobKind

from .test_worker import jobs
from .test_worker_decisions import DIGEST, decide


def test_one_job_per_proposal(session):
    first = decide(session, proposal_id=9, tally=(3, 5, 0))
    assert (first.kind, first.tally, first.digest) == (
        JobKind.RECORD_DECISION,
        "3,5,0",
        "0x" + DIGEST.hex(),
    )
    assert decide(session, proposal_id=9, tally=(3, 5, 0)).id == first.id  # asked again
    with pytest.raises(ValueError, match="cannot be changed"):
        queue_decision(session, proposal_id=9, tally=(3, 6, 0), digest=DIGEST)
    with pytest.raises(ValueError, match="cannot be changed"):
        queue_decision(session, proposal_id=9, tally=(3, 5, 0), digest=keccak(text="x"))
    assert len(jobs(session, kind=JobKind.RECORD_DECISION)) == 1


@pytest.mark.parametrize(
    ("proposal_id", "tally", "digest"),
    [
        (0, (1,), DIGEST),
        (5, (), DIGEST),
        (5, (1, -1), DIGEST),
        (5, (1,), DIGEST[:31]),
        (5, (1,), DIGEST.hex()),
    ],
)
def test_a_decision_is_refused_without_a_proposal_a_tally_and_a_32_byte_digest(
    session, proposal_id, tally, digest
):
    with pytest.raises(ValueError):
        queue_decision(session, proposal_id=proposal_id, tally=tally, digest=digest)


@pytest.mark.parametrize(
    ("tallies", "queued"),
    [(((2, 1), (2, 1)), ["queued", "queued"]), (((2, 1), (1, 2)), ["queued", "refused"])],
)
def test_two_sessions_queueing_one_proposal_at_once_make_one_job(app, session, tallies, queued):
    """Closing a proposal twice at once (two requests, two processes): one job; the same
    result is that job for both, another result is refused."""
    session.commit()
    barrier = threading.Barrier(2)
    answers: list[tuple[str, int | None]] = []

    def close(tally):
        with app.app_context():
            mark_writing()
            try:
                barrier.wait(timeout=10)
                job = queue_decision(db.session, proposal_id=6, tally=tally, digest=DIGEST)
                db.session.commit()
                answers.append(("queued", job.id))
            except ValueError:
                db.session.rollback()
                answers.append(("refused", None))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=close, args=(tally,)) for tally in tallies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(kind for kind, _id in answers) == queued
    decisions = jobs(session, kind=JobKind.RECORD_DECISION)
    assert len(decisions) == 1
    assert {job_id for kind, job_id in answers if kind == "queued"} == {decisions[0].id}
