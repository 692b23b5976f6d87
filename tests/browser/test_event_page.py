"""The organiser's event page: a member's check-in appears on it without a reload; its tabs,
its attendees as cards on a phone, the code in reach; and the display's ring and live count."""

import re
import uuid

from playwright.sync_api import expect
from sqlalchemy import select

from webapp.accounts.services import get_user_by_email
from webapp.checkin.services import ClaimInput, record_claim
from webapp.core.db import utcnow
from webapp.demo import DEMO_PASSWORD
from webapp.events.models import Event
from webapp.membership.cards import card_code, card_key

from ..webapp.checkin.scans import code_for
from .camera import write_y4m
from .conftest import axe_violations, log_in, wait_for_script


def test_a_check_in_appears_on_the_open_event_page_without_reload(live_server, page, browser):
    log_in(page, live_server, "organiser@example.org")
    page.get_by_role("link", name="塩尻ラボ 交流会").click()
    expect(page.get_by_test_id("attendance-count")).to_have_text("チェックインした人: 0 人")
    assert axe_violations(page) == []
    link = page.evaluate(
        "async () => (await (await fetch(location.pathname + '/code')).json()).url"
    )
    page.evaluate("window.__notReloaded = true")

    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    try:
        phone.goto(link)
        phone.get_by_role("link", name="メールアドレスとパスワードで").click()
        phone.get_by_label("メールアドレス").fill("member@example.org")
        phone.get_by_label("パスワード").fill(DEMO_PASSWORD)
        phone.get_by_role("button", name="ログイン", exact=True).click()
        expect(phone.get_by_role("heading", name="チェックインしました")).to_be_visible()
    finally:
        phone.context.close()

    expect(page.get_by_test_id("attendance-count")).to_have_text(
        "チェックインした人: 1 人", timeout=10_000
    )
    row = page.get_by_test_id("attendance")
    expect(row).to_contain_text("塩尻 花子")
    expect(row).to_contain_text("その場で読み取り")
    assert page.evaluate("window.__notReloaded") is True


def test_an_organisers_phone_scans_a_member_card_and_checks_the_member_in(
    live_server, launch_phone, app, session, tmp_path
):
    member = get_user_by_email(session, "member@example.org")
    card = card_code(member.id, card_key(app.secret_key))
    phone = launch_phone(video=write_y4m(tmp_path / "card.y4m", card))
    page = phone.new_page()
    log_in(page, live_server, "organiser@example.org")
    page.get_by_role("link", name="塩尻ラボ 交流会").click()
    page.get_by_role("link", name="スマホのない人をチェックイン").click()
    expect(
        page.get_by_role("status").filter(has_text="塩尻 花子 さんをチェックインしました。")
    ).to_be_visible(timeout=20_000)
    # The card is still in view after the page reloads with the answer: it is not sent again.
    expect(page.locator("[data-scan-status]")).to_have_text(
        "このカードはいま読み取りました。次のカードを見せてください。", timeout=20_000
    )
    assert axe_violations(page) == []
    page.get_by_role("link", name="イベントに戻る").click()
    expect(page.get_by_test_id("attendance")).to_contain_text("主催者が会員カードを読み取り")


def check_in(session, person, event) -> None:
    # A fresh transaction: one that read before the server's last write could not write now.
    session.commit()
    sent = ClaimInput(str(uuid.uuid4()), code_for(event), utcnow())
    assert record_claim(session, person, sent, now=utcnow(), source="api").status == "accepted"
    session.commit()


def test_the_event_page_is_in_tabs_with_attendees_as_cards_and_the_code_in_reach(
    live_server, browser, session, make_user
):
    event = session.scalar(select(Event).where(Event.title == "塩尻ラボ 交流会"))
    for n in range(6):
        person = make_user()
        person.display_name = f"参加者 長野 {n}"
        check_in(session, person, event)
    for width in (320, 390):
        context = browser.new_context(viewport={"width": width, "height": 700}, locale="ja-JP")
        page = context.new_page()
        try:
            log_in(page, live_server, "organiser@example.org")
            page.get_by_role("link", name="塩尻ラボ 交流会").click()
            tabs = page.get_by_role("navigation", name="イベントページの切り替え")
            expect(tabs.get_by_role("link", name="受付")).to_have_attribute("aria-current", "page")
            tabs.get_by_role("link", name="参加者").click()
            page.wait_for_url(f"{live_server}/events/{event.id}?tab=attendees")
            expect(tabs.get_by_role("link", name="参加者")).to_have_attribute(
                "aria-current", "page"
            )
            rows = page.get_by_test_id("attendance")
            expect(rows).to_have_count(6)
            # Each row is a card with the name on one line, not a column one character wide.
            name = rows.first.locator("td").first.bounding_box()
            assert name["width"] > 200 and name["height"] < 60, name
            assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
            # Scrolled to the end of the list, the code is still one tap away, over the tab bar.
            page.evaluate("scrollTo(0, document.body.scrollHeight)")
            show = page.get_by_role("link", name="コードを表示")
            expect(show).to_be_in_viewport()
            bar = page.locator(".tab-bar").bounding_box()
            assert show.bounding_box()["y"] + show.bounding_box()["height"] <= bar["y"]
            assert axe_violations(page) == []
            tabs.get_by_role("link", name="設定").click()
            expect(page.get_by_label("合言葉(空欄なら合言葉なし)")).to_be_visible()
            expect(page.get_by_test_id("attendance")).to_have_count(0)
        finally:
            context.close()


def test_the_display_counts_down_to_the_next_code_and_counts_check_ins(
    live_server, browser, session, member
):
    event = session.scalar(select(Event).where(Event.title == "塩尻ラボ 交流会"))
    projector = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP")
    page = projector.new_page()
    try:
        log_in(page, live_server, "organiser@example.org")
        page.goto(f"{live_server}/events/{event.id}/display")
        # The ring runs down: its arc is shorter a moment later (or full again at a new code).
        ring = page.locator("[data-ring]")
        first = ring.get_attribute("stroke-dashoffset")
        arc = "document.querySelector('[data-ring]').getAttribute('stroke-dashoffset')"
        wait_for_script(page, f"{arc} !== '{first}'")
        expect(page.locator("[data-seconds]")).to_have_text(re.compile(r"^([1-9]|[12][0-9]|30)$"))
        # The link under the code is written with the address the page was opened at.
        expect(page.locator("[data-link]")).to_have_text(re.compile(rf"^{live_server}/c/"))
        count = page.get_by_test_id("display-count")
        before = int(page.locator("[data-count]").inner_text())
        expect(count).to_have_text(f"チェックインした人: {before} 人")
        check_in(session, member, event)
        expect(count).to_have_text(f"チェックインした人: {before + 1} 人", timeout=20_000)
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        assert axe_violations(page) == []
    finally:
        projector.close()
