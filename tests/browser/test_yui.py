"""The 結い board on phones: a member asks for help with coins as thanks, another answers and
they talk it over; a third reports the post, an administrator hides it with a reason, and it is
gone from the board while its person reads why and has their coins back. axe-core finds no
serious violation on the board, the new post's form, a post, a thread and the admin page."""

from playwright.sync_api import expect
from sqlalchemy import select

from webapp.accounts.services import get_user_by_email
from webapp.ledger.services import get_balance
from webapp.yui.models import YuiPost

from .conftest import PHONE, axe_violations, log_in


def phone(browser, base: str, email: str):
    page = browser.new_context(viewport=PHONE, locale="ja-JP").new_page()
    log_in(page, base, email)
    return page


def test_a_request_answered_talked_over_reported_and_hidden(live_server, browser, session):
    asker = phone(browser, live_server, "member@example.org")
    asker.goto(f"{live_server}/")
    asker.get_by_test_id("home-yui").click()
    asker.wait_for_url(f"{live_server}/yui")
    expect(asker.get_by_test_id("yui-post")).to_have_count(4)  # the demo's
    assert axe_violations(asker) == []

    asker.get_by_test_id("new-post").click()
    asker.wait_for_url(f"{live_server}/yui/new")
    expect(asker.get_by_test_id("coins-hint")).to_contain_text("40")
    assert axe_violations(asker) == []
    asker.get_by_test_id("kind-request").click()
    asker.locator("#category").select_option("garden")
    asker.locator("#area").select_option("daimon")
    asker.locator("#title").fill("庭の草取り")
    asker.locator("#body").fill("半日ほどで終わる広さです。")
    asker.locator("#when_text").fill("日曜の午前")
    asker.locator("#coins").fill("20")
    asker.get_by_test_id("submit-post").click()
    asker.wait_for_url(f"{live_server}/yui/*")
    expect(asker.get_by_role("heading", level=1)).to_have_text("庭の草取り")
    expect(asker.get_by_test_id("post-coins")).to_contain_text("20")
    post = session.scalar(select(YuiPost).where(YuiPost.title == "庭の草取り"))
    hanako = get_user_by_email(session, "member@example.org")
    assert get_balance(session, hanako).total == 20  # 20 set aside while the post is open

    helper = phone(browser, live_server, "organiser@example.org")  # a member too
    helper.goto(f"{live_server}/yui")
    helper.get_by_test_id("yui-post").filter(has_text="庭の草取り").click()
    helper.wait_for_url(f"{live_server}/yui/{post.id}")
    assert axe_violations(helper) == []
    helper.locator("#body").fill("日曜の9時に伺えます。")
    helper.get_by_test_id("answer").click()
    helper.wait_for_url(f"{live_server}/yui/threads/*")
    thread_url = helper.url
    message = helper.get_by_test_id("message")
    expect(message).to_have_count(1)
    expect(message).to_contain_text("主催者 デモ")
    expect(message).to_contain_text("日曜の9時に伺えます。")
    expect(helper.get_by_test_id("confirm-link")).to_have_attribute(
        "href", f"/yui/threads/{thread_url.rsplit('/', 1)[1]}/confirm"
    )
    assert "@example.org" not in helper.content()
    assert axe_violations(helper) == []

    asker.goto(f"{live_server}/yui/threads")
    asker.get_by_test_id("thread-row").filter(has_text="庭の草取り").click()
    asker.wait_for_url(thread_url)
    expect(asker.get_by_test_id("message")).to_contain_text(["日曜の9時に伺えます。"])
    asker.locator("#body").fill("お願いします。道具はこちらで用意します。")
    asker.get_by_test_id("send").click()
    asker.wait_for_url(f"{thread_url}#write")
    helper.reload()
    expect(helper.get_by_test_id("message")).to_contain_text(
        ["日曜の9時に伺えます。", "お願いします。道具はこちらで用意します。"]
    )

    neighbour = phone(browser, live_server, "organiser2@example.org")
    neighbour.goto(f"{live_server}/yui/{post.id}")
    neighbour.get_by_test_id("report-open").click()
    neighbour.locator("#reason").fill("テストの報告です")
    neighbour.get_by_test_id("report").click()
    neighbour.wait_for_url(f"{live_server}/yui/{post.id}")

    admin = phone(browser, live_server, "admin@example.org")
    admin.goto(f"{live_server}/admin/yui")
    reported = admin.get_by_test_id("reported-post").filter(has_text="庭の草取り")
    expect(reported.get_by_test_id("report")).to_contain_text("テストの報告です")
    assert axe_violations(admin) == []
    reported.locator("textarea").fill("お試しの投稿のため")
    reported.get_by_test_id("hide").click()
    admin.wait_for_url(f"{live_server}/admin/yui")
    expect(admin.get_by_test_id("reported-post")).to_have_count(0)
    expect(admin.get_by_test_id("hidden-posts")).to_contain_text("お試しの投稿のため")

    neighbour.goto(f"{live_server}/yui")
    expect(neighbour.get_by_test_id("yui-post")).to_have_count(4)
    expect(neighbour.get_by_test_id("yui-post").filter(has_text="庭の草取り")).to_have_count(0)
    assert neighbour.goto(f"{live_server}/yui/{post.id}").status == 404

    asker.goto(f"{live_server}/yui")
    expect(asker.get_by_test_id("hidden-notice")).to_contain_text("お試しの投稿のため")
    expect(asker.get_by_test_id("yui-post").filter(has_text="庭の草取り")).to_have_count(0)
    session.rollback()  # a new read: what the server wrote since
    assert get_balance(session, hanako).total == 40  # the coins came back
