"""The organiser's event page: a member's check-in appears on it without a reload."""

from playwright.sync_api import expect

from webapp.core.demo import DEMO_PASSWORD

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
