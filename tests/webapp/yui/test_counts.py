"""How often a member helped and was helped: a count on their profile and on マイページ, and
each 結い in わたしの参加's timeline."""

from __future__ import annotations

from webapp.profiles.models import Visibility
from webapp.profiles.services import save_profile
from webapp.yui.confirmations import confirm_help

from ...conftest import log_in
from .confirm_world import NOW, SCANNED_AT, new_claim_id


def confirmed(session, key, card, scanner, other, thread):
    confirm_help(session, scanner=scanner, thread_id=thread.id, card_code=card(other),
                 claim_id=new_claim_id(), scanned_at=SCANNED_AT, card_key=key, now=NOW)  # fmt: skip
    session.commit()


def test_the_counts_are_on_the_profile_and_my_page(
    app, session, key, card, make_user, make_thread, give
):
    sakura, ken, emi = make_user(), make_user(), make_user()
    give(emi, 10)
    confirmed(session, key, card, sakura, ken, make_thread(ken, sakura))  # she helped Ken
    confirmed(session, key, card, sakura, emi, make_thread(emi, sakura, coins=10))  # and Emi
    confirmed(session, key, card, ken, sakura, make_thread(ken, sakura, kind="offer"))  # he lent
    save_profile(session, sakura, introduction="", visibility=Visibility.MEMBERS, skills=[],
                 interests=[], now=NOW)  # fmt: skip
    session.commit()

    viewer = app.test_client()
    log_in(viewer, emi.email)
    profile = viewer.get(f"/members/{sakura.id}").get_data(as_text=True)
    assert "結い（お互いさま）" in profile
    assert 'data-testid="profile-helps-given">2回<' in profile
    assert 'data-testid="profile-helps-received">1回<' in profile

    own = app.test_client()
    log_in(own, sakura.email)
    page = own.get("/account").get_data(as_text=True)
    assert 'data-testid="my-helps-given">2回<' in page
    assert 'data-testid="my-helps-received">1回<' in page
    assert "えんコイン" not in page.split('data-testid="my-helps"')[1].split("</section>")[0]


def test_each_help_is_in_my_participation(app, session, key, card, make_user, make_thread, give):
    helped, helper = make_user(), make_user()
    give(helped, 10)
    confirmed(session, key, card, helper, helped, make_thread(helped, helper, coins=10))

    client = app.test_client()
    log_in(client, helper.email)
    mine = client.get("/account/contribution?year=2026").get_data(as_text=True)
    assert "近所の人を手助けした（結い）" in mine and "雪かきをお願い" in mine and "+10" in mine

    client = app.test_client()
    log_in(client, helped.email)
    theirs = client.get("/account/contribution?year=2026").get_data(as_text=True)
    assert "近所の人に手助けしてもらった（結い）" in theirs and "−10" in theirs
