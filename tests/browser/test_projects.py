"""A member proposes a project on their phone, an administrator approves it from another
browser, and another member finds it, joins it and sees themselves among its members."""

from playwright.sync_api import expect
from sqlalchemy import select

from webapp.projects.models import Project

from .conftest import PHONE, axe_violations, log_in


def phone(browser, base: str, email: str):
    page = browser.new_context(viewport=PHONE, locale="ja-JP").new_page()
    log_in(page, base, email)
    return page


def test_a_member_proposes_an_admin_approves_another_member_joins(live_server, browser, session):
    proposer = phone(browser, live_server, "member@example.org")
    proposer.goto(f"{live_server}/account")
    proposer.locator('a[href="/projects"]').click()
    proposer.wait_for_url(f"{live_server}/projects")
    expect(proposer.get_by_test_id("project-card")).to_have_count(1)  # the demo's
    assert axe_violations(proposer) == []

    proposer.locator('a[href="/projects/new"]').click()
    proposer.wait_for_url(f"{live_server}/projects/new")
    assert axe_violations(proposer) == []
    proposer.locator("#title").fill("みどり湖 清掃の日")
    proposer.locator("#purpose").fill("みどり湖の岸をきれいにします。\n毎月第一日曜日です。")
    proposer.locator("#help_wanted").fill("ごみ袋と軍手を配る人")
    proposer.locator("form.card button[type=submit]").click()
    proposer.wait_for_url(f"{live_server}/projects/*")
    expect(proposer.get_by_role("heading", level=1)).to_have_text("みどり湖 清掃の日")
    expect(proposer.get_by_test_id("project-status")).to_have_attribute("data-status", "proposed")
    expect(proposer.get_by_test_id("project-lead")).to_have_text("塩尻 花子")
    assert axe_violations(proposer) == []
    project = session.scalar(select(Project).where(Project.title == "みどり湖 清掃の日"))

    admin = phone(browser, live_server, "admin@example.org")
    admin.goto(f"{live_server}/admin/projects")
    waiting = admin.get_by_test_id("waiting-project").filter(has_text="みどり湖 清掃の日")
    waiting.get_by_test_id("approve").click()
    admin.wait_for_url(f"{live_server}/admin/projects")
    expect(admin.get_by_test_id("waiting-project")).to_have_count(0)
    assert axe_violations(admin) == []

    joiner = phone(browser, live_server, "organiser@example.org")  # a member too
    joiner.goto(f"{live_server}/projects")
    joiner.get_by_test_id("project-card").filter(has_text="みどり湖 清掃の日").click()
    joiner.wait_for_url(f"{live_server}/projects/{project.id}")
    expect(joiner.get_by_test_id("project-status")).to_have_attribute("data-status", "active")
    expect(joiner.get_by_test_id("project-purpose")).to_contain_text("みどり湖の岸")
    joiner.get_by_test_id("join").click()
    joiner.wait_for_url(f"{live_server}/projects/{project.id}")
    expect(joiner.get_by_test_id("joined")).to_be_visible()
    expect(joiner.get_by_test_id("project-members")).to_contain_text("主催者 デモ")
    expect(joiner.get_by_test_id("project-members")).to_contain_text("塩尻 花子")
    assert axe_violations(joiner) == []

    # The lead gives the contributor badge; the page then names who holds it.
    proposer.reload()
    proposer.get_by_role("checkbox", name="主催者 デモ").check()
    proposer.get_by_test_id("give-badge").click()
    expect(proposer.get_by_test_id("badge-holders")).to_contain_text("主催者 デモ")
    assert axe_violations(proposer) == []
