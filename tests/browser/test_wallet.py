"""A member logs in with a real browser and sees the wallet."""

from webapp.core.demo import DEMO_PASSWORD

from .conftest import axe_violations


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()


def test_the_demo_member_logs_in_and_sees_the_wallet(live_server, page):
    page.goto(f"{live_server}/login")
    assert axe_violations(page) == []
    log_in(page, live_server, "member@example.org")
    page.wait_for_url(f"{live_server}/wallet")
    assert page.get_by_role("heading", name="わたしのウォレット").is_visible()
    assert page.get_by_role("heading", name="会員証").is_visible()
    assert page.get_by_text("ワイナリーでグラスワイン1杯").is_visible()
    assert page.get_by_test_id("balance").inner_text() == "0"
    assert axe_violations(page) == []


def test_the_wallet_text_is_large_enough_to_read(live_server, page):
    log_in(page, live_server, "member@example.org")
    page.wait_for_url(f"{live_server}/wallet")
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 18
    button = page.get_by_role("button", name="ログアウト").bounding_box()
    assert button["height"] >= 44
