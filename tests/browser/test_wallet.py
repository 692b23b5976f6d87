"""A member logs in with a real browser and sees the wallet."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from webapp.accounts.services import get_user_by_email
from webapp.demo import DEMO_PASSWORD
from webapp.onchain.models import ChainJob

from .conftest import axe_violations
from .records import record_demo_member

# Every "0x" string of the page: in its markup (attributes and hidden parts too) and its text.
HEX_ON_PAGE = """() => [...new Set([
  ...(document.documentElement.outerHTML.match(/0x[0-9a-f]{8,}/gi) || []),
  ...(document.body.innerText.match(/0x\\S*/g) || []),
])]"""


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()


def test_the_demo_member_logs_in_and_sees_the_wallet(live_server, page):
    page.goto(f"{live_server}/login")
    assert axe_violations(page) == []
    log_in(page, live_server, "member@example.org")
    page.wait_for_url(f"{live_server}/")  # ホーム
    page.get_by_role("navigation", name="メイン").get_by_role("link", name="ウォレット").click()
    page.wait_for_url(f"{live_server}/wallet")
    expect(page.get_by_role("heading", name="わたしのウォレット")).to_be_visible()
    expect(page.get_by_role("heading", name="会員証")).to_be_visible()
    # Five events in, one bottle of juice taken home: 40 coins, enough for a glass of wine
    # and not for the workshop, which the list of every perk shows out of reach.
    expect(page.get_by_test_id("balance")).to_have_text("40")
    expect(page.get_by_test_id("perk").filter(has_text="ワイナリーでグラスワイン1杯")).to_be_visible()
    expect(page.get_by_test_id("perk").filter(has_text="木曽漆器ワークショップ参加")).to_have_count(0)
    page.get_by_role("link", name="すべての特典を見る").click()
    workshop = page.get_by_test_id("perk").filter(has_text="木曽漆器ワークショップ参加")
    expect(workshop.get_by_role("button", name="あと 20 えんコイン")).to_be_disabled()
    assert axe_violations(page) == []
    page.go_back()
    assert axe_violations(page) == []


def test_the_wallet_text_is_large_enough_to_read(live_server, page):
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/wallet")
    # The design's body size (docs/design.md): 17 px at the browser's default text size.
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 17
    page.goto(f"{live_server}/account")
    button = page.get_by_role("button", name="ログアウト").bounding_box()
    assert button["height"] >= 44


def test_the_organisers_display_page_is_accessible_and_its_link_checks_a_member_in(
    live_server, page, browser
):
    log_in(page, live_server, "organiser@example.org")
    page.wait_for_url(f"{live_server}/events")
    page.get_by_role("link", name="塩尻ラボ 交流会").click()
    page.get_by_role("link", name="コードを表示").click()
    qr = page.get_by_role("img", name="塩尻ラボ 交流会 のチェックイン用コード")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 300  # most of a phone's width
    assert axe_violations(page) == []
    link = page.locator("[data-link]").inner_text()
    assert link.startswith(f"{live_server}/c/")

    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    try:
        phone.goto(link)  # logged out: the login comes first, then the check-in
        phone.get_by_role("link", name="メールアドレスとパスワードで").click()
        phone.get_by_label("メールアドレス").fill("member@example.org")
        phone.get_by_label("パスワード").fill(DEMO_PASSWORD)
        phone.get_by_role("button", name="ログイン", exact=True).click()
        expect(phone.get_by_role("heading", name="チェックインしました")).to_be_visible()
        assert axe_violations(phone) == []
    finally:
        phone.context.close()


def test_the_kiosk_computes_the_same_codes_as_the_server(live_server, page, session):
    from datetime import UTC, datetime

    from sqlalchemy import select

    from webapp.checkin import codes
    from webapp.events.models import Event

    log_in(page, live_server, "organiser@example.org")
    page.wait_for_url(f"{live_server}/events")
    page.get_by_role("link", name="塩尻ラボ 交流会").click()
    moment = datetime.now(UTC).replace(microsecond=0)
    page.clock.install(time=moment)
    page.get_by_role("link", name="コードを表示").click()
    event = session.scalars(select(Event).where(Event.title == "塩尻ラボ 交流会")).one()
    for step in range(3):
        slot = codes.slot_at(moment) + step
        expected = codes.checkin_url(live_server, codes.make_token(event.id, event.secret, slot))
        expect(page.locator("[data-link]")).to_have_text(expected)
        page.clock.fast_forward(codes.SLOT_SECONDS * 1000)


def test_the_demo_members_wallet_shows_no_0x_outside_the_proof_page(
    live_server, app, session, page
):
    records = record_demo_member(app, session)  # badges, coins and a use at a shop, on chain
    member = get_user_by_email(session, "member@example.org")
    jobs = session.scalars(select(ChainJob).where(ChainJob.user_id == member.id))
    hidden = {member.address.lower()} | {job.tx_hash.lower() for job in jobs if job.tx_hash}
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/wallet")
    expect(page.get_by_test_id("badge")).to_have_count(len(records.badge_ids))
    expect(page.get_by_test_id("history").filter(has_text="-")).not_to_have_count(0)

    proofs = set()
    for path in ["/wallet", "/wallet/card"] + [f"/wallet/badges/{b}" for b in records.badge_ids]:
        page.goto(f"{live_server}{path}")
        assert page.evaluate(HEX_ON_PAGE) == [], path
        assert not [text for text in hidden if text in page.content().lower()], path
        links = page.get_by_role("link", name="記録の証明を見る")
        proofs |= {links.nth(n).get_attribute("href") for n in range(links.count())}

    # Every record has its proof page, reached from the wallet: there, and only there, the hash.
    assert proofs == {f"/wallet/proofs/{job_id}" for job_id in records.job_ids}
    for proof in sorted(proofs):
        page.goto(f"{live_server}{proof}")
        expect(page.get_by_test_id("tx-hash")).to_have_text(re.compile(r"^0x[0-9a-f]{64}$"))
        expect(page.get_by_text(member.address)).to_be_visible()
    assert axe_violations(page) == []
