"""The thanks pages as a member sees them: the month's points and when they come back, the feed
and leaving it, the form from a profile, a scanned card and a check-in, and each refusal in
plain words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from webapp.accounts.models import Role
from webapp.membership.cards import card_code, card_key
from webapp.membership.services import get_membership, issue_membership, revoke_membership
from webapp.profiles.models import Visibility
from webapp.profiles.services import save_profile
from webapp.thanks import views
from webapp.thanks.models import Thanks
from webapp.thanks.services import give_thanks

from ...conftest import csrf_token, log_in
from ..test_worker import attend

NOW = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setattr(views, "utcnow", lambda: NOW)


def logged_in(app, person):
    client = app.test_client()
    log_in(client, person.email)
    return client


def post(client, url, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, "/thanks"), **data})


def show_profile(session, person, visibility=Visibility.MEMBERS):
    save_profile(session, person, introduction="", visibility=visibility, skills=[], interests=[])
    session.commit()


def given(session):
    session.rollback()
    return list(session.scalars(select(Thanks).order_by(Thanks.id)))


def test_the_page_says_what_is_left_this_month_and_when_it_comes_back(
    app, session, member, make_user
):
    other = make_user()
    give_thanks(session, member, other, 30, "", via="profile", now=NOW)
    session.commit()
    page = logged_in(app, member).get("/thanks").get_data(as_text=True)
    assert "今月あと 70 ポイント" in page
    assert "12月1日に 100 に戻ります" in page
    assert 'href="/thanks/scan"' in page


def test_an_empty_feed_offers_one_next_step(app, member):
    page = logged_in(app, member).get("/thanks").get_data(as_text=True)
    assert 'class="empty"' in page and 'data-testid="feed-item"' not in page


def test_the_feed_shows_names_points_message_and_day_and_a_member_may_leave_it(
    app, session, member, make_user
):
    giver = make_user()
    give_thanks(session, giver, member, 10, "雪かき\r\n助かりました", via="profile", now=NOW)
    session.commit()
    client = logged_in(app, member)
    page = client.get("/thanks").get_data(as_text=True)
    assert page.count('data-testid="feed-item"') == 1
    assert f"{giver.display_name}さんから {member.display_name}さんへ" in page
    assert "10 ポイント" in page and "雪かき\n助かりました" in page and "11月15日" in page

    response = post(client, "/thanks/feed", out="1")
    assert response.status_code == 302
    page = client.get("/thanks").get_data(as_text=True)
    assert 'data-testid="feed-item"' not in page
    assert "あなたはフィードに表示されません" in page and "フィードにもう一度表示する" in page
    other = logged_in(app, giver).get("/thanks").get_data(as_text=True)
    assert 'data-testid="feed-item"' not in other  # gone for everyone

    post(client, "/thanks/feed", out="0")
    assert client.get("/thanks").get_data(as_text=True).count('data-testid="feed-item"') == 1


def test_a_member_thanks_another_from_their_profile(app, session, member, make_user):
    other = make_user()
    show_profile(session, other)
    client = logged_in(app, member)
    profile = client.get(f"/members/{other.id}").get_data(as_text=True)
    assert f'href="/thanks/give/{other.id}"' in profile
    form = client.get(f"/thanks/give/{other.id}").get_data(as_text=True)
    assert "今月あと 100 ポイント" in form and "あと 30 ポイントまで" in form
    response = post(client, f"/thanks/give/{other.id}", points="20", message="ありがとう")
    assert response.status_code == 302
    thanks = given(session)[0]
    assert (thanks.receiver_id, thanks.points, thanks.via) == (other.id, 20, "profile")
    sent = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ありがとうを送りました" in sent and "今月あと 80 ポイント" in sent
    again = client.get(f"/thanks/give/{other.id}").get_data(as_text=True)
    assert "あと 10 ポイントまで" in again


def test_no_link_on_ones_own_profile_nor_for_a_visitor(app, session, member):
    show_profile(session, member, Visibility.PUBLIC)
    own = logged_in(app, member).get(f"/members/{member.id}").get_data(as_text=True)
    assert "/thanks/give/" not in own
    visitor = app.test_client().get(f"/members/{member.id}").get_data(as_text=True)
    assert "/thanks/give/" not in visitor and "もらったありがとう" not in visitor


def test_a_private_profile_has_no_form_by_its_address(app, session, member, make_user):
    hidden = make_user()  # never chose a profile: private
    response = logged_in(app, member).get(f"/thanks/give/{hidden.id}")
    assert response.status_code == 404
    assert hidden.display_name not in response.get_data(as_text=True)


def test_refusals_are_said_plainly_and_nothing_is_given(app, session, member, make_user):
    other = make_user()
    show_profile(session, other)
    client = logged_in(app, member)
    cases = [
        ({"points": "0", "message": ""}, "1 ポイント以上"),
        ({"points": "abc", "message": ""}, "1 ポイント以上"),
        ({"points": "31", "message": ""}, "あと 30 ポイント"),
        ({"points": "5", "message": "あ" * 141}, "140 文字まで"),
    ]
    for data, words in cases:
        response = post(client, f"/thanks/give/{other.id}", **data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, data
        assert 'data-testid="thanks-problem"' in page and words in page, (data, page)
    assert given(session) == []


def test_oneself_is_refused_before_the_form(app, session, member):
    show_profile(session, member)
    client = logged_in(app, member)
    page = client.get(f"/thanks/give/{member.id}").get_data(as_text=True)
    assert 'data-testid="thanks-refusal"' in page and 'name="points"' not in page
    assert post(client, f"/thanks/give/{member.id}", points="5").status_code == 400
    assert given(session) == []


def test_a_lapsed_member_is_told_why_they_cannot_give(app, session, member, make_user):
    other = make_user()
    show_profile(session, other)
    get_membership(session, member).term_ends_at = NOW - timedelta(days=1)
    session.commit()
    client = logged_in(app, member)
    assert "期限が切れ" in client.get("/thanks").get_data(as_text=True)
    page = client.get(f"/thanks/give/{other.id}").get_data(as_text=True)
    assert 'data-testid="thanks-refusal"' in page and 'name="points"' not in page
    assert post(client, f"/thanks/give/{other.id}", points="5").status_code == 400
    assert given(session) == []


def test_a_revoked_member_cannot_receive(app, session, member, make_user):
    other, admin = make_user(), make_user(Role.ADMIN)
    show_profile(session, other)
    revoke_membership(session, other, actor=admin, now=NOW - timedelta(days=1))
    session.commit()
    page = logged_in(app, member).get(f"/thanks/give/{other.id}").get_data(as_text=True)
    assert f"{other.display_name}さんの会員証は無効" in page and 'name="points"' not in page


def test_scanning_a_member_card_opens_the_form_for_them(app, session, member, make_user):
    other = make_user()  # a private profile: the card is what lets the form open
    client = logged_in(app, member)
    code = card_code(other.id, card_key(app.secret_key))
    response = post(client, "/thanks/scan", card=code)
    assert response.headers["Location"] == f"/thanks/give/{other.id}"
    assert other.display_name in client.get(response.headers["Location"]).get_data(as_text=True)
    post(client, f"/thanks/give/{other.id}", points="5", message="")
    assert [t.via for t in given(session)] == ["card"]


@pytest.mark.parametrize("case", ["forged", "own", "revoked"])
def test_a_card_that_cannot_be_thanked_says_why(app, session, member, make_user, case):
    other, admin = make_user(), make_user(Role.ADMIN)
    if case == "revoked":
        revoke_membership(session, other, actor=admin, now=NOW - timedelta(days=1))
        session.commit()
    key = card_key("someone else's secret" if case == "forged" else app.secret_key)
    code = card_code(member.id if case == "own" else other.id, key)
    client = logged_in(app, member)
    response = post(client, "/thanks/scan", card=code)
    assert response.headers["Location"] == "/thanks/scan"
    page = client.get("/thanks/scan").get_data(as_text=True)
    words = {"forged": "会員カードではありません", "own": "ご自分の会員カード", "revoked": "無効"}[
        case
    ]
    assert words in page


def test_thanks_to_the_organiser_from_a_check_in_is_one_tap(
    app, session, member, make_event, organiser
):
    issue_membership(session, organiser)  # an organiser who is a member too
    session.commit()
    event = make_event()
    client = logged_in(app, member)
    assert client.get(f"/thanks/checkin/{event.id}").status_code == 404  # not there yet
    attend(session, member, event)
    form = client.get(f"/thanks/checkin/{event.id}").get_data(as_text=True)
    assert organiser.display_name in form and event.title in form
    assert 'value="10"' in form and "ありがとうございました</textarea>" in form
    response = post(
        client, f"/thanks/checkin/{event.id}", points="10", message="ありがとうございました"
    )
    assert response.status_code == 302
    thanks = given(session)[0]
    assert (thanks.receiver_id, thanks.via, thanks.event_id) == (organiser.id, "checkin", event.id)


def test_the_organiser_thanked_up_to_the_cap_is_said_plainly(
    app, session, member, make_event, organiser
):
    issue_membership(session, organiser)
    give_thanks(session, member, organiser, 30, "", via="profile", now=NOW)
    session.commit()
    event = make_event()
    attend(session, member, event)
    page = logged_in(app, member).get(f"/thanks/checkin/{event.id}").get_data(as_text=True)
    assert 'data-testid="thanks-refusal"' in page and "すでに 30 ポイント" in page
    assert 'name="points"' not in page


def test_an_organiser_without_a_card_cannot_be_thanked(app, session, member, make_event):
    event = make_event()  # the fixture's organiser holds no card
    attend(session, member, event)
    page = logged_in(app, member).get(f"/thanks/checkin/{event.id}").get_data(as_text=True)
    assert 'data-testid="thanks-refusal"' in page and 'name="points"' not in page


def test_someone_elses_sent_page_is_not_there(app, session, member, make_user):
    other, third = make_user(), make_user()
    thanks = give_thanks(session, other, third, 5, "", via="profile", now=NOW)
    session.commit()
    assert logged_in(app, member).get(f"/thanks/sent/{thanks.id}").status_code == 404


def test_thanks_received_on_the_wallet_the_profile_and_in_my_participation(
    app, session, member, make_user
):
    a, b = make_user(), make_user()
    show_profile(session, member)
    give_thanks(session, a, member, 10, "草刈りを", via="profile", now=NOW - timedelta(days=30))
    give_thanks(session, b, member, 5, "送迎を", via="profile", now=NOW)
    give_thanks(session, a, member, 20, "雪かきを", via="card", now=NOW)
    give_thanks(session, a, b, 5, "ほかの人へ", via="card", now=NOW)
    give_thanks(session, member, a, 7, "", via="profile", now=NOW)
    session.commit()
    # The wallet reads the real clock: November's thanks are "this month" only in November.
    wallet = logged_in(app, member).get("/wallet").get_data(as_text=True)
    assert 'data-testid="thanks-total">35 ポイント' in wallet
    assert wallet.count('data-testid="wallet-thanks-item"') == 3
    assert "雪かきを" in wallet and "ほかの人へ" not in wallet
    assert f"{a.display_name}さんから" in wallet

    profile = logged_in(app, b).get(f"/members/{member.id}").get_data(as_text=True)
    assert "2 人から 3 回、あわせて 35 ポイント" in profile

    timeline = logged_in(app, member).get("/account/contribution?year=2026").get_data(as_text=True)
    assert timeline.count('data-kind="thanks_received"') == 3
    assert timeline.count('data-kind="thanks_given"') == 1
    assert "ありがとうをもらった" in timeline and "7 ポイント" in timeline


def test_my_page_leads_to_thanks(app, member):
    page = logged_in(app, member).get("/account").get_data(as_text=True)
    assert 'href="/thanks"' in page and "ありがとう" in page
