"""The community page on a phone: a member opens it from マイページ, reads the figures and the
charts' tables, and finds it again with no signal; the public version, once an administrator
turns it on, opens with no login. axe-core finds no serious violation on either."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from webapp.accounts.services import get_user_by_email
from webapp.community.settings import set_public_page
from webapp.community.summary import rebuild_summary
from webapp.core.db import utcnow
from webapp.core.i18n import local_zone

from .conftest import PHONE, axe_violations, log_in, wait_for_service_worker

pytestmark = pytest.mark.browser


@pytest.fixture
def summed(app, session, live_server):
    """The demo's check-ins, rewards and tickets summed, as the worker would have."""
    rebuild_summary(session, utcnow(), local_zone())
    session.commit()
    return live_server


def charts_loaded(page) -> bool:
    return page.evaluate(
        """[...document.querySelectorAll('[data-testid=chart-image]')]
            .every((image) => image.complete && image.naturalWidth > 0)"""
    )


def expect_charts_with_tables(page) -> None:
    expect(page.get_by_test_id("chart-table")).to_have_count(3)
    for caption in page.locator("[data-testid=chart-table] caption").all():
        expect(caption).not_to_be_empty()
    images = page.get_by_test_id("chart-image")
    expect(images).to_have_count(3)
    for image in images.all():
        assert image.get_attribute("alt")
    page.wait_for_load_state("load")
    assert charts_loaded(page)


def test_a_member_reads_the_community_page_and_finds_it_again_offline(summed, launch_phone):
    phone = launch_phone()
    page = phone.new_page()
    log_in(page, summed, "member@example.org")
    page.goto(f"{summed}/account")
    wait_for_service_worker(page)
    page.locator('a[href="/community"]').click()
    page.wait_for_url(f"{summed}/community")
    expect(page.get_by_role("heading", level=1)).to_have_text("コミュニティのいま")
    expect_charts_with_tables(page)
    checkins = page.get_by_test_id("value-checkins").inner_text()
    assert checkins.replace(",", "").isdigit()
    assert axe_violations(page) == []

    # Another period through the picker's form (a plain GET form): this year.
    page.get_by_text("ほかの期間を選ぶ").click()
    page.get_by_label("年", exact=True).select_option(index=0)
    page.get_by_test_id("pick-year").get_by_role("button").click()
    page.wait_for_url(f"{summed}/community?year=*")
    expect(page.get_by_test_id("period-label")).to_have_text(re.compile(r"^\d{4}年$"))
    year_checkins = page.get_by_test_id("value-checkins").inner_text()
    expect_charts_with_tables(page)

    # No signal: the page as it was last seen, its charts too, from the phone.
    phone.set_offline(True)
    page.goto(f"{summed}/community")
    expect(page.get_by_test_id("value-checkins")).to_have_text(year_checkins)
    expect_charts_with_tables(page)
    phone.set_offline(False)


def test_the_public_page_opens_with_no_login_once_turned_on(summed, browser, session):
    visitor = browser.new_context(viewport=PHONE, locale="ja-JP").new_page()
    assert visitor.goto(f"{summed}/community/public").status == 404
    set_public_page(
        session, True, actor=get_user_by_email(session, "admin@example.org"), now=utcnow()
    )
    session.commit()
    assert visitor.goto(f"{summed}/community/public").status == 200
    expect(visitor.get_by_role("heading", level=1)).to_have_text("数字で見るコミュニティ")
    expect_charts_with_tables(visitor)
    assert axe_violations(visitor) == []
    html = visitor.content()
    assert "@example.org" not in html
    assert "塩尻 花子" not in html  # the demo member's name


def test_an_administrator_turns_the_public_page_on(summed, browser):
    admin = browser.new_context(viewport=PHONE, locale="ja-JP").new_page()
    log_in(admin, summed, "admin@example.org")
    admin.goto(f"{summed}/account")
    admin.locator('a[href="/admin/community"]').click()
    admin.wait_for_url(f"{summed}/admin/community")
    assert axe_violations(admin) == []
    admin.get_by_test_id("turn-on").click()
    admin.wait_for_url(f"{summed}/admin/community")
    expect(admin.get_by_test_id("public-state")).to_have_text("公開中")
    assert axe_violations(admin) == []
    admin.locator('a[href="/community/public"]').click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("数字で見るコミュニティ")
