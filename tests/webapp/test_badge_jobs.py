"""Badges given outside events (a 結い's, a month's thanks) and the burn of coins paid for one:
the worker mints and burns them on the embedded chain, once, also when a round is repeated."""

from webapp.onchain.jobs import (
    PROJECT_BADGE_BASE,
    THANKS_BADGE_BASE,
    YUI_BADGE_BASE,
    queue_badge,
    queue_coin_burn,
    thanks_badge_token_id,
    yui_badge_token_id,
)
from webapp.onchain.models import JobKind, JobStatus

from .test_worker import attend, jobs, work


def test_the_new_token_ids_meet_no_project_s_and_no_other():
    assert YUI_BADGE_BASE > PROJECT_BADGE_BASE + 2**31
    assert yui_badge_token_id(2**31) < THANKS_BADGE_BASE
    assert thanks_badge_token_id("2026-11") == 2**41 + 202611


def test_coins_move_from_one_member_to_another_with_the_badge_of_both(
    session, chain, member, make_user, make_event
):
    helper = make_user()
    attend(session, member, make_event(reward=30))  # the coins the helped member pays
    token_id = yui_badge_token_id(7)
    queue_badge(session, user_id=helper.id, address=helper.address, token_id=token_id, coins=20)
    queue_badge(session, user_id=member.id, address=member.address, token_id=token_id)
    queue_coin_burn(
        session, user_id=member.id, address=member.address, amount=20, token_id=token_id
    )
    session.commit()
    work(session, chain)
    work(session, chain)  # a second round changes nothing

    assert {job.status for job in jobs(session)} == {JobStatus.CONFIRMED}
    assert chain.badge_balance(helper.address, token_id) == 1
    assert chain.badge_balance(member.address, token_id) == 1
    assert chain.token_balance(helper.address) == 20
    assert chain.token_balance(member.address) == 10
    assert len(jobs(session, kind=JobKind.BURN)) == 1


def test_a_month_s_thanks_badges_with_different_coins_each(session, chain, member, make_user):
    other = make_user()
    token_id = thanks_badge_token_id("2026-11")
    queue_badge(session, user_id=member.id, address=member.address, token_id=token_id, coins=7)
    queue_badge(session, user_id=other.id, address=other.address, token_id=token_id, coins=3)
    session.commit()
    work(session, chain)

    assert chain.token_balance(member.address) == 7
    assert chain.token_balance(other.address) == 3
    assert chain.badge_balance(other.address, token_id) == 1
