"""The confirmation screen: for the thread's people only; it says whom one meets, what the
coins do, and shows one's own card to be scanned."""

from __future__ import annotations

from webapp.accounts.models import Role

from ...conftest import log_in
from .confirm_world import NOW, SCANNED_AT, new_claim_id


def page(client, thread):
    return client.get(f"/yui/threads/{thread.id}/confirm")


def test_the_helper_sees_whom_they_meet_the_coins_and_their_own_card(
    client, session, make_user, make_thread, give
):
    helped, helper = make_user(), make_user()
    give(helped, 30)
    thread = make_thread(helped, helper, coins=30)
    log_in(client, helper.email)

    response = page(client, thread)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "会って、相手の会員証（カードまたはスマホの画面）を読み取ってください。" in html
    assert f"相手：{helped.display_name} さん" in html
    assert f"{helped.display_name} さんから 30 えんコインを受け取ります。" in html
    assert "自分の会員証を見せる" in html
    assert f'aria-label="{helper.display_name} さんの会員カード"' in html  # the card's QR
    assert f'data-thread-id="{thread.id}"' in html


def test_the_helped_member_reads_that_the_coins_go_to_the_helper(
    client, session, make_user, make_thread, give
):
    helped, helper = make_user(), make_user()
    give(helped, 30)
    thread = make_thread(helped, helper, coins=30)
    log_in(client, helped.email)

    html = page(client, thread).get_data(as_text=True)

    assert f"申し出た 30 えんコインは {helper.display_name} さんに渡ります。" in html


def test_a_confirmed_thread_says_so_and_asks_for_no_scan(
    app, client, session, card, key, make_user, make_thread
):
    from webapp.yui.confirmations import confirm_help

    helped, helper = make_user(), make_user()
    thread = make_thread(helped, helper)
    confirm_help(session, scanner=helper, thread_id=thread.id, card_code=card(helped),
                 claim_id=new_claim_id(), scanned_at=SCANNED_AT, card_key=key, now=NOW)  # fmt: skip
    session.commit()
    log_in(client, helped.email)

    html = page(client, thread).get_data(as_text=True)

    assert "確認できました。" in html and "結いバッジが届きます。" in html
    assert "data-confirm " not in html  # no camera


def test_an_organiser_who_posted_for_a_member_may_open_it_and_no_one_else(
    app, client, session, make_user, make_thread
):
    no_phone, helper, stranger = make_user(), make_user(), make_user()
    organiser = make_user(Role.ORGANISER, member=False)
    thread = make_thread(no_phone, helper, author=organiser)

    log_in(client, organiser.email)
    html = page(client, thread).get_data(as_text=True)
    assert f"相手：{helper.display_name} さん" in html
    assert "見せる会員証がありません" in html  # an organiser without a card has none to show
    other_phone = app.test_client()
    log_in(other_phone, stranger.email)
    assert page(other_phone, thread).status_code == 404
