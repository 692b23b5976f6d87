"""The check-in API's set-based path: a batch costs the same few statements whatever its size,
and many copies of one member's batch at once still make each attendance once."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from webapp.checkin.models import Attendance, Claim
from webapp.core.db import utcnow
from webapp.extensions import db
from webapp.ledger.models import LedgerEntry
from webapp.onchain.models import ChainJob, JobKind

from ...conftest import PASSWORD, csrf_token, log_in
from .rules import invite
from .scans import code_for


def new_claim(code: str) -> dict:
    return {"id": str(uuid.uuid4()), "code": code, "scanned_at": utcnow().isoformat()}


class Statements:
    """Counts the SQL statements the app sends while the block runs."""

    def __init__(self, app):
        self.app, self.count = app, 0

    def _seen(self, *args):
        self.count += 1

    def __enter__(self):
        with self.app.app_context():
            self.engine = db.engine
        sa_event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        sa_event.remove(self.engine, "before_cursor_execute", self._seen)


@pytest.fixture
def member_client(client, member):
    log_in(client, member.email)
    return client


def test_a_batch_costs_the_same_few_statements_whatever_its_size(
    app, member_client, session, make_event
):
    events = [make_event(title=f"集まり {n}", reward=5) for n in range(50)]
    session.commit()
    token = csrf_token(member_client, "/wallet")
    counts = {}
    start = 0
    for size in (1, 3, 50):
        # New events each time, so every claim is accepted and every write happens.
        batch = events[start : start + size] if size < 50 else events
        start += size
        claims = [new_claim(code_for(event)) for event in batch]
        with Statements(app) as statements:
            response = member_client.post(
                "/api/v1/checkins", json={"claims": claims}, headers={"X-CSRFToken": token}
            )
        assert response.status_code == 200
        statuses = [result["status"] for result in response.get_json()["results"]]
        # The first 4 events were checked in by the smaller batches: duplicates in the last.
        assert statuses.count("accepted") == (size if size < 50 else 46)
        counts[size] = statements.count
    assert counts[1] == counts[3] == counts[50], counts
    assert counts[50] <= 8, counts


def test_retries_and_fresh_batches_at_once_make_each_attendance_once(
    app, member_client, session, make_event
):
    events = [make_event(title=f"集まり {n}", reward=10) for n in range(3)]
    session.commit()
    token = csrf_token(member_client, "/wallet")
    cookie = member_client.get_cookie("session")
    original = {"claims": [new_claim(code_for(event)) for event in events]}
    fresh = [{"claims": [new_claim(code_for(event)) for event in events]} for _ in range(20)]
    batches = [original] * 20 + fresh
    start = threading.Barrier(len(batches))

    def send(body):
        phone = app.test_client()
        phone.set_cookie(cookie.key, cookie.value)
        start.wait()
        response = phone.post("/api/v1/checkins", json=body, headers={"X-CSRFToken": token})
        return response.status_code, response.get_json()

    with ThreadPoolExecutor(len(batches)) as pool:
        answers = list(pool.map(send, batches))

    assert all(status == 200 for status, _body in answers), answers
    results = [body["results"] for _status, body in answers]
    # Every retry of the original gets one and the same answer, the first stored.
    assert all(answer == results[0] for answer in results[:20])
    session.rollback()  # a fresh snapshot: the phones wrote from other connections
    attended = dict(session.execute(select(Attendance.event_id, Attendance.claim_id)).all())
    assert set(attended) == {event.id for event in events}
    for event in events:
        accepted = {
            result["id"]
            for answer in results
            for result in answer
            if result["event"]["id"] == event.id and result["status"] == "accepted"
        }
        assert accepted == {attended[event.id]}  # one claim won, and it made the attendance
        others = [
            (result["status"], result["reason"])
            for answer in results
            for result in answer
            if result["event"]["id"] == event.id and result["id"] not in accepted
        ]
        assert set(others) == {("duplicate", "already_checked_in")}
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 3
    assert session.scalar(select(func.count()).where(ChainJob.kind == JobKind.AWARD)) == 3
    assert session.scalar(select(func.count()).select_from(Claim)) == 3 + 20 * 3


def test_a_claim_sent_twice_in_one_batch_is_stored_once_with_one_answer(
    member_client, session, make_event
):
    claim = new_claim(code_for(make_event()))
    response = member_client.post(
        "/api/v1/checkins",
        json={"claims": [claim, claim]},
        headers={"X-CSRFToken": csrf_token(member_client, "/wallet")},
    )
    first, second = response.get_json()["results"]
    assert first == second and first["status"] == "accepted"
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Claim)) == 1


def test_a_logged_out_device_gets_nothing_recorded(member_client, session, member, make_event):
    from webapp.accounts.devices import end_every_device_session

    token = csrf_token(member_client, "/wallet")
    end_every_device_session(session, member, utcnow())
    session.commit()
    response = member_client.post(
        "/api/v1/checkins",
        json={"claims": [new_claim(code_for(make_event()))]},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 401
    assert response.get_json()["error"] == "login_required"
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Claim)) == 0


def test_a_phone_back_with_only_its_remember_cookie_sends_its_outbox(
    app, session, member, make_event
):
    phone = app.test_client()
    fields = {"email": member.email, "password": PASSWORD, "remember": "y"}
    phone.post("/login", data={**fields, "csrf_token": csrf_token(phone)})
    later = app.test_client()  # the browser restarted: only the remember cookie is left
    later.set_cookie("remember_token", phone.get_cookie("remember_token").value)
    token = later.get("/api/v1/session").get_json()["csrf_token"]
    with later.session_transaction() as cookie_session:  # the CSRF token kept, not the login
        cookie_session.pop("_user_id")
    response = later.post(
        "/api/v1/checkins",
        json={"claims": [new_claim(code_for(make_event()))]},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200
    assert response.get_json()["results"][0]["status"] == "accepted"


def test_a_rule_counts_the_check_ins_made_earlier_in_the_same_batch(
    member_client, session, make_event
):
    harvest, party, rules = make_event(title="収穫"), make_event(title="打ち上げ"), make_event()
    invite(session, party, required_event_ids=(harvest.id,))
    invite(session, rules, rule_badges=2, rule_days=30)
    claims = [new_claim(code_for(event)) for event in (harvest, party, rules)]
    response = member_client.post(
        "/api/v1/checkins",
        json={"claims": claims},
        headers={"X-CSRFToken": csrf_token(member_client, "/wallet")},
    )
    # As if each had come alone: the harvest's badge invites to the party, and both to the last.
    assert [r["status"] for r in response.get_json()["results"]] == ["accepted"] * 3
