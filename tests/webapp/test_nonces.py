"""Nonces are chosen in the database under a lock: never one that a sent job holds, a freed one
again, and the node's count when it has moved on."""

import threading

from sqlalchemy import select

from webapp.onchain.jobs import allocate_nonce, queue_card
from webapp.onchain.models import ChainJob, JobStatus, SenderNonce

CHAIN_ID, SENDER = 1, "0x00000000000000000000000000000000000000aa"


def sent_job(session, member, nonce: int) -> ChainJob:
    job = queue_card(session, user_id=member.id, address=member.address)
    job.status, job.nonce = JobStatus.SENT, nonce
    job.tx_hash = f"0x{nonce:064x}"
    session.add(job)
    session.commit()
    return job


def stored_next(session) -> int:
    session.commit()
    return session.scalar(select(SenderNonce.next_nonce).where(SenderNonce.address == SENDER))


def test_a_nonce_held_by_a_sent_job_is_skipped_and_a_freed_one_reused(session, member):
    sent_job(session, member, 5)
    held = sent_job(session, member, 6)
    assert allocate_nonce(session, CHAIN_ID, SENDER, mined=5) == 7
    assert stored_next(session) == 8

    held.status = JobStatus.PENDING  # the node refused it: its nonce is free again
    session.commit()
    assert allocate_nonce(session, CHAIN_ID, SENDER, mined=5) == 6
    assert stored_next(session) == 7


def test_the_nodes_count_wins_when_it_has_moved_on_or_back(session, member):
    assert allocate_nonce(session, CHAIN_ID, SENDER, mined=0) == 0
    session.commit()
    # Someone else used the key three times: the database resynchronises.
    assert allocate_nonce(session, CHAIN_ID, SENDER, mined=4) == 4
    assert stored_next(session) == 5
    session.commit()
    # And back: a reorganisation undid two of them, whose jobs went back to the queue.
    assert allocate_nonce(session, CHAIN_ID, SENDER, mined=2) == 2
    assert stored_next(session) == 3


def test_concurrent_workers_never_get_one_nonce(app, session, member):
    taken: list[int] = []
    errors: list[BaseException] = []
    member_id, member_address = member.id, member.address
    session.commit()  # the test's own session holds nothing open while the workers run

    def worker():
        from webapp.core.db import mark_writing
        from webapp.extensions import db

        with app.app_context():
            mark_writing()
            try:
                for _ in range(15):
                    # As the worker does: choose, record as sent, commit; the node sees nothing.
                    nonce = allocate_nonce(db.session, CHAIN_ID, SENDER, mined=0)
                    job = queue_card(db.session, user_id=member_id, address=member_address)
                    job.status, job.nonce, job.tx_hash = JobStatus.SENT, nonce, f"0x{nonce:064x}"
                    db.session.add(job)
                    db.session.commit()
                    taken.append(nonce)
            except BaseException as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(taken) == list(range(45))
