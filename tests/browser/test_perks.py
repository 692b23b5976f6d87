"""A member redeems a perk on their phone; the shop's staff confirm it from another browser (by
the 6 digits, or by the ticket's QR code through the in-app scanner); the member's phone then
shows "used" without a reload."""

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from webapp.accounts.services import create_user, get_user_by_email
from webapp.checkin.services import record_claim
from webapp.core.db import utcnow
from webapp.demo import DEMO_PASSWORD
from webapp.events.services import create_event
from webapp.membership.services import issue_membership
from webapp.perks.models import Perk, Redemption, RedemptionStatus
from webapp.perks.redemptions import start_redemption, ticket_code, ticket_key

from ..webapp.checkin.scans import claim, code_for
from .camera import write_y4m
from .conftest import axe_violations, log_in


def newcomer_with_40_coins(session, keyring):
    """A member new to the demo, who has earned 40 coins at one event."""
    person = create_user(session, keyring, email="yui@example.org", password=DEMO_PASSWORD,
                         display_name="木曽 ゆい")  # fmt: skip
    issue_membership(session, person)
    organiser = get_user_by_email(session, "organiser@example.org")
    now = utcnow()
    event = create_event(session, organiser, title="ぶどう棚の手入れ", venue="桔梗ヶ原",
                         starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1),
                         reward=40)  # fmt: skip
    record_claim(session, person, claim(code_for(event)), now=now, source="api")
    session.commit()
    return person


def test_a_member_redeems_and_the_shop_confirms_from_another_browser(
    live_server, browser, session, keyring
):
    newcomer_with_40_coins(session, keyring)

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP").new_page()
    log_in(phone, live_server, "yui@example.org")
    phone.goto(f"{live_server}/perks")
    expect(phone.get_by_test_id("perks-balance")).to_have_text("いま 40 えんコインあります。")
    wine = phone.get_by_test_id("perk").filter(has_text="ワイナリーでグラスワイン1杯")
    expect(wine.get_by_role("img")).to_have_attribute("alt", re.compile("ワイン"))
    wine.get_by_role("link", name="使う").click()
    expect(
        phone.get_by_text("いま 40 えんコインあります。使うと残りは 10 えんコインです。")
    ).to_be_visible()
    assert axe_violations(phone) == []
    phone.get_by_role("button", name="はい、30 えんコインを使う").click()
    code = phone.get_by_test_id("short-code").inner_text().replace(" ", "")
    assert len(code) == 6 and code.isdigit()
    assert axe_violations(phone) == []

    shop = browser.new_context(locale="ja-JP").new_page()
    log_in(shop, live_server, "shop@example.org")  # the shop's staff land on its page
    shop.get_by_label("または、会員のスマホに出ている6けたのコードを入力").fill(code)
    shop.get_by_role("button", name="チケットをさがす").click()
    expect(shop.get_by_test_id("ticket-member")).to_have_text("木曽 ゆい")
    assert axe_violations(shop) == []
    shop.get_by_role("button", name="使用済みにする").click()
    expect(shop.get_by_test_id("used-today").filter(has_text="木曽 ゆい")).to_have_count(1)

    expect(phone.get_by_test_id("ticket-state")).to_have_text("使用済み", timeout=10_000)
    phone.goto(f"{live_server}/wallet")
    expect(phone.get_by_test_id("balance")).to_have_text("10")
    expect(phone.get_by_test_id("history").filter(has_text="-30 えんコイン")).to_contain_text(
        "塩尻ワイナリー"
    )
    shop.context.close()
    phone.context.close()


def test_the_shops_phone_scans_the_tickets_qr_code_with_the_in_app_scanner(
    live_server, launch_phone, app, session, keyring, tmp_path
):
    member = newcomer_with_40_coins(session, keyring)
    wine = session.scalar(select(Perk).where(Perk.title_ja == "ワイナリーでグラスワイン1杯"))
    ticket = start_redemption(session, member, wine, utcnow(), timedelta(minutes=15))
    session.commit()
    qr = ticket_code(ticket, ticket_key(app.secret_key))  # what the member's phone shows
    ticket_id = ticket.id
    session.commit()  # nothing left open: on SQLite a read would keep seeing the ticket as it was

    shop = launch_phone(video=write_y4m(tmp_path / "ticket.y4m", qr)).new_page()
    log_in(shop, live_server, "shop@example.org")  # the shop's staff land on its page
    expect(shop.get_by_test_id("ticket-member")).to_have_text("木曽 ゆい", timeout=20_000)
    shop.get_by_role("button", name="使用済みにする").click()
    expect(shop.get_by_test_id("used-today").filter(has_text="木曽 ゆい")).to_have_count(1)
    assert session.get(Redemption, ticket_id).status == RedemptionStatus.USED
