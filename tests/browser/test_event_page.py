"""The organiser's event page: a member's check-in appears on it without a reload."""

from playwright.sync_api import expect

from webapp.accounts.services import get_user_by_email
from webapp.demo import DEMO_PASSWORD
from webapp.membership.cards import card_code, card_key

from .camera import write_y4m
from .conftest import axe_violations, log_in


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
        phone.get_by_role("button", name="ログイン").click()
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
