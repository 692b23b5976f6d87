"""Thanks on a phone: a member thanks another from her profile (a quick choice, a counted
message), the organiser in two taps from the check-in's success screen (drawn by the scanner
and by a check-in link), and someone by scanning their member card; axe-core finds no serious
violation on the thanks pages. Screenshots at 390×844 and 320 px go to /tmp/shots-thanks."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from webapp.accounts.models import User
from webapp.accounts.services import get_user_by_email
from webapp.checkin import codes
from webapp.core.db import utcnow
from webapp.events.services import create_event
from webapp.membership.cards import card_code, card_key
from webapp.thanks.demo import THANKS
from webapp.thanks.models import Thanks

from .camera import write_y4m
from .conftest import PHONE, axe_violations, log_in

SHOTS = Path("/tmp/shots-thanks")
NARROW = {"width": 320, "height": 700}


def shoot(page, name: str) -> None:
    """The page at the phone's size and at 320 px, whole, for a person to look at."""
    SHOTS.mkdir(exist_ok=True)
    for label, size in (("390", PHONE), ("320", NARROW)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(PHONE)


def given(session) -> list[Thanks]:
    """What the demo member gave (the demo's own thanks are between others)."""
    session.rollback()
    member = select(User.id).where(User.email == "member@example.org").scalar_subquery()
    return list(
        session.scalars(select(Thanks).where(Thanks.giver_id == member).order_by(Thanks.id))
    )


@pytest.fixture
def event(session, live_server):
    organiser = get_user_by_email(session, "organiser@example.org")
    now = utcnow()
    made = create_event(
        session, organiser, title="ぶどう畑の草刈り", venue="塩尻", reward=5,
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=3),
    )  # fmt: skip
    session.commit()
    return made


def link_for(event, base: str) -> str:
    token = codes.make_token(event.id, event.secret, codes.slot_at(utcnow()))
    return codes.checkin_url(base, token)


def test_a_member_thanks_another_from_her_profile(live_server, browser, session):
    daimon = get_user_by_email(session, "daimon@example.org")
    page = browser.new_context(viewport=PHONE, locale="ja-JP").new_page()
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/thanks")
    expect(page.get_by_test_id("points-left")).to_have_text("今月あと 100 ポイント")
    assert axe_violations(page) == []
    shoot(page, "index-empty")

    page.goto(f"{live_server}/members/{daimon.id}")
    page.get_by_test_id("give-thanks").click()
    page.wait_for_url(f"{live_server}/thanks/give/{daimon.id}")
    expect(page.get_by_test_id("left-for-them")).to_contain_text("あと 30 ポイントまで")
    page.get_by_role("button", name="20 ポイント").click()
    expect(page.get_by_test_id("points")).to_have_value("20")
    expect(page.get_by_role("button", name="20 ポイント")).to_have_attribute("aria-pressed", "true")
    page.get_by_test_id("message").fill("チラシ、ありがとう！\n助かりました。")
    expect(page.locator("[data-counter]")).to_have_text(
        "あと 122 文字"
    )  # 18 typed, one a line break
    assert axe_violations(page) == []
    shoot(page, "give")
    page.get_by_test_id("send-thanks").click()
    expect(page.get_by_test_id("thanks-sent")).to_contain_text("ありがとうを送りました")
    expect(page.get_by_test_id("points-left")).to_have_text("今月あと 80 ポイント")
    assert axe_violations(page) == []
    shoot(page, "sent")
    [thanks] = given(session)
    assert (thanks.receiver_id, thanks.points, thanks.via) == (daimon.id, 20, "profile")
    assert thanks.message == "チラシ、ありがとう！\n助かりました。"

    page.get_by_role("link", name="ありがとうのページへ").click()
    expect(page.get_by_test_id("feed-item")).to_have_count(1 + len(THANKS))  # and the demo's
    expect(page.get_by_test_id("feed-item").first).to_contain_text("助かりました。")
    assert axe_violations(page) == []
    shoot(page, "index")


def test_the_organiser_in_two_taps_from_the_scanners_success_screen(
    live_server, launch_phone, session, event, tmp_path
):
    organiser = get_user_by_email(session, "organiser@example.org")
    video = write_y4m(tmp_path / "code.y4m", link_for(event, live_server))
    page = launch_phone(video=video).new_page()
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/scan")
    success = page.get_by_role("region", name="チェックインしました")
    expect(success).to_be_visible(timeout=20_000)
    shoot(page, "checkin-success")
    success.get_by_role("link", name="主催者にありがとう").click()  # one
    page.wait_for_url(f"{live_server}/thanks/checkin/{event.id}")
    expect(page.get_by_test_id("thanks-receiver")).to_contain_text("主催者 デモ")
    expect(page.get_by_test_id("message")).to_have_value("ありがとうございました")
    assert axe_violations(page) == []
    shoot(page, "checkin-form")
    page.get_by_test_id("send-thanks").click()  # two
    expect(page.get_by_test_id("thanks-sent")).to_contain_text("主催者 デモさんに 10 ポイント")
    [thanks] = given(session)
    assert (thanks.receiver_id, thanks.points, thanks.via, thanks.event_id) == (
        organiser.id, 10, "checkin", event.id,
    )  # fmt: skip


def test_the_organiser_in_two_taps_from_a_check_in_links_success(
    live_server, browser, session, event
):
    page = browser.new_context(viewport=PHONE, locale="ja-JP").new_page()
    log_in(page, live_server, "member@example.org")
    page.goto(link_for(event, live_server))
    expect(page.get_by_role("heading", name="チェックインしました")).to_be_visible()
    page.get_by_role("link", name="主催者にありがとう").click()
    page.get_by_test_id("send-thanks").click()
    expect(page.get_by_test_id("thanks-sent")).to_be_visible()
    assert [(t.via, t.event_id) for t in given(session)] == [("checkin", event.id)]


def test_thanks_by_scanning_a_member_card(live_server, launch_phone, session, app, tmp_path):
    hirooka = get_user_by_email(session, "hirooka@example.org")
    code = card_code(hirooka.id, card_key(app.secret_key))
    page = launch_phone(video=write_y4m(tmp_path / "card.y4m", code)).new_page()
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/thanks/scan")
    page.wait_for_url(f"{live_server}/thanks/give/{hirooka.id}", timeout=20_000)
    expect(page.get_by_test_id("thanks-receiver")).to_contain_text(hirooka.display_name)
    page.get_by_role("button", name="5 ポイント").click()
    page.get_by_test_id("send-thanks").click()
    expect(page.get_by_test_id("thanks-sent")).to_be_visible()
    assert [(t.receiver_id, t.points, t.via) for t in given(session)] == [(hirooka.id, 5, "card")]
