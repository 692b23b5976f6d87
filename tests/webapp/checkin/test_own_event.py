"""Rewards are for taking part: an event's own organisers cannot check themselves in to it, by
scanning its code, its poster, or at the desk; nothing is credited or queued."""

from sqlalchemy import func, select

from webapp.accounts.models import Role
from webapp.checkin import codes
from webapp.core.db import utcnow
from webapp.events.services import add_co_organiser
from webapp.ledger.models import LedgerEntry
from webapp.membership.services import issue_membership
from webapp.onchain.models import ChainJob, JobKind

from ...conftest import csrf_token, log_in
from .scans import code_for
from .test_services import decide


def awards(session) -> int:
    return session.scalar(
        select(func.count()).select_from(ChainJob).where(ChainJob.kind == JobKind.AWARD)
    )


def test_an_organiser_scanning_their_own_events_code_is_refused(session, organiser, make_event):
    issue_membership(session, organiser)
    session.commit()
    event = make_event(reward=10_000)
    printed = codes.make_printed_token(event.id, event.secret)
    for code in (code_for(event), printed):
        result = decide(session, organiser, code)
        assert (result.status, result.reason) == ("rejected", "own_event")
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0
    assert awards(session) == 0


def test_a_co_organiser_is_refused_too_but_takes_part_in_other_events(
    session, make_user, organiser, make_event
):
    helper = make_user(Role.ORGANISER)  # a member too
    event = make_event()
    add_co_organiser(session, event, organiser, helper.email)
    session.commit()
    assert decide(session, helper, code_for(event)).reason == "own_event"
    elsewhere = make_event(organiser=make_user(Role.ORGANISER, member=False), title="よその会")
    assert decide(session, helper, code_for(elsewhere)).status == "accepted"


def test_an_organiser_cannot_check_himself_in_at_the_desk(app, session, organiser, make_event):
    issue_membership(session, organiser)
    session.commit()
    event = make_event()
    desk = app.test_client()
    log_in(desk, organiser.email)
    token = csrf_token(desk, f"/events/{event.id}/checkin")
    answer = desk.post(
        f"/events/{event.id}/checkin",
        data={"csrf_token": token, "user_id": organiser.id},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "イベントの主催者は、自分をチェックインできません" in answer
    assert awards(session) == 0


def test_the_api_tells_the_reason(app, session, organiser, make_event):
    issue_membership(session, organiser)
    session.commit()
    event = make_event()
    phone = app.test_client()
    log_in(phone, organiser.email)
    claim = {"id": "6f1d2c4e-1111-4a4a-8b8b-123456789abc", "code": code_for(event)}
    claim["scanned_at"] = utcnow().isoformat()
    answer = phone.post(
        "/api/v1/checkins",
        json={"claims": [claim]},
        headers={"X-CSRFToken": csrf_token(phone, "/wallet")},
    ).get_json()
    [result] = answer["results"]
    assert (result["status"], result["reason"]) == ("rejected", "own_event")
