"""A printed login card logs an elderly member in on a fresh phone; once stopped, it is refused
and the phone it logged in is logged out."""

from playwright.sync_api import expect

from webapp.accounts.services import get_user_by_email
from webapp.demo import DEMO_PASSWORD

from ..webapp.pdfs import pdf_qr_codes, pdf_text
from .conftest import axe_violations, log_in


def test_a_login_card_logs_in_a_fresh_phone_until_it_is_stopped(live_server, browser, session):
    member = get_user_by_email(session, "member@example.org")
    office = browser.new_context(locale="ja-JP").new_page()
    log_in(office, live_server, "admin@example.org")  # only an administrator prints them
    office.goto(f"{live_server}/account")
    office.get_by_role("link", name="会員", exact=True).click()
    office.get_by_label("名前またはメールアドレス").fill("花子")
    office.get_by_role("button", name="表示する").click()
    office.get_by_role("link", name="塩尻 花子").click()
    assert axe_violations(office) == []
    token = office.locator('meta[name="csrf-token"]').get_attribute("content")
    printed = office.request.post(
        f"{live_server}/admin/members/{member.id}/login-card",
        form={"csrf_token": token, "password": DEMO_PASSWORD},  # asked again before printing
    )
    assert printed.headers["content-type"] == "application/pdf"
    assert "塩尻花子" in pdf_text(printed.body())
    [url] = pdf_qr_codes(printed.body())

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
    page = phone.new_page()
    assert "#" in url  # the card's secret follows "#": the browser never sends it in a request
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(url)  # what the phone's camera app opens
    expect(page.get_by_text("ボタンを押すと、このスマホでログインします。")).to_be_visible()
    assert page.url == f"{live_server}/login/card"  # and it leaves the address bar
    assert axe_violations(page) == []
    page.get_by_role("button", name="ログイン", exact=True).click()
    page.wait_for_url(f"{live_server}/")  # where every login of a member lands: ホーム
    expect(page.get_by_text("塩尻 花子")).to_be_visible()
    secret = url.split("#", 1)[1]
    assert not any(secret in seen for seen in requested)

    office.reload()
    office.get_by_role("button", name="このカードを使えなくする").click()
    expect(office.get_by_text("カードを使えなくしました。")).to_be_visible()

    page.reload()
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()  # logged out
    stranger = browser.new_context(locale="ja-JP").new_page()
    stranger.goto(url)
    stranger.get_by_role("button", name="ログイン", exact=True).click()
    expect(stranger.get_by_role("heading", name="このカードは使えません")).to_be_visible()
    phone.close()
    stranger.context.close()
    office.context.close()
