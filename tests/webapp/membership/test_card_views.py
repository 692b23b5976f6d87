"""The 会員証 on an administrator's person page (give, renew, take back) and what the member
then sees and gets: their wallet's words, and check-ins refused with `not_a_member`."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from webapp.accounts.models import AuditEntry, Role
from webapp.checkin.rsvps import list_rsvps, take_seat
from webapp.core.db import utcnow
from webapp.events.models import Event
from webapp.events.services import InvitationSettings, set_invitation
from webapp.membership.services import get_membership

from ...conftest import csrf_token, log_in
from ..checkin.scans import code_for
from ..test_worker import work


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, member=False)


@pytest.fixture
def office(app, admin):
    client = app.test_client()
    log_in(client, admin.email)
    return client


@pytest.fixture
def phone(app, member):
    client = app.test_client()
    log_in(client, member.email)
    return client


def person_page(client, user) -> str:
    response = client.get(f"/admin/members/{user.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def act(client, user, what: str, **fields):
    fields["csrf_token"] = csrf_token(client, f"/admin/members/{user.id}")
    return client.post(f"/admin/members/{user.id}/card/{what}", data=fields, follow_redirects=True)


def check_in(client, event, *, scanned_at=None, offline=False) -> dict:
    scanned_at = scanned_at or utcnow()
    claim = {
        "id": str(uuid.uuid4()),
        "code": code_for(event, scanned_at),
        "scanned_at": scanned_at.isoformat(),
        "offline": offline,
    }
    headers = {"X-CSRFToken": csrf_token(client, "/wallet")}
    response = client.post("/api/v1/checkins", json={"claims": [claim]}, headers=headers)
    assert response.status_code == 200
    return response.get_json()["results"][0]


def test_an_administrator_takes_a_card_back_with_a_reason_and_their_password(
    session, chain, office, phone, admin, member, make_event
):
    work(session, chain)
    assert "有効" in person_page(office, member)
    refused = act(office, member, "revoke", reason="退会", password="wrong").get_data(as_text=True)
    assert "パスワードが違います" in refused
    assert get_membership(session, member).revoked_at is None
    page = act(office, member, "revoke", reason="退会", password="correct horse battery")
    html = page.get_data(as_text=True)
    assert "会員証を取り消しました" in html and "取り消し: 反映中" in html
    assert 'data-testid="card-issue"' not in html  # not before the burn is recorded
    session.expire_all()
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "membership.revoked"))
    assert (entry.actor_id, entry.subject_id, entry.detail) == (admin.id, member.id, "退会")
    # The member is told, and a check-in is refused at once, before the burn is on chain.
    wallet = phone.get("/wallet").get_data(as_text=True)
    assert "会員証は取り消されました" in wallet
    assert check_in(phone, make_event())["reason"] == "not_a_member"
    work(session, chain)
    assert not chain.has_card(member.address)
    html = person_page(office, member)
    assert "取り消し: 記録済み" in html and 'data-testid="card-issue"' in html
    again = act(office, member, "issue").get_data(as_text=True)
    assert "会員証を発行しました" in again and "記録待ち" in again


def test_a_card_taken_back_gives_its_seat_to_the_first_person_waiting(
    session, office, member, make_user, make_event
):
    event, waiting = make_event(title="特別見学会"), make_user()
    set_invitation(
        session, event, InvitationSettings(audience="members", capacity=1, rsvp_open=True)
    )
    take_seat(session, member, event, utcnow())
    take_seat(session, waiting, event, utcnow())
    session.commit()
    act(office, member, "revoke", password="correct horse battery")
    session.expire_all()
    going, queue = list_rsvps(session, session.get(Event, event.id))
    assert ([rsvp.user_id for rsvp in going], queue) == ([waiting.id], [])


def test_an_offline_check_in_synced_after_the_revocation_is_refused(
    session, office, phone, member, make_event
):
    event = make_event()
    scanned = utcnow() - timedelta(minutes=5)  # kept on the phone while it had no signal
    act(office, member, "revoke", password="correct horse battery")
    assert check_in(phone, event, scanned_at=scanned, offline=True)["reason"] == "not_a_member"


def test_a_lapsed_card_refuses_check_ins_until_it_is_renewed(
    app, session, office, phone, member, make_event
):
    app.config["MEMBERSHIP_TERM"] = "30d"
    get_membership(session, member).term_ends_at = utcnow() - timedelta(seconds=1)
    session.commit()
    event = make_event()
    assert "会員証の期限が切れました" in phone.get("/wallet").get_data(as_text=True)
    assert check_in(phone, event)["reason"] == "not_a_member"
    scanned = utcnow() - timedelta(minutes=5)
    assert check_in(phone, event, scanned_at=scanned, offline=True)["reason"] == "not_a_member"
    assert "期限切れ" in person_page(office, member)
    html = act(office, member, "renew").get_data(as_text=True)
    assert "会員証を更新しました" in html
    assert check_in(phone, event)["status"] == "accepted"
    assert "会員証の期限が切れました" not in phone.get("/wallet").get_data(as_text=True)


def test_the_member_is_told_a_month_ahead_that_the_card_runs_out(session, phone, member):
    ends = utcnow() + timedelta(days=20)
    get_membership(session, member).term_ends_at = ends
    session.commit()
    wallet = phone.get("/wallet").get_data(as_text=True)
    assert "会員証の期限は" in wallet and "事務局に更新" in wallet
    get_membership(session, member).term_ends_at = utcnow() + timedelta(days=60)
    session.commit()
    assert "会員証の期限は" not in phone.get("/wallet").get_data(as_text=True)


def test_giving_a_card_to_someone_without_one_and_refusals_said_on_the_page(
    session, office, make_user
):
    user = make_user(member=False)
    assert 'data-testid="card-issue"' in person_page(office, user)
    html = act(office, user, "renew").get_data(as_text=True)
    assert "この人には更新する会員証がありません" in html
    html = act(office, user, "issue").get_data(as_text=True)
    assert "記録待ち" in html and 'data-testid="card-revoke"' in html
    html = act(office, user, "issue").get_data(as_text=True)
    assert "この人はすでに会員です" in html
