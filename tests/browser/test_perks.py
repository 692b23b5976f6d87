"""A member redeems a perk on their phone; the shop's staff confirm it from another browser (by
the 6 digits, or by the ticket's QR code through the in-app scanner); the member's phone then
shows "used" without a reload."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from webapp.accounts.services import get_user_by_email
from webapp.core.db import utcnow
from webapp.ledger.models import LedgerEntry
from webapp.perks.models import Perk, Redemption, RedemptionStatus
from webapp.perks.redemptions import start_redemption, ticket_code, ticket_key

from .camera import write_y4m
from .conftest import axe_violations, log_in


def test_a_member_redeems_and_the_shop_confirms_from_another_browser(live_server, browser, session):
    member = get_user_by_email(session, "member@example.org")
    session.add(LedgerEntry(user_id=member.id, amount=40, kind="reward", created_at=utcnow()))
    session.commit()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP").new_page()
    log_in(phone, live_server, "member@example.org")
    phone.goto(f"{live_server}/wallet")
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
    log_in(shop, live_server, "shop@example.org")  # the shop's staff land on its page
    shop.get_by_label("または、会員のスマホに出ている6けたのコードを入力").fill(code)
    shop.get_by_role("button", name="チケットをさがす").click()
    expect(shop.get_by_test_id("ticket-member")).to_have_text("塩尻 花子")
    assert axe_violations(shop) == []
    shop.get_by_role("button", name="使用済みにする").click()
    expect(shop.get_by_test_id("used-today")).to_contain_text("塩尻 花子")

    expect(phone.get_by_test_id("ticket-state")).to_have_text("使用済み", timeout=10_000)
    phone.goto(f"{live_server}/wallet")
    expect(phone.get_by_test_id("balance")).to_have_text("10")
    expect(phone.get_by_test_id("history").filter(has_text="-30 えんコイン")).to_contain_text(
        "塩尻ワイナリー"
    )
    shop.context.close()
    phone.context.close()


def test_the_shops_phone_scans_the_tickets_qr_code_with_the_in_app_scanner(
    live_server, launch_phone, app, session, tmp_path
):
    member = get_user_by_email(session, "member@example.org")
    session.add(LedgerEntry(user_id=member.id, amount=30, kind="reward", created_at=utcnow()))
    wine = session.scalar(select(Perk).where(Perk.title_ja == "ワイナリーでグラスワイン1杯"))
    ticket = start_redemption(session, member, wine, utcnow(), timedelta(minutes=15))
    session.commit()
    qr = ticket_code(ticket, ticket_key(app.secret_key))  # what the member's phone shows
    ticket_id = ticket.id
    session.commit()  # nothing left open: on SQLite a read would keep seeing the ticket as it was

    shop = launch_phone(video=write_y4m(tmp_path / "ticket.y4m", qr)).new_page()
    log_in(shop, live_server, "shop@example.org")  # the shop's staff land on its page
    expect(shop.get_by_test_id("ticket-member")).to_have_text("塩尻 花子", timeout=20_000)
    shop.get_by_role("button", name="使用済みにする").click()
    expect(shop.get_by_test_id("used-today")).to_contain_text("塩尻 花子")
    assert session.get(Redemption, ticket_id).status == RedemptionStatus.USED
