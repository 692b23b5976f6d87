"""An event that invites by rule refuses everyone else at check-in with `not_invited`, by
every route a check-in takes, and says the rule in its message."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from webapp.checkin import codes
from webapp.checkin.models import Attendance, Claim
from webapp.checkin.services import ClaimInput, record_claim
from webapp.core.db import utcnow
from webapp.membership.cards import card_code, card_key

from ...conftest import csrf_token, log_in
from .rules import attend, invite
from .scans import claim, code_for


@pytest.fixture
def special(session, make_event):
    """An event for those who took part 3 times in 90 days or came to the harvest festival."""

    def make(**fields):
        harvest = make_event(title="ぶどう収穫祭")
        event = make_event(title="特別見学会", **fields)
        invite(session, event, rule_badges=3, rule_days=90, required_event_ids=(harvest.id,))
        return event, harvest

    return make


def says_the_rule(message: str) -> bool:
    return "ぶどう収穫祭" in message and "90" in message and "3" in message


def attendances(session, event) -> int:
    session.expire_all()
    query = select(func.count()).select_from(Attendance).where(Attendance.event_id == event.id)
    return session.scalar(query)


def test_a_live_claim_is_not_invited_and_the_retry_answers_the_same(session, member, special):
    event, _harvest = special()
    claim_id = str(uuid.uuid4())
    result = record_claim(
        session, member, claim(code_for(event), claim_id), now=utcnow(), source="api"
    )
    session.commit()
    assert (result.status, result.reason) == ("rejected", "not_invited")
    assert says_the_rule(result.message)
    again = record_claim(
        session, member, claim(code_for(event), claim_id), now=utcnow(), source="api"
    )
    assert (again.reason, again.message) == ("not_invited", result.message)
    assert attendances(session, event) == 0


def test_meeting_the_rule_lets_the_member_in(session, member, special, make_event):
    event, harvest = special()
    for past in (harvest, make_event(title="集い"), make_event(title="集い")):
        attend(session, member, past)
    session.commit()
    result = record_claim(session, member, claim(code_for(event)), now=utcnow(), source="api")
    assert result.accepted


def test_a_members_only_event_still_answers_not_a_member(session, make_user, make_event):
    stranger = make_user(member=False)
    result = record_claim(
        session, stranger, claim(code_for(make_event())), now=utcnow(), source="api"
    )
    assert result.reason == "not_a_member"


def test_an_offline_claim_sent_through_the_api_is_not_invited(client, session, member, special):
    event, _harvest = special(
        starts_at=utcnow() - timedelta(days=1, hours=2), ends_at=utcnow() - timedelta(days=1)
    )
    log_in(client, member.email)
    body = {
        "claims": [
            {
                "id": str(uuid.uuid4()),
                "code": code_for(event, event.starts_at + timedelta(minutes=10)),
                "scanned_at": (event.starts_at + timedelta(minutes=10)).isoformat(),
                "offline": True,
            }
        ]
    }
    headers = {"X-CSRFToken": csrf_token(client, "/wallet")}
    [answer] = client.post("/api/v1/checkins", json=body, headers=headers).get_json()["results"]
    assert (answer["status"], answer["reason"], answer["offline"]) == (
        "rejected",
        "not_invited",
        True,
    )
    assert says_the_rule(answer["message"])
    assert attendances(session, event) == 0


def test_a_printed_code_is_not_invited(session, member, special):
    event, _harvest = special()
    printed = codes.make_printed_token(event.id, event.secret)
    entry = ClaimInput(id=str(uuid.uuid4()), code=printed, scanned_at=utcnow())
    result = record_claim(session, member, entry, now=utcnow(), source="api")
    assert (result.reason, result.event.id) == ("not_invited", event.id)
    assert says_the_rule(result.message)


def test_the_organisers_desk_refuses_a_card_with_the_rule(
    app, client, session, organiser, member, special
):
    event, _harvest = special()
    log_in(client, organiser.email)
    data = {
        "csrf_token": csrf_token(client, f"/events/{event.id}/checkin"),
        "card": card_code(member.id, card_key(app.secret_key)),
    }
    page = client.post(f"/events/{event.id}/checkin", data=data, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert member.display_name in text and says_the_rule(text)
    stored = session.scalar(select(Claim).where(Claim.event_id == event.id))
    assert (stored.status, stored.reason, stored.via) == ("rejected", "not_invited", "card")
    assert attendances(session, event) == 0


def test_a_held_claim_approved_later_is_not_invited_if_the_rule_no_longer_holds(
    app, client, session, organiser, member, make_event
):
    event = make_event(
        starts_at=utcnow() - timedelta(days=1, hours=2),
        ends_at=utcnow() - timedelta(days=1),
        secret_word="ぶどう",
    )
    late = code_for(event, event.starts_at + timedelta(minutes=10))
    held = record_claim(session, member, claim(late), now=utcnow(), source="api")
    session.commit()
    assert held.status == "held"
    invite(session, event, rule_badges=5, rule_days=30)  # the organiser narrows the invitation
    log_in(client, organiser.email)
    token = csrf_token(client, f"/events/{event.id}")
    page = client.post(
        f"/events/{event.id}/claims/{held.id}",
        data={"csrf_token": token, "decision": "approve"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "30" in page and "5" in page
    session.expire_all()
    assert session.get(Claim, held.id).reason == "not_invited"
    assert attendances(session, event) == 0


def test_the_api_document_lists_not_invited(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "not_invited" in str(document)
