"""Proposals and votes in a phone's browser: a member votes and changes the vote; an
organiser records a meeting vote by scanning a member card; the pages pass axe-core."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from webapp.accounts.services import get_user_by_email
from webapp.decisions.models import Ballot, Proposal
from webapp.membership.cards import card_code, card_key

from .camera import write_y4m
from .conftest import axe_violations, log_in

SHOTS = Path("/tmp/h-decisions-shots")
VOTING = "奈良井宿 灯りのまつりに えんコイン の屋台を出す"
DECIDED = "駅前花壇の花を地域で選ぶ"


def shoot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}-390.png", full_page=True)
    page.set_viewport_size({"width": 320, "height": 700})
    page.screenshot(path=SHOTS / f"{name}-320.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})


def test_a_member_votes_on_the_phone_and_changes_the_vote(live_server, page):
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/account")
    page.get_by_role("link", name="提案と投票").click()
    expect(page.get_by_role("heading", name="提案と投票")).to_be_visible()
    assert axe_violations(page) == []
    shoot(page, "decisions")

    page.get_by_role("link", name=VOTING).click()
    expect(page.get_by_test_id("rule")).to_contain_text("会員の10%を超える人が投票し")
    page.get_by_label("賛成").check()
    page.get_by_role("button", name="投票する").click()
    expect(page.get_by_test_id("my-vote")).to_have_text("あなたの票: 賛成")
    assert axe_violations(page) == []
    shoot(page, "proposal-voting")

    page.get_by_label("反対").check()
    page.get_by_role("button", name="投票を変える").click()
    expect(page.get_by_role("status").filter(has_text="投票を変えました")).to_be_visible()
    expect(page.get_by_test_id("my-vote")).to_have_text("あなたの票: 反対")

    page.goto(f"{live_server}/decisions")
    page.get_by_role("link", name=DECIDED).click()
    expect(page.get_by_test_id("outcome")).to_have_text("可決")
    expect(page.get_by_test_id("turnout")).to_contain_text("人が投票しました")
    expect(page.get_by_test_id("check")).to_contain_text("一致しています")
    assert axe_violations(page) == []
    shoot(page, "proposal-decided")

    page.goto(f"{live_server}/decisions/new")
    expect(page.get_by_test_id("rule")).to_contain_text("過半数の賛成で決まります")
    assert axe_violations(page) == []
    shoot(page, "proposal-new")


def test_an_organiser_records_a_meeting_vote_by_scanning_a_member_card(
    live_server, launch_phone, app, session, tmp_path
):
    voter = get_user_by_email(session, "daimon@example.org")
    card = card_code(voter.id, card_key(app.secret_key))
    phone = launch_phone(video=write_y4m(tmp_path / "card.y4m", card))
    page = phone.new_page()
    log_in(page, live_server, "organiser@example.org")
    page.goto(f"{live_server}/decisions")
    page.get_by_role("link", name=VOTING).click()
    page.get_by_role("link", name="集会で票を記録する").click()
    expect(page.get_by_test_id("meeting-voter")).to_contain_text("大門 さくら", timeout=20_000)
    assert axe_violations(page) == []
    shoot(page, "meeting-voter")
    page.get_by_role("button", name="賛成").click()
    expect(
        page.get_by_role("status").filter(has_text="大門 さくらさんの票を記録しました（賛成）")
    ).to_be_visible()
    # The card is still in view: the desk does not read it again at once.
    expect(page.locator("[data-scan-status]")).to_have_text(
        "このカードはいま読み取りました。次のカードを見せてください。", timeout=20_000
    )
    assert axe_violations(page) == []
    shoot(page, "meeting-desk")

    # Found again by name: the vote is recorded already, and is changed only on request.
    page.get_by_label("名前(またはメールアドレス)").fill("大門")
    page.get_by_role("button", name="さがす").click()
    page.get_by_role("button", name="大門 さくらさんの票を記録する").click()
    expect(page.get_by_test_id("already-voted")).to_have_text("この方の票は記録済みです（賛成）")
    expect(page.get_by_role("button", name="「賛成」に変える")).to_be_disabled()
    assert axe_violations(page) == []
    shoot(page, "meeting-already")

    session.commit()
    proposal = session.scalar(select(Proposal).where(Proposal.title == VOTING))
    ballot = session.scalar(
        select(Ballot).where(Ballot.proposal_id == proposal.id, Ballot.voter_id == voter.id)
    )
    organiser = get_user_by_email(session, "organiser@example.org")
    assert (ballot.via, ballot.recorded_by_id, ballot.option.label) == (
        "meeting", organiser.id, "賛成",
    )  # fmt: skip
