"""A person closes their account: the app forgets their name, e-mail address and password, logs
every device out, stops their login cards and invitations; their attendance rows stay."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from webapp.accounts.devices import issue_login_card
from webapp.accounts.invitations import invitation_state
from webapp.accounts.models import AuditEntry, DeviceSession, Invitation, Passkey, Role, User
from webapp.checkin.models import Attendance
from webapp.checkin.services import ClaimInput, record_claim
from webapp.core.db import utcnow
from webapp.membership.models import Membership

from ...conftest import PASSWORD, csrf_token, log_in
from ..checkin.scans import code_for


def close(client, **fields):
    token = csrf_token(client, "/account/close")
    return client.post("/account/close", data={"csrf_token": token, **fields})


def test_closing_forgets_the_person_and_logs_every_device_out(
    app, session, make_user, make_event, organiser
):
    member = make_user()
    email, name = member.email, member.display_name
    event = make_event(title="ワイン講座")
    sent = ClaimInput(str(uuid.uuid4()), code_for(event), utcnow())
    assert record_claim(session, member, sent, now=utcnow(), source="api").status == "accepted"
    session.commit()
    phone, laptop = app.test_client(), app.test_client()
    log_in(phone, email)
    log_in(laptop, email)
    page = phone.get("/account/close").get_data(as_text=True)
    assert "名前とメールアドレス" in page and "バッジ" in page

    answer = close(laptop, password=PASSWORD)
    assert answer.status_code == 302 and answer.location.endswith("/login")

    session.expire_all()
    closed = session.get(User, member.id)
    assert closed.email is None and closed.password_hash is None and name not in closed.display_name
    assert closed.closed_at is not None and not closed.active
    # Their 会員証 is taken back: its mint was never sent, so it is cancelled, not burned.
    card = session.scalar(select(Membership).where(Membership.user_id == member.id))
    assert card.revoked_at is not None and card.chain_job.status == "cancelled"
    live = select(DeviceSession).where(
        DeviceSession.user_id == member.id, DeviceSession.ended_at.is_(None)
    )
    assert session.scalar(live) is None
    assert phone.get("/account").status_code == 302  # the other device is logged out
    assert log_in(app.test_client(), email).status_code != 302  # and nobody logs in again
    # The attendance stays; the attendee list shows no name.
    assert session.scalar(select(Attendance).where(Attendance.user_id == member.id)) is not None
    office = app.test_client()
    log_in(office, organiser.email)
    listed = office.get(f"/events/{event.id}/activity").get_data(as_text=True)
    assert name not in listed and "退会したアカウント" in listed
    assert "1人" in listed or 'data-testid="attendance"' in listed
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "account.closed"))
    assert entry.subject_id == member.id and entry.actor_id == member.id


def test_a_wrong_password_closes_nothing(app, session, member):
    client = app.test_client()
    log_in(client, member.email)
    answer = close(client, password="not it")
    assert answer.status_code == 400
    assert "パスワードが違う" in answer.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, member.id).closed_at is None


def test_without_a_password_the_person_types_a_word_and_their_card_and_invitation_stop(
    app, session, make_user
):
    admin, member = make_user(Role.ADMIN), make_user()
    member.password_hash = None
    now = utcnow()
    session.add(Passkey(user_id=member.id, credential_id="c1", public_key=b"k", name="iPhone"))
    session.add(Invitation(user_id=member.id, secret_hash="h" * 64, created_by_id=admin.id,
                           expires_at=now + timedelta(days=7)))  # fmt: skip
    session.commit()
    card, token = issue_login_card(session, member, admin, now)
    session.commit()
    phone = app.test_client()
    phone.post("/login/card", data={"token": token, "csrf_token": csrf_token(phone)})
    page = phone.get("/account/close").get_data(as_text=True)
    assert "「退会」と入力" in page
    assert close(phone, word="はい").status_code == 400
    answer = close(phone, word=" 退会 ")
    assert answer.status_code == 302
    assert "退会しました" in phone.get(answer.location).get_data(as_text=True)
    session.expire_all()
    assert session.get(type(card), card.id).revoked_at is not None
    assert session.scalar(select(Invitation.revoked_at)) is not None
    assert invitation_state(session.scalar(select(Invitation)), utcnow()) == "closed"
    assert session.scalar(select(Passkey).where(Passkey.user_id == member.id)) is None
    assert session.get(User, member.id).closed_at is not None


def test_closing_deletes_the_profile_and_keeps_where_they_lived(app, session, make_user):
    from datetime import UTC, datetime

    from webapp.community.directory import Filters, find_members
    from webapp.profiles.models import Area, Profile, ProfileTag, Residence
    from webapp.profiles.residence import residence_of, set_residence
    from webapp.profiles.services import save_profile

    member, other = make_user(), make_user()
    save_profile(session, member, introduction="はじめまして", visibility="public",
                 skills=["デザイン"], interests=["農業"])  # fmt: skip
    save_profile(session, other, introduction="", visibility="members", skills=["IT"],
                 interests=[])  # fmt: skip
    april = datetime(2026, 4, 1, tzinfo=UTC)
    set_residence(session, member.id, Area.OUTSIDE, april)
    set_residence(session, member.id, Area.CITY, datetime(2026, 5, 1, tzinfo=UTC))
    session.commit()
    client = app.test_client()
    log_in(client, member.email)
    assert close(client, password=PASSWORD).status_code == 302

    session.expire_all()
    assert session.get(Profile, member.id) is None
    assert session.scalars(select(ProfileTag.user_id)).all() == [other.id]
    # The coarse area and its day stay, under no name: past months' figures count by them.
    assert len(session.scalars(select(Residence).where(Residence.user_id == member.id)).all()) == 2
    assert residence_of(session, member.id, at=april) == Area.OUTSIDE
    assert [e.user_id for e in find_members(session, Filters()).entries] == [other.id]
    assert app.test_client().get(f"/members/{member.id}").status_code == 302  # to log in
    reader = app.test_client()
    log_in(reader, other.email)
    assert reader.get(f"/members/{member.id}").status_code == 404


def test_closing_takes_down_the_open_yui_posts_and_gives_their_coins_back(
    app, session, make_user, make_event
):
    from webapp.ledger.services import get_balance
    from webapp.yui.models import YuiPost
    from webapp.yui.services import PostDraft, create_post

    member, neighbour = make_user(), make_user()
    sent = ClaimInput(str(uuid.uuid4()), code_for(make_event(reward=30)), utcnow())
    assert record_claim(session, member, sent, now=utcnow(), source="api").status == "accepted"
    draft = PostDraft(
        kind="request", category="snow", area="daimon", title="玄関前の雪かき", coins=20
    )
    mine = create_post(session, draft, author=member, for_user=member, now=utcnow())
    theirs = create_post(
        session, PostDraft(kind="offer", category="skill", area="seba", title="スマホ相談"),
        author=neighbour, for_user=neighbour, now=utcnow(),
    )  # fmt: skip
    session.commit()
    assert get_balance(session, member).total == 10
    client = app.test_client()
    log_in(client, member.email)
    assert close(client, password=PASSWORD).status_code == 302

    session.expire_all()
    assert session.get(YuiPost, mine.id).closed_at is not None
    assert session.get(YuiPost, theirs.id).closed_at is None
    assert get_balance(session, session.get(User, member.id)).total == 30
