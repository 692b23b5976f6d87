"""An administrator takes a member's 会員証 back on their page; the member's wallet says so in
plain words, and a check-in scan is refused with a message."""

import os
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from webapp.accounts.services import get_user_by_email
from webapp.checkin import codes
from webapp.core.db import utcnow
from webapp.demo import DEMO_PASSWORD
from webapp.events.models import Event
from webapp.membership.services import get_membership

from .conftest import axe_violations, log_in

# Where to keep the screenshots for a person to look at (ENISHI_SHOTS), if anywhere.
SHOTS = os.environ.get("ENISHI_SHOTS")


def shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_a_card_taken_back_is_said_in_the_wallet_and_refuses_check_ins(
    live_server, page, browser, session
):
    member = get_user_by_email(session, "member@example.org")
    log_in(page, live_server, "admin@example.org")
    page.goto(f"{live_server}/admin/members/{member.id}")
    card = page.get_by_test_id("member-card")
    expect(card.get_by_role("button", name="取り消す")).to_be_visible()
    assert axe_violations(page) == []
    card.get_by_label("理由").fill("退会のため")
    card.get_by_label("あなたのパスワード").fill(DEMO_PASSWORD)
    card.get_by_role("button", name="取り消す").click()
    expect(page.get_by_text("塩尻 花子 さんの会員証を取り消しました")).to_be_visible()
    expect(page.get_by_test_id("card-state")).to_contain_text("取り消し")
    assert axe_violations(page) == []
    shoot(page, "person-revoked")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP").new_page()
    try:
        log_in(phone, live_server, "member@example.org")
        phone.goto(f"{live_server}/wallet")
        notice = phone.get_by_test_id("card-notice")
        expect(notice).to_contain_text("会員証は取り消されました")
        expect(notice).to_contain_text("事務局")
        expect(phone.get_by_role("link", name="会員カードを表示・印刷する")).to_have_count(0)
        expect(phone.get_by_test_id("member-pass")).to_contain_text("無効")
        assert axe_violations(phone) == []
        notice.scroll_into_view_if_needed()
        shoot(phone, "wallet-revoked-390")
        phone.set_viewport_size({"width": 320, "height": 700})
        shoot(phone, "wallet-revoked-320")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 320  # nothing runs off the side of a small phone

        event = session.scalars(select(Event).where(Event.title == "塩尻ラボ 交流会")).one()
        token = codes.make_token(event.id, event.secret, codes.slot_at(utcnow()))
        phone.goto(codes.checkin_url(live_server, token))
        expect(phone.get_by_text("チェックインできるのは会員だけです")).to_be_visible()
        shoot(phone, "scan-refused")
        assert axe_violations(phone) == []
    finally:
        phone.context.close()


def test_the_wallet_says_a_month_ahead_until_when_the_card_is_valid(live_server, page, session):
    member = get_user_by_email(session, "member@example.org")
    get_membership(session, member).term_ends_at = utcnow() + timedelta(days=20)
    session.commit()
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/wallet")
    notice = page.get_by_test_id("card-notice")
    expect(notice).to_contain_text("会員証の期限は")
    expect(notice).to_contain_text("事務局に更新")
    expect(page.get_by_test_id("member-pass")).to_contain_text("有効")
    assert axe_violations(page) == []
    notice.scroll_into_view_if_needed()
    shoot(page, "wallet-expiring-390")
    page.set_viewport_size({"width": 320, "height": 700})
    shoot(page, "wallet-expiring-320")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
