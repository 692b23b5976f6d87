import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from webapp.checkin import codes
from webapp.checkin.models import Attendance, Claim
from webapp.checkin.services import ClaimInput, record_claim
from webapp.core.db import utcnow
from webapp.ledger.models import LedgerEntry
from webapp.ledger.services import get_balance
from webapp.onchain.models import ChainJob, JobKind

from .scans import claim, code_for


def count(session, model, **where):
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return session.scalar(query)


def decide(session, user, code, claim_id=None, now=None):
    result = record_claim(session, user, claim(code, claim_id), now=now or utcnow(), source="api")
    session.commit()
    return result


def test_an_accepted_claim_makes_one_attendance_one_credit_and_one_chain_job(
    session, member, make_event
):
    event = make_event(reward=25)
    result = decide(session, member, code_for(event))
    assert (result.status, result.reason, result.event.id) == ("accepted", None, event.id)
    attendance = session.scalar(select(Attendance).where(Attendance.user_id == member.id))
    assert attendance.event_id == event.id
    assert get_balance(session, member).total == 25
    assert get_balance(session, member).incoming == 25  # not on chain yet
    job = session.get(ChainJob, attendance.chain_job_id)
    assert (job.kind, job.event_id, job.amount, job.status) == (
        JobKind.AWARD,
        event.id,
        25,
        "pending",
    )


def test_the_previous_slot_is_still_accepted_live(session, member, make_event):
    event = make_event()
    assert (
        decide(session, member, code_for(event, utcnow() - timedelta(seconds=30))).status
        == "accepted"
    )


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda e: "not-a-code", "malformed"),
        (
            lambda e: codes.make_token(e.id + 1000, e.secret, codes.slot_at(utcnow())),
            "unknown_event",
        ),
        (lambda e: codes.make_token(e.id, b"x" * 32, codes.slot_at(utcnow())), "bad_signature"),
        (lambda e: code_for(e, utcnow() - timedelta(seconds=61)), "stale_code"),
        (lambda e: code_for(e, utcnow() + timedelta(seconds=31)), "future_code"),
    ],
    ids=["malformed", "unknown_event", "bad_signature", "stale_code", "future_code"],
)
def test_codes_that_cannot_count_are_rejected_with_their_reason(
    session, member, make_event, setup, reason
):
    event = make_event(offline_claim_days=0)  # only live scans count
    result = decide(session, member, setup(event))
    assert (result.status, result.reason) == ("rejected", reason)
    assert result.message  # a sentence a member can read
    assert count(session, Attendance) == 0
    assert count(session, LedgerEntry) == 0
    assert count(session, ChainJob, kind=JobKind.AWARD) == 0
    stored = session.get(Claim, result.id)
    assert (stored.status, stored.reason) == ("rejected", reason)


def test_before_check_in_opens_is_not_yet_open(session, member, make_event):
    event = make_event(
        starts_at=utcnow() + timedelta(hours=2), ends_at=utcnow() + timedelta(hours=4)
    )
    assert decide(session, member, code_for(event)).reason == "not_yet_open"


def test_check_in_opens_thirty_minutes_before_the_start(session, member, make_event):
    event = make_event(
        starts_at=utcnow() + timedelta(minutes=20), ends_at=utcnow() + timedelta(hours=2)
    )
    assert decide(session, member, code_for(event)).status == "accepted"


def test_after_the_end_is_expired(session, member, make_event):
    event = make_event(
        starts_at=utcnow() - timedelta(hours=3), ends_at=utcnow() - timedelta(minutes=5)
    )
    assert decide(session, member, code_for(event)).reason == "expired"


def test_people_without_membership_are_not_a_member(session, make_user, make_event):
    outsider = make_user(member=False)
    assert decide(session, outsider, code_for(make_event())).reason == "not_a_member"


def test_a_repeated_claim_id_gets_the_first_answer_and_changes_nothing(session, member, make_event):
    event = make_event()
    first = decide(
        session, member, code_for(event), claim_id="6f1c1c9e-0000-4000-8000-000000000001"
    )
    # The retry carries a code that would now be rejected: the stored answer still wins.
    again = decide(session, member, "garbage", claim_id="6f1c1c9e-0000-4000-8000-000000000001")
    assert (first.status, again.status, again.reason) == ("accepted", "accepted", None)
    assert count(session, Claim) == 1
    assert count(session, Attendance) == 1
    assert get_balance(session, member).total == event.reward


def test_a_rejected_claim_id_stays_rejected_on_retry(session, member, make_event):
    event = make_event()
    first = decide(session, member, "garbage", claim_id="6f1c1c9e-0000-4000-8000-000000000002")
    again = decide(
        session, member, code_for(event), claim_id="6f1c1c9e-0000-4000-8000-000000000002"
    )
    assert (first.reason, again.status, again.reason) == ("malformed", "rejected", "malformed")
    assert count(session, Attendance) == 0


def test_a_second_claim_for_the_same_event_is_a_duplicate(session, member, make_event):
    event = make_event()
    decide(session, member, code_for(event))
    second = decide(session, member, code_for(event))
    assert (second.status, second.reason, second.event.id) == (
        "duplicate",
        "already_checked_in",
        event.id,
    )
    assert count(session, Claim) == 2  # both stored
    assert count(session, Attendance) == 1
    assert count(session, ChainJob, kind=JobKind.AWARD) == 1
    assert get_balance(session, member).total == event.reward


def test_someone_elses_claim_id_is_refused(session, member, make_user, make_event):
    event = make_event()
    other = make_user()
    decide(session, member, code_for(event), claim_id="6f1c1c9e-0000-4000-8000-000000000003")
    result = decide(
        session, other, code_for(event), claim_id="6f1c1c9e-0000-4000-8000-000000000003"
    )
    assert (result.status, result.reason) == ("rejected", "id_conflict")
    assert count(session, Attendance, user_id=other.id) == 0


def test_each_member_gets_their_own_attendance(session, make_user, make_event):
    event = make_event()
    people = [make_user() for _ in range(3)]
    for person in people:
        assert decide(session, person, code_for(event)).status == "accepted"
    assert count(session, Attendance, event_id=event.id) == 3


def test_an_event_id_beyond_the_tables_range_is_an_unknown_event(session, member):
    token = codes.make_token(2**32 - 1, b"x" * 32, codes.slot_at(utcnow()))
    assert decide(session, member, token).reason == "unknown_event"


def test_a_claim_arriving_late_counts_as_offline_within_the_events_limit(
    session, member, make_event
):
    event = make_event(
        starts_at=utcnow() - timedelta(days=2), ends_at=utcnow() + timedelta(hours=1)
    )
    scanned = utcnow() - timedelta(days=1)  # scanned yesterday in a hall with no signal
    result = decide(session, member, code_for(event, scanned))
    assert (result.status, result.offline) == ("accepted", True)
    assert session.get(Claim, result.id).offline is True
    assert count(session, Attendance) == 1


def test_a_claim_arriving_after_the_events_limit_is_too_late(session, member, make_event):
    event = make_event(
        starts_at=utcnow() - timedelta(days=9), ends_at=utcnow() - timedelta(days=8),
        offline_claim_days=7,
    )  # fmt: skip
    result = decide(session, member, code_for(event, utcnow() - timedelta(days=8, hours=12)))
    assert (result.status, result.reason) == ("rejected", "too_late")


def test_a_late_claim_must_still_fall_in_the_events_window(session, member, make_event):
    event = make_event(
        starts_at=utcnow() - timedelta(hours=5), ends_at=utcnow() - timedelta(hours=3)
    )
    result = decide(session, member, code_for(event, utcnow() - timedelta(hours=2)))
    assert (result.status, result.reason) == ("rejected", "expired")
    before = decide(session, member, code_for(event, utcnow() - timedelta(hours=6)))
    assert (before.status, before.reason) == ("rejected", "not_yet_open")


def test_a_live_claim_the_phone_marks_offline_keeps_the_mark(session, member, make_event):
    event = make_event()
    result = record_claim(
        session, member, ClaimInput(str(uuid.uuid4()), code_for(event), utcnow(), offline=True),
        now=utcnow(), source="api",
    )  # fmt: skip
    session.commit()
    assert (result.status, result.offline) == ("accepted", True)
    assert decide(session, member, code_for(event)).offline is False  # the duplicate is live
