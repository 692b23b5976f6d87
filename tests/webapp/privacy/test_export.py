"""A person downloads everything Enishi holds about them: one ZIP, data.json and a CSV per kind,
their own rows only, no secrets."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile

import pytest

from webapp.accounts.devices import issue_login_card
from webapp.accounts.models import Passkey, Role
from webapp.checkin.services import ClaimInput, record_claim
from webapp.core.db import utcnow
from webapp.privacy.export import COLUMNS

from ...conftest import PASSWORD, log_in
from ..checkin.scans import code_for


def check_in(session, person, event) -> None:
    sent = ClaimInput(str(uuid.uuid4()), code_for(event), utcnow())
    assert record_claim(session, person, sent, now=utcnow(), source="api").status == "accepted"
    session.commit()


@pytest.fixture
def download(app):
    def get(person) -> zipfile.ZipFile:
        client = app.test_client()
        log_in(client, person.email)
        answer = client.get("/account/data/enishi-data.zip")
        assert answer.status_code == 200
        assert answer.mimetype == "application/zip"
        assert "attachment" in answer.headers["Content-Disposition"]
        return zipfile.ZipFile(io.BytesIO(answer.data))

    return get


def read_csv(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    raw = archive.read(name)
    assert raw.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_download_has_my_check_ins_and_coins_and_nothing_of_anyone_else(
    session, make_user, make_event, download
):
    me, other = make_user(), make_user()
    wine = make_event(title="ワイン講座")
    harvest = make_event(title="ぶどう収穫祭", reward=7)
    check_in(session, me, wine)
    check_in(session, other, harvest)
    archive = download(me)
    assert set(archive.namelist()) == {
        "data.json", "account.csv", "devices.csv", "login_cards.csv", "passkeys.csv",
        "membership.csv",
        "checkins.csv", "badges.csv", "rsvps.csv", "coins.csv", "perk_tickets.csv", "audit.csv",
        "invitations.csv", "discord.csv", "votes.csv", "profile.csv", "profile_tags.csv",
        "residences.csv", "thanks_given.csv", "thanks_received.csv", "yui_posts.csv",
        "yui_messages.csv", "yui_helps.csv",
    }  # fmt: skip
    data = json.loads(archive.read("data.json"))
    assert data["account"][0]["email"] == me.email
    assert data["account"][0]["name"] == me.display_name
    assert [c["event"] for c in data["checkins"]] == ["ワイン講座"]
    assert [b["event"] for b in data["badges"]] == ["ワイン講座"]
    assert [(c["amount"], c["kind"]) for c in data["coins"]] == [(10, "reward")]
    assert data["membership"][0]["state"] == "member"
    assert len(data["devices"]) == 1  # this download's own login
    checkins = read_csv(archive, "checkins.csv")
    assert [row["event"] for row in checkins] == ["ワイン講座"]
    assert read_csv(archive, "coins.csv")[0]["amount"] == "10"
    # Every kind has its header, even with no rows.
    assert list(read_csv(archive, "devices.csv")[0]) == COLUMNS["devices"]
    assert archive.read("perk_tickets.csv").decode("utf-8-sig").startswith("perk,perk_en,price")
    for kind, columns in COLUMNS.items():
        assert all(list(row) == columns for row in data[kind]), kind
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode("utf-8")
    assert "ぶどう収穫祭" not in everything
    assert other.email not in everything and other.display_name not in everything


def test_no_secret_leaves(session, make_user, download):
    admin, me = make_user(Role.ADMIN), make_user()
    card, token = issue_login_card(session, me, admin, utcnow())
    key = b"\x01secret-key"
    session.add(Passkey(user_id=me.id, credential_id="cred-xyz", public_key=key, name="Chrome"))
    session.commit()
    archive = download(me)
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode("utf-8")
    assert token.split(".")[1] not in everything
    assert card.secret_hash not in everything
    assert me.password_hash not in everything and PASSWORD not in everything
    data = json.loads(archive.read("data.json"))
    assert list(data["login_cards"][0]) == ["printed_at", "stopped_at"]
    assert [k["name"] for k in data["passkeys"]] == ["Chrome"]
    assert "cred-xyz" not in everything and "secret-key" not in everything
    # The administrator printing the card is in the audit entries about me.
    assert [(e["action"], e["by"]) for e in data["audit"]] == [
        ("login_card.printed", admin.display_name)
    ]


def test_my_page_leads_to_my_data(app, member):
    client = app.test_client()
    log_in(client, member.email)
    page = client.get("/account").get_data(as_text=True)
    assert "わたしのデータ" in page and 'href="/account/data"' in page
    page = client.get("/account/data").get_data(as_text=True)
    assert 'href="/account/data/enishi-data.zip"' in page


def test_the_download_has_my_votes_and_nobody_else_s(session, make_user, download):
    from webapp.core.db import utcnow
    from webapp.decisions.services import cast_vote, open_proposal

    me, other = make_user(), make_user()
    proposal = open_proposal(session, me, title="公民館に本棚を置く", body="", discussion_days=0,
                             voting_days=7, min_turnout_percent=10, now=utcnow())  # fmt: skip
    cast_vote(session, me, proposal, proposal.options[0].id, now=utcnow())
    cast_vote(session, other, proposal, proposal.options[1].id, now=utcnow())
    session.commit()
    votes = read_csv(download(me), "votes.csv")
    assert [(v["proposal"], v["option"], v["via"]) for v in votes] == [
        ("公民館に本棚を置く", "賛成", "phone")
    ]


def test_the_download_has_my_replies_to_invitations_and_nobody_else_s(
    session, make_user, make_event, download
):
    from datetime import timedelta

    from webapp.checkin.rsvps import cancel_seat, take_seat
    from webapp.events.services import InvitationSettings, set_invitation

    me, other = make_user(), make_user()
    soon = utcnow() + timedelta(days=3)
    tour, dinner = (
        make_event(title=title, starts_at=soon, ends_at=soon + timedelta(hours=2))
        for title in ("ワイナリー見学会", "収穫の夕べ")
    )
    for event in (tour, dinner):
        set_invitation(session, event, InvitationSettings(capacity=1, rsvp_open=True))
    take_seat(session, me, tour, utcnow())
    take_seat(session, other, dinner, utcnow())
    take_seat(session, me, dinner, utcnow())  # waiting
    tour_seat = take_seat(session, other, tour, utcnow())  # waiting, then cancelled
    cancel_seat(session, other, tour, utcnow())
    session.commit()
    archive = download(me)
    rsvps = read_csv(archive, "rsvps.csv")
    assert [(r["event"], r["status"]) for r in rsvps] == [
        ("ワイナリー見学会", "going"),
        ("収穫の夕べ", "waiting"),
    ]
    assert rsvps[0]["event_starts_at"].startswith(soon.isoformat()[:16])
    assert rsvps[0]["replied_at"] and rsvps[0]["status_since"]
    data = json.loads(archive.read("data.json"))
    assert [r["status"] for r in data["rsvps"]] == ["going", "waiting"]
    cancelled = read_csv(download(other), "rsvps.csv")
    assert [(r["event"], r["status"]) for r in cancelled] == [
        ("収穫の夕べ", "going"),
        ("ワイナリー見学会", "cancelled"),
    ]
    assert tour_seat.status == "cancelled"


def test_the_download_has_my_profile_its_tags_and_where_i_lived(session, make_user, download):
    from datetime import UTC, datetime

    from webapp.profiles.models import Area
    from webapp.profiles.residence import set_residence
    from webapp.profiles.services import save_profile

    me, other = make_user(), make_user()
    save_profile(session, me, introduction="はじめまして", visibility="members",
                 skills=["デザイン"], interests=["農業", "子育て"])  # fmt: skip
    save_profile(session, other, introduction="ほかの人", visibility="public",
                 skills=["IT"], interests=[])  # fmt: skip
    set_residence(session, me.id, Area.OUTSIDE, datetime(2026, 4, 1, tzinfo=UTC))
    set_residence(session, me.id, Area.CITY, datetime(2026, 5, 1, tzinfo=UTC))
    set_residence(session, other.id, Area.PREFECTURE)
    session.commit()
    archive = download(me)
    profile = read_csv(archive, "profile.csv")
    assert [(p["introduction"], p["visibility"]) for p in profile] == [("はじめまして", "members")]
    assert [(t["kind"], t["tag"]) for t in read_csv(archive, "profile_tags.csv")] == [
        ("interest", "子育て"), ("interest", "農業"), ("skill", "デザイン"),
    ]  # fmt: skip
    assert [(r["area"], r["since"][:10]) for r in read_csv(archive, "residences.csv")] == [
        ("outside", "2026-04-01"), ("city", "2026-05-01"),
    ]  # fmt: skip
    everything = archive.read("data.json").decode()
    assert "ほかの人" not in everything and "IT" not in json.loads(everything)["profile_tags"]


def test_a_member_who_never_saved_a_profile_gets_empty_files(make_user, download):
    archive = download(make_user())
    assert read_csv(archive, "profile.csv") == [] and read_csv(archive, "residences.csv") == []
    assert archive.read("profile.csv").decode("utf-8-sig").startswith("introduction,visibility")


def test_the_download_has_my_thanks_and_my_yui_posts_and_messages_not_others(
    session, make_user, download
):
    from webapp.thanks.services import give_thanks
    from webapp.yui.services import PostDraft, answer_post, create_post, post_message

    me, friend, stranger = make_user(), make_user(), make_user()
    give_thanks(session, me, friend, 10, "雪かきありがとう", via="profile", now=utcnow())
    give_thanks(session, friend, me, 5, "またね", via="profile", now=utcnow())
    give_thanks(session, friend, stranger, 7, "ほかの人へ", via="profile", now=utcnow())
    draft = PostDraft(kind="request", category="snow", area="daimon", title="玄関前の雪かき")
    post = create_post(session, draft, author=me, for_user=me, now=utcnow())
    thread = answer_post(session, post, friend, "手伝えます", utcnow())
    post_message(session, thread, me, "土曜の朝にお願いします", utcnow())
    other_post = create_post(session, draft, author=stranger, for_user=stranger, now=utcnow())
    answer_post(session, other_post, friend, "ほかの投稿へ", utcnow())
    session.commit()

    data = json.loads(download(me).read("data.json"))
    assert [(t["to"], t["points"], t["message"]) for t in data["thanks_given"]] == [
        (friend.display_name, 10, "雪かきありがとう")
    ]
    assert [(t["from"], t["points"]) for t in data["thanks_received"]] == [
        (friend.display_name, 5)
    ]
    assert [(p["title"], p["posted_by"]) for p in data["yui_posts"]] == [
        ("玄関前の雪かき", me.display_name)
    ]
    assert [m["message"] for m in data["yui_messages"]] == ["土曜の朝にお願いします"]
    assert data["yui_helps"] == []
