"""The text size on マイページ in a phone's browser: the page grows the moment 特大 is chosen, the
choice is saved without leaving the page, and the next pages, the login page after logging out
included, are drawn at it from their first paint."""

from __future__ import annotations

from playwright.sync_api import expect

from webapp.accounts.services import get_user_by_email

from .conftest import axe_violations, log_in, wait_for_script

ROOT_SIZE = "getComputedStyle(document.documentElement).fontSize"


def test_choosing_largest_grows_the_page_at_once_and_is_kept(live_server, page, session):
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/account")
    choices = page.get_by_role("group", name="文字の大きさ")
    expect(choices.get_by_role("radio", name="標準")).to_be_checked()
    expect(page.get_by_role("button", name="この大きさにする")).to_be_hidden()  # no need: at once
    assert page.evaluate(ROOT_SIZE) == "16px"

    choices.get_by_text("特大").click()
    assert page.evaluate(ROOT_SIZE) == "22px"
    expect(page.get_by_role("status")).to_have_text(
        "保存しました。どのページも、この大きさになります。"
    )
    assert page.url == f"{live_server}/account"  # the page did not reload
    assert axe_violations(page) == []

    session.expire_all()
    assert get_user_by_email(session, "member@example.org").text_size == "largest"
    page.goto(f"{live_server}/wallet")
    assert page.evaluate(ROOT_SIZE) == "22px"
    page.goto(f"{live_server}/account")
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url(f"{live_server}/login")
    assert page.evaluate(ROOT_SIZE) == "22px"


def test_the_last_of_quick_choices_is_the_one_kept(live_server, page, session):
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/account")
    choices = page.get_by_role("group", name="文字の大きさ")
    for label in ("特大", "大きい", "特大", "大きい"):
        choices.get_by_text(label, exact=True).click()
    expect(page.get_by_role("status")).to_have_text(
        "保存しました。どのページも、この大きさになります。"
    )
    wait_for_script(page, "!document.querySelector('[data-text-size]').hasAttribute('aria-busy')")
    page.reload()
    expect(choices.get_by_role("radio", name="大きい")).to_be_checked()
    session.expire_all()
    assert get_user_by_email(session, "member@example.org").text_size == "large"


def test_a_choice_that_could_not_be_saved_says_so(live_server, page, session):
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/account")
    page.context.clear_cookies()  # logged out meanwhile (on another device, say)
    page.get_by_role("group", name="文字の大きさ").get_by_text("大きい").click()
    expect(page.get_by_role("status")).to_have_text(
        "保存できませんでした。このページを開き直して、もう一度選んでください。"
    )
    session.expire_all()
    assert get_user_by_email(session, "member@example.org").text_size == "standard"
