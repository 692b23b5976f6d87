"""What the 結い board's pages show a member, an organiser and an administrator."""

import re

from sqlalchemy import func, select

from webapp.accounts.models import Role
from webapp.ledger.services import get_balance
from webapp.yui.models import YuiPost, YuiThread
from webapp.yui.services import answer_post, report_post

from ...conftest import csrf_token, log_in
from .conftest import NOW


def logged_in(app, person):
    client = app.test_client()
    log_in(client, person.email)
    return client


def post(client, url, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, "/yui"), **data})


def cards(page: str) -> list[str]:
    return re.findall(r'data-testid="yui-post">(.*?)</li>', page, re.S)


def test_the_board_shows_open_posts_as_cards_newest_first(
    app, member, make_user, make_post, give_coins
):
    organiser = make_user(Role.ORGANISER)
    give_coins(member, 300)
    make_post(member, title="玄関前の雪かき", coins=200, minutes=1)
    make_post(member, author=organiser, title="買い物の付き添い", category="shopping", minutes=2)
    make_post(make_user(), title="スマホ教えます", kind="offer", category="smartphone", minutes=3)

    page = logged_in(app, make_user()).get("/yui").get_data(as_text=True)
    found = cards(page)
    assert [re.search(r'yui-card-title">([^<]+)', c).group(1) for c in found] == [
        "スマホ教えます", "買い物の付き添い", "玄関前の雪かき",
    ]  # fmt: skip
    snow = found[2]
    assert 'data-testid="post-coins"' in snow and "200" in snow
    assert 'data-testid="post-kind"' in snow
    assert organiser.display_name in found[1] and member.display_name in found[1]
    assert 'href="/yui/new"' in page  # the big button to post


def test_the_board_is_narrowed_by_kind_and_area(app, member, make_post):
    make_post(member, title="雪かき", area="daimon")
    make_post(member, title="スマホ教えます", kind="offer", category="smartphone", area="seba")
    client = logged_in(app, member)
    requests = cards(client.get("/yui?kind=request").get_data(as_text=True))
    assert len(requests) == 1 and "雪かき" in requests[0]
    page = client.get("/yui?area=seba").get_data(as_text=True)
    assert len(cards(page)) == 1 and "スマホ教えます" in cards(page)[0]
    assert 'aria-current="page"' in page


def test_an_empty_board_offers_one_next_step(app, member):
    page = logged_in(app, member).get("/yui").get_data(as_text=True)
    empty = re.search(r'class="empty">(.*?)</div>', page, re.S).group(1)
    assert re.findall(r'<a[^>]*href="([^"]+)"', empty) == ["/yui/new?kind=request"]


def test_a_member_posts_a_request_and_is_told_the_coins_are_held(app, session, member, give_coins):
    give_coins(member, 300)
    client = logged_in(app, member)
    form = client.get("/yui/new").get_data(as_text=True)
    hint = re.search(r'data-testid="coins-hint">(.*?)</p>', form, re.S).group(1)
    assert "300" in hint
    response = post(client, "/yui/new", kind="request", category="snow", area="daimon",
                    title="玄関前の雪かき", body="朝8時ごろ", when_text="土曜の朝",
                    coins="200")  # fmt: skip
    assert response.status_code == 302
    session.rollback()
    created = session.scalar(select(YuiPost))
    assert response.location == f"/yui/{created.id}"
    assert (created.title, created.coins, created.for_user_id) == ("玄関前の雪かき", 200, member.id)
    assert get_balance(session, member).total == 100


def test_a_post_with_too_many_coins_is_refused_on_its_field_and_not_written(
    app, session, member, give_coins
):
    give_coins(member, 50)
    client = logged_in(app, member)
    response = post(client, "/yui/new", kind="request", category="snow", area="daimon",
                    title="雪かき", coins="80")  # fmt: skip
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    coins = re.search(r'<input[^>]*name="coins"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in coins
    session.rollback()
    assert session.scalar(select(func.count(YuiPost.id))) == 0


def test_an_organiser_posts_for_a_member_and_a_member_may_not(app, session, member, make_user):
    organiser = make_user(Role.ORGANISER)
    client = logged_in(app, organiser)
    form = client.get(f"/yui/new?for={member.id}").get_data(as_text=True)
    assert 'data-testid="posting-for"' in form and member.display_name in form
    response = post(client, f"/yui/new?for={member.id}", kind="request", category="shopping",
                    area="soga", title="買い物の付き添い")  # fmt: skip
    assert response.status_code == 302
    session.rollback()
    created = session.scalar(select(YuiPost))
    assert (created.for_user_id, created.author_id) == (member.id, organiser.id)
    page = client.get(f"/yui/{created.id}").get_data(as_text=True)
    assert organiser.display_name in re.search(r'data-testid="posted-for">(.*?)<', page).group(1)

    neighbour = logged_in(app, make_user())
    assert neighbour.get(f"/yui/new?for={member.id}").status_code == 403
    assert neighbour.get("/yui/for").status_code == 403


def test_an_organiser_finds_the_member_by_name(app, member, make_user):
    client = logged_in(app, make_user(Role.ORGANISER))
    page = client.get(f"/yui/for?q={member.display_name}").get_data(as_text=True)
    assert 'data-testid="found-member"' in page
    response = post(client, "/yui/for", user_id=str(member.id))
    assert response.location == f"/yui/new?for={member.id}"


def test_answering_opens_a_private_thread_with_names_only(
    app, session, member, make_user, make_post
):
    created = make_post(member)
    helper, stranger = make_user(), make_user()
    client = logged_in(app, helper)
    page = client.get(f"/yui/{created.id}").get_data(as_text=True)
    assert 'data-testid="answer"' in page
    response = post(client, f"/yui/{created.id}/answer", body="土曜の8時に伺えます")
    session.rollback()
    thread = session.scalar(select(YuiThread))
    assert response.location == f"/yui/threads/{thread.id}"
    page = client.get(response.location).get_data(as_text=True)
    assert "土曜の8時に伺えます" in page and member.display_name in page
    assert member.email not in page and helper.email not in page
    assert f'href="/yui/threads/{thread.id}/confirm"' in page
    # The post's person finds it in their list and answers.
    person = logged_in(app, member)
    threads = person.get("/yui/threads").get_data(as_text=True)
    assert helper.display_name in threads and "土曜の8時に伺えます" in threads
    post(person, f"/yui/threads/{thread.id}", body="お願いします")
    assert "お願いします" in client.get(f"/yui/threads/{thread.id}").get_data(as_text=True)
    # Someone else: no such conversation.
    assert logged_in(app, stranger).get(f"/yui/threads/{thread.id}").status_code == 404


def test_an_empty_message_is_refused_and_writes_nothing(app, session, member, make_user, make_post):
    created = make_post(member)
    client = logged_in(app, make_user())
    post(client, f"/yui/{created.id}/answer", body="   ")
    session.rollback()
    assert session.scalar(select(func.count(YuiThread.id))) == 0


def test_withdrawing_gives_the_coins_back(app, session, member, make_post, give_coins):
    give_coins(member, 300)
    created = make_post(member, coins=200)
    client = logged_in(app, member)
    assert 'data-testid="withdraw"' in client.get(f"/yui/{created.id}").get_data(as_text=True)
    post(client, f"/yui/{created.id}/withdraw")
    session.rollback()
    assert get_balance(session, member).total == 300
    page = client.get(f"/yui/{created.id}").get_data(as_text=True)
    assert 'data-testid="closed"' in page and 'data-testid="withdraw"' not in page
    assert cards(client.get("/yui").get_data(as_text=True)) == []
    assert len(cards(client.get("/yui?closed=1").get_data(as_text=True))) == 1


def test_an_administrator_hides_a_reported_post_and_its_person_reads_why(
    app, session, member, make_user, make_post, admin
):
    created = make_post(member, title="気になる投稿")
    answer_post(session, created, make_user(), "手伝えます", NOW)
    neighbour = make_user()
    report = logged_in(app, neighbour)
    post(report, f"/yui/{created.id}/report", reason="電話番号が書いてあります")
    session.rollback()

    client = logged_in(app, admin)
    page = client.get("/admin/yui").get_data(as_text=True)
    assert "電話番号が書いてあります" in page and "気になる投稿" in page
    post(client, f"/admin/yui/{created.id}/hide", reason=" ")  # a reason is needed
    session.rollback()
    assert session.get(YuiPost, created.id).hidden_at is None
    post(client, f"/admin/yui/{created.id}/hide", reason="個人の連絡先が書いてあったため")
    session.rollback()
    assert session.get(YuiPost, created.id).hidden_at is not None
    page = client.get("/admin/yui").get_data(as_text=True)
    assert 'data-testid="reported-post"' not in page
    assert "個人の連絡先が書いてあったため" in page  # among the hidden posts

    assert cards(report.get("/yui").get_data(as_text=True)) == []
    assert report.get(f"/yui/{created.id}").status_code == 404
    person = logged_in(app, member)
    shown = person.get(f"/yui/{created.id}").get_data(as_text=True)
    assert "個人の連絡先が書いてあったため" in re.search(
        r'data-testid="hidden-reason">(.*?)</p>', shown, re.S
    ).group(1)
    board = person.get("/yui").get_data(as_text=True)
    assert "個人の連絡先が書いてあったため" in re.search(
        r'data-testid="hidden-notice">(.*?)</p>', board, re.S
    ).group(1)


def test_reporting_twice_is_told_once_is_enough(app, session, member, make_user, make_post):
    created = make_post(member)
    neighbour = make_user()
    report_post(session, created, neighbour, "気になります", NOW)
    session.commit()
    client = logged_in(app, neighbour)
    response = post(client, f"/yui/{created.id}/report", reason="もう一度")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "toast-error" in page


def test_my_page_and_home_lead_to_the_board(app, member, admin):
    client = logged_in(app, member)
    assert 'data-testid="yui-row"' in client.get("/account").get_data(as_text=True)
    assert 'data-testid="home-yui"' in client.get("/").get_data(as_text=True)
    assert 'href="/admin/yui"' not in client.get("/account").get_data(as_text=True)
    assert 'href="/admin/yui"' in logged_in(app, admin).get("/account").get_data(as_text=True)


def test_a_member_number_no_row_can_have_is_no_such_member(app, make_user):
    client = logged_in(app, make_user(Role.ORGANISER))
    assert client.get("/yui/new?for=99999999999999999999").status_code == 404
    response = post(client, "/yui/for", user_id="99999999999999999999")
    assert response.status_code == 302 and response.location == "/yui/for"
