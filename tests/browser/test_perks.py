"""A member redeems a perk on their phone; the shop's staff confirm it from another browser; the
member's phone then shows "used" without a reload."""

from playwright.sync_api import expect

from webapp.accounts.services import get_user_by_email
from webapp.core.db import utcnow
from webapp.rewards.models import LedgerEntry

from .conftest import axe_violations, log_in


def test_a_member_redeems_and_the_shop_confirms_from_another_browser(live_server, browser, session):
    member = get_user_by_email(session, "member@example.org")
    session.add(LedgerEntry(user_id=member.id, amount=40, kind="reward", created_at=utcnow()))
    session.commit()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP").new_page()
    log_in(phone, live_server, "member@example.org")
    expect(phone.get_by_test_id("balance")).to_have_text("40")
    wine = phone.get_by_test_id("perk").filter(has_text="ワイナリーでグラスワイン1杯")
    wine.get_by_role("link", name="使う").click()
    expect(
        phone.get_by_text("いま 40 トークンあります。使うと残りは 10 トークンです。")
    ).to_be_visible()
    assert axe_violations(phone) == []
    phone.get_by_role("button", name="はい、30 トークンを使う").click()
    code = phone.get_by_test_id("short-code").inner_text().replace(" ", "")
    assert len(code) == 6 and code.isdigit()
    assert axe_violations(phone) == []

    shop = browser.new_context(locale="ja-JP").new_page()
    log_in(shop, live_server, "shop@example.org")
    shop.get_by_role("link", name="お店").click()
    shop.get_by_label("または、会員のスマホに出ている6けたのコードを入力").fill(code)
    shop.get_by_role("button", name="チケットをさがす").click()
    expect(shop.get_by_test_id("ticket-member")).to_have_text("塩尻 花子")
    assert axe_violations(shop) == []
    shop.get_by_role("button", name="使用済みにする").click()
    expect(shop.get_by_test_id("used-today")).to_contain_text("塩尻 花子")

    expect(phone.get_by_test_id("ticket-state")).to_have_text("使用済み", timeout=10_000)
    phone.goto(f"{live_server}/wallet")
    expect(phone.get_by_test_id("balance")).to_have_text("10")
    expect(phone.get_by_test_id("history").filter(has_text="-30 トークン")).to_contain_text(
        "塩尻ワイナリー"
    )
    shop.context.close()
    phone.context.close()
