"""The 結い board's rules, as its members meet them: what the board lists and in which order,
withdrawing and hiding (the coins a request held come back), reports, who reads a thread,
posting for a member without a phone, and who may post or answer at all."""

from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from webapp.accounts.models import AuditEntry, Role
from webapp.core.errors import DomainError, Forbidden, NotFound
from webapp.ledger.models import LedgerEntry
from webapp.ledger.services import get_balance
from webapp.membership.cards import card_code, card_key
from webapp.membership.services import get_membership, revoke_membership
from webapp.yui.lists import (
    BoardFilters,
    list_messages,
    list_my_posts,
    list_my_threads,
    list_posts,
    list_reported_posts,
)
from webapp.yui.models import YuiPost, YuiReport, YuiThread
from webapp.yui.services import (
    PostDraft,
    answer_post,
    create_post,
    find_member_to_post_for,
    get_thread,
    get_visible_post,
    hide_post,
    keep_post,
    post_message,
    report_post,
    speaks_for,
    withdraw_post,
)

from .conftest import NOW

LATER = NOW + timedelta(hours=1)


def code_of(call) -> str:
    with pytest.raises(DomainError) as raised:
        call()
    return raised.value.code


def titles(board) -> list[str]:
    return [post.title for post in board.posts]


# The board ------------------------------------------------------------------------------------


def test_the_board_lists_newest_first_and_narrows_by_kind_category_and_area(
    session, member, make_post
):
    def list_posts_of(**filters):
        return list_posts(session, BoardFilters.of(**filters))

    make_post(member, title="雪かき", minutes=1)
    make_post(member, title="スマホ教えます", kind="offer", category="smartphone", minutes=2)
    make_post(member, title="草刈り", category="garden", area="hirooka", minutes=3)

    assert titles(list_posts_of()) == ["草刈り", "スマホ教えます", "雪かき"]
    assert titles(list_posts_of(kind="offer")) == ["スマホ教えます"]
    assert titles(list_posts_of(kind="request")) == ["草刈り", "雪かき"]
    assert titles(list_posts_of(category="snow")) == ["雪かき"]
    assert titles(list_posts_of(area="hirooka")) == ["草刈り"]
    assert titles(list_posts_of(kind="offer", area="hirooka")) == []
    # An unknown value (an old link, a typed address) narrows nothing.
    assert titles(list_posts_of(area="塩尻市大門1-2-3")) == ["草刈り", "スマホ教えます", "雪かき"]


def test_a_long_board_is_read_a_page_at_a_time(session, member, make_post):
    for n in range(5):
        make_post(member, title=f"投稿{n}", minutes=n)
    first = list_posts(session, BoardFilters(), page=1, size=2)
    last = list_posts(session, BoardFilters(), page=9, size=2)  # past the end: the last page
    assert (titles(first), first.total, first.pages) == (["投稿4", "投稿3"], 5, 3)
    assert (titles(last), last.page) == (["投稿0"], 3)


def test_posts_that_are_over_are_listed_apart(session, member, make_post):
    done = make_post(member, title="終わった雪かき")
    make_post(member, title="まだの雪かき", minutes=1)
    withdraw_post(session, done, member, LATER)
    session.commit()
    assert titles(list_posts(session, BoardFilters())) == ["まだの雪かき"]
    assert titles(list_posts(session, BoardFilters(closed=True))) == ["終わった雪かき"]


# Withdrawing ----------------------------------------------------------------------------------


def test_withdrawing_a_request_gives_its_coins_back(session, member, make_post, give_coins):
    give_coins(member, 300)
    post = make_post(member, coins=200)
    assert get_balance(session, member).total == 100  # held while the post is open

    withdraw_post(session, post, member, LATER)
    session.commit()
    assert post.closed_at == LATER
    assert get_balance(session, member).total == 300
    assert code_of(lambda: withdraw_post(session, post, member, LATER)) == "post_closed"
    assert get_balance(session, member).total == 300  # not given back twice


def test_only_the_posts_person_can_withdraw_it(session, member, make_user, make_post):
    post = make_post(member)
    with pytest.raises(Forbidden):
        withdraw_post(session, post, make_user(), LATER)
    assert post.closed_at is None


def test_coins_offered_must_be_there(session, member, make_post, give_coins):
    give_coins(member, 50)
    draft = PostDraft(kind="request", category="snow", area="daimon", title="雪かき", coins=80)
    assert (
        code_of(lambda: create_post(session, draft, author=member, for_user=member, now=NOW))
        == "cannot_afford"
    )
    session.rollback()
    assert session.scalar(select(func.count(YuiPost.id))) == 0
    assert get_balance(session, member).total == 50


def test_bad_input_is_refused_with_its_reason_and_nothing_is_written(session, member, give_coins):
    give_coins(member, 500)
    good = dict(kind="request", category="snow", area="daimon", title="雪かき", coins=100)
    bad = {
        "bad_title": {"title": "  "},
        "bad_kind": {"kind": "sale"},
        "bad_area": {"area": "塩尻市大門1-2-3"},
        "bad_category": {"category": "money"},
        "coins_on_offer": {"kind": "offer"},
        "bad_coins": {"coins": -5},
    }
    for code, change in bad.items():
        draft = PostDraft(**(good | change))
        assert (
            code_of(
                lambda d=draft: create_post(session, d, author=member, for_user=member, now=NOW)
            )
            == code
        )
        session.rollback()
    assert session.scalar(select(func.count(YuiPost.id))) == 0
    assert session.scalar(select(func.count(LedgerEntry.id)).where(LedgerEntry.kind == "hold")) == 0


# Reports and hiding ---------------------------------------------------------------------------


def test_a_member_reports_a_post_once(session, member, make_user, make_post):
    post = make_post(member)
    neighbour = make_user()
    report_post(session, post, neighbour, "電話番号が書いてあります", NOW)
    session.commit()
    assert code_of(lambda: report_post(session, post, neighbour, "もう一度", NOW)) == (
        "already_reported"
    )
    assert code_of(lambda: report_post(session, post, make_user(), "  ", NOW)) == "bad_reason"
    assert code_of(lambda: report_post(session, post, member, "自分の", NOW)) == "own_post"
    [reported] = list_reported_posts(session)
    assert reported.post == post
    assert [r.reason for r in reported.reports] == ["電話番号が書いてあります"]


def test_a_hidden_post_is_gone_its_person_is_told_why_and_its_coins_come_back(
    session, member, make_user, make_post, admin, give_coins
):
    give_coins(member, 300)
    post = make_post(member, coins=200)
    make_post(member, title="ほかの投稿", minutes=1)
    report_post(session, post, make_user(), "住所が書いてあります", NOW)
    session.commit()

    hide_post(session, post, admin, "住所が書いてあったため", LATER)
    session.commit()

    assert titles(list_posts(session, BoardFilters())) == ["ほかの投稿"]
    assert titles(list_posts(session, BoardFilters(closed=True))) == []
    assert get_balance(session, member).total == 300
    # Its person finds it in their own list and on its page, with the reason.
    mine = list_my_posts(session, member)
    assert [(p.title, p.hidden_reason) for p in mine if p.hidden_at] == [
        ("玄関前の雪かき", "住所が書いてあったため")
    ]
    assert get_visible_post(session, post.id, member) == post
    assert get_visible_post(session, post.id, admin) == post
    with pytest.raises(NotFound):
        get_visible_post(session, post.id, make_user())
    assert list_reported_posts(session) == []
    assert session.scalar(select(YuiReport.resolved_at)) == LATER
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "yui.hidden"))
    assert (entry.actor_id, entry.subject_id) == (admin.id, member.id)
    assert "住所が書いてあったため" in entry.detail
    # Nothing more comes back: not by hiding again, not by withdrawing.
    assert code_of(lambda: hide_post(session, post, admin, "again", LATER)) == "already_hidden"
    assert code_of(lambda: withdraw_post(session, post, member, LATER)) == "post_closed"
    assert get_balance(session, member).total == 300


def test_hiding_needs_an_administrator_and_a_reason(session, member, make_post, admin, organiser):
    post = make_post(member)
    with pytest.raises(Forbidden):
        hide_post(session, post, organiser, "理由", LATER)
    assert code_of(lambda: hide_post(session, post, admin, " ", LATER)) == "bad_reason"
    assert post.hidden_at is None


def test_a_withdrawn_request_hidden_later_gives_nothing_back_twice(
    session, member, make_post, admin, give_coins
):
    give_coins(member, 300)
    post = make_post(member, coins=200)
    withdraw_post(session, post, member, LATER)
    hide_post(session, post, admin, "不適切な内容", LATER)
    session.commit()
    assert get_balance(session, member).total == 300


def test_keeping_a_reported_post_clears_its_reports(session, member, make_user, make_post, admin):
    post = make_post(member)
    report_post(session, post, make_user(), "気になります", NOW)
    keep_post(session, post, admin, LATER)
    session.commit()
    assert list_reported_posts(session) == []
    assert post.hidden_at is None


# Threads --------------------------------------------------------------------------------------


def test_a_thread_is_read_by_its_two_people_only(session, member, make_user, make_post):
    post = make_post(member)
    helper, stranger = make_user(), make_user()
    thread = answer_post(session, post, helper, "手伝えます。土曜の8時でどうですか", NOW)
    post_message(session, thread, member, "お願いします", LATER)
    session.commit()

    assert get_thread(session, thread.id, helper) == thread
    assert get_thread(session, thread.id, member) == thread
    with pytest.raises(NotFound):
        get_thread(session, thread.id, stranger)
    with pytest.raises(NotFound):
        post_message(session, thread, stranger, "割り込み", LATER)
    assert [m.body for m in list_messages(session, thread)] == [
        "手伝えます。土曜の8時でどうですか",
        "お願いします",
    ]
    [mine] = list_my_threads(session, helper)
    assert (mine.other, mine.last.body) == (member, "お願いします")
    [theirs] = list_my_threads(session, member)
    assert theirs.other == helper
    assert list_my_threads(session, stranger) == []


def test_answering_again_continues_the_same_thread(session, member, make_user, make_post):
    post = make_post(member)
    helper = make_user()
    first = answer_post(session, post, helper, "手伝えます", NOW)
    again = answer_post(session, post, helper, "何時がいいですか", LATER)
    assert first == again
    assert len(list_messages(session, first)) == 2
    assert code_of(lambda: answer_post(session, post, member, "自分に", NOW)) == "own_post"


def test_an_answer_refused_leaves_no_thread(session, member, make_user, make_post):
    post = make_post(member)
    helper = make_user()
    for body in ("   ", "あ" * 501):
        assert code_of(lambda b=body: answer_post(session, post, helper, b, NOW)) == "bad_message"
        session.rollback()
    assert session.scalar(select(func.count(YuiThread.id))) == 0


def test_a_member_without_a_valid_card_can_neither_post_nor_answer(
    session, member, make_user, make_post, admin
):
    post = make_post(member)
    helper, revoked, lapsed = make_user(), make_user(), make_user()
    thread = answer_post(session, post, helper, "手伝えます", NOW)
    revoke_membership(session, revoked, actor=admin, now=NOW)
    get_membership(session, lapsed).term_ends_at = NOW - timedelta(days=1)
    session.commit()
    draft = PostDraft(kind="offer", category="skill", area="daimon", title="教えます")
    for person in (revoked, lapsed):
        assert (
            code_of(lambda p=person: create_post(session, draft, author=p, for_user=p, now=LATER))
            == "not_member"
        )
        assert code_of(lambda p=person: answer_post(session, post, p, "手伝えます", LATER)) == (
            "not_member"
        )
        session.rollback()
    revoke_membership(session, helper, actor=admin, now=NOW)
    session.commit()
    assert code_of(lambda: post_message(session, thread, helper, "まだ", LATER)) == "not_member"


# Posting for a member without a phone -------------------------------------------------------


def test_only_an_organiser_posts_for_another_member(session, member, make_user, make_post):
    neighbour = make_user()
    draft = PostDraft(kind="request", category="shopping", area="soga", title="買い物の付き添い")
    assert (
        code_of(lambda: create_post(session, draft, author=neighbour, for_user=member, now=NOW))
        == "not_organiser"
    )
    session.rollback()
    assert session.scalar(select(func.count(YuiPost.id))) == 0


def test_an_organiser_posts_for_a_member_and_speaks_for_them_in_its_threads(
    session, member, make_user, make_post, give_coins
):
    organiser = make_user(Role.ORGANISER)
    give_coins(member, 100)
    with pytest.raises(Forbidden) as refused:  # not the member's coins on the organiser's word
        make_post(member, author=organiser, coins=50, title="買い物の付き添い")
    assert refused.value.code == "coins_for_other"
    session.rollback()
    post = make_post(member, author=organiser, title="買い物の付き添い")
    assert post.on_behalf and (post.for_user, post.author) == (member, organiser)
    assert get_balance(session, member).total == 100

    helper = make_user()
    thread = answer_post(session, post, helper, "木曜なら行けます", NOW)
    reply = post_message(session, thread, organiser, "木曜の10時でお願いします", LATER)
    session.commit()
    assert speaks_for(thread, organiser) == member
    assert reply.sender == organiser
    assert get_thread(session, thread.id, organiser) == thread
    assert [s.other for s in list_my_threads(session, organiser)] == [helper]
    assert [p.title for p in list_my_posts(session, organiser)] == ["買い物の付き添い"]

    withdraw_post(session, post, organiser, LATER)
    session.commit()
    assert post.closed_at is not None


def test_the_member_is_found_by_their_card_or_by_name(app, session, member, make_user, admin):
    key = card_key(current_app.secret_key)
    assert (
        find_member_to_post_for(
            session, card=card_code(member.id, key), member_id=None, key=key, now=NOW
        )
        == member
    )
    assert find_member_to_post_for(session, card=None, member_id=member.id, key=key, now=NOW) == (
        member
    )
    assert (
        code_of(
            lambda: find_member_to_post_for(
                session, card="not a card", member_id=None, key=key, now=NOW
            )
        )
        == "not_a_card"
    )
    revoked = make_user()
    revoke_membership(session, revoked, actor=admin, now=NOW)
    assert (
        code_of(
            lambda: find_member_to_post_for(
                session, card=card_code(revoked.id, key), member_id=None, key=key, now=LATER
            )
        )
        == "not_member"
    )
