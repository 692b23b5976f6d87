"""Two taps at once, and a card that ends: the board stays whole. On SQLite and PostgreSQL (two
sessions in threads, as two requests would be)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from webapp.accounts.models import User
from webapp.core.db import utcnow
from webapp.core.errors import DomainError
from webapp.ledger.services import get_balance
from webapp.membership.services import get_membership, revoke_membership
from webapp.thanks.models import ThanksOptOut
from webapp.thanks.services import set_feed_optout
from webapp.yui.lists import BoardFilters, list_posts
from webapp.yui.models import YuiMessage, YuiPost, YuiReport, YuiThread
from webapp.yui.services import answer_post, report_post

from ..threads import run_together


def count(session, model) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


def test_two_taps_on_talk_open_one_thread_with_both_messages(
    app, session, member, make_post, make_user
):
    post, neighbour = make_post(member), make_user()
    ids = (post.id, neighbour.id)

    def tap(s, n):
        return answer_post(
            s, s.get(YuiPost, ids[0]), s.get(User, ids[1]), f"手伝えます{n}", utcnow()
        ).id

    first, second = run_together(app, 2, tap)
    assert first == second and isinstance(first, int)
    assert count(session, YuiThread) == 1
    assert count(session, YuiMessage) == 2


def test_two_taps_on_report_make_one_report(app, session, member, make_post, make_user):
    post, neighbour = make_post(member), make_user()
    ids = (post.id, neighbour.id)

    def tap(s, n):
        try:
            return report_post(
                s, s.get(YuiPost, ids[0]), s.get(User, ids[1]), "宣伝です", utcnow()
            ).id
        except DomainError as refused:
            return refused.code

    results = run_together(app, 2, tap)
    assert (
        sorted(map(str, results))[0] == "already_reported" or results.count("already_reported") == 1
    )
    assert count(session, YuiReport) == 1


def test_two_taps_on_leaving_the_feed_leave_it_once(app, session, member):
    member_id = member.id

    def tap(s, n):
        set_feed_optout(s, s.get(User, member_id), True, now=utcnow())
        return "ok"

    assert run_together(app, 2, tap) == ["ok", "ok"]
    assert count(session, ThanksOptOut) == 1


def test_a_card_taken_back_takes_its_holder_s_posts_down_and_gives_the_coins_back(
    session, member, make_post, make_user, give_coins, admin
):
    give_coins(member, 50)
    post = make_post(member, coins=30)
    assert get_balance(session, member).total == 20
    revoke_membership(session, member, actor=admin, now=utcnow(), reason="test")
    session.commit()

    assert post.closed_at is not None
    assert get_balance(session, member).total == 50
    assert list_posts(session, BoardFilters()).posts == []


def test_a_post_whose_person_s_card_ran_out_is_not_on_the_board(
    session, member, make_post, make_user
):
    neighbour = make_user()
    mine, theirs = make_post(member, title="雪かき"), make_post(neighbour, title="草刈り")
    get_membership(session, neighbour).term_ends_at = utcnow() - timedelta(days=1)
    session.commit()

    assert [p.id for p in list_posts(session, BoardFilters()).posts] == [mine.id]
    assert theirs.closed_at is None  # back on the board when the card is renewed
