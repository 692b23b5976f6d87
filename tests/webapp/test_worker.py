from datetime import timedelta

from sqlalchemy import select

from webapp.checkin.models import Attendance
from webapp.checkin.services import record_claim
from webapp.core.db import utcnow
from webapp.onchain.models import ChainJob, JobStatus
from webapp.onchain.worker import run_once

from .checkin.helpers import claim, code_for


def attend(session, user, event):
    record_claim(session, user, claim(code_for(event)), now=utcnow(), source="api")
    session.commit()


def jobs(session, **where):
    session.expire_all()
    query = select(ChainJob)
    for name, value in where.items():
        query = query.where(getattr(ChainJob, name) == value)
    return list(session.scalars(query))


def test_one_transaction_per_event_for_many_members(session, chain, make_user, make_event):
    event, other = make_event(reward=5), make_event(title="別の会", reward=8)
    people = [make_user() for _ in range(4)]
    for person in people:
        attend(session, person, event)
    attend(session, people[0], other)
    run_once(session, chain, batch_size=100)
    awards = jobs(session, kind="award")
    assert {j.status for j in awards} == {JobStatus.CONFIRMED}
    assert len({j.tx_hash for j in awards if j.event_id == event.id}) == 1
    assert len({j.tx_hash for j in awards}) == 2
    assert chain.token_balance(people[0].address) == 13
    assert chain.token_balance(people[3].address) == 5


def test_a_node_error_keeps_the_jobs_and_retries_them_later(
    session, chain, member, make_event, monkeypatch
):
    event = make_event()
    attend(session, member, event)
    real_send = chain.send
    monkeypatch.setattr(
        chain, "send", lambda signed: (_ for _ in ()).throw(ConnectionError("node down"))
    )
    result = run_once(session, chain, batch_size=100)
    assert result.failed_attempts >= 1
    award = jobs(session, kind="award")[0]
    assert award.status == JobStatus.PENDING
    assert "node down" in award.last_error
    assert award.next_attempt_at > utcnow()

    monkeypatch.setattr(chain, "send", real_send)
    run_once(session, chain, batch_size=100)
    assert jobs(session, kind="award")[0].status == JobStatus.PENDING  # backoff not over yet
    award.next_attempt_at = utcnow() - timedelta(seconds=1)
    session.commit()
    run_once(session, chain, batch_size=100)
    award = jobs(session, kind="award")[0]
    assert award.status == JobStatus.CONFIRMED
    assert chain.badge_balance(member.address, event.id) == 1


def test_a_transaction_lost_after_recording_is_sent_again_and_pays_once(
    session, chain, member, make_event, monkeypatch
):
    event = make_event(reward=9)
    attend(session, member, event)
    # The worker records the hash, then dies before the transaction leaves.
    monkeypatch.setattr(chain, "send", lambda signed: None)
    run_once(session, chain, batch_size=100)
    award = jobs(session, kind="award")[0]
    assert award.status == JobStatus.SENT and award.tx_hash
    monkeypatch.undo()

    award.sent_at = utcnow() - timedelta(minutes=5)
    session.commit()
    run_once(session, chain, batch_size=100)  # not mined in time: back to the queue
    award = jobs(session, kind="award")[0]
    award.next_attempt_at = utcnow() - timedelta(seconds=1)
    session.commit()
    run_once(session, chain, batch_size=100)
    award = jobs(session, kind="award")[0]
    assert award.status == JobStatus.CONFIRMED
    assert chain.token_balance(member.address) == 9
    attendance = session.scalar(select(Attendance))
    assert attendance.chain_job.tx_hash == award.tx_hash
