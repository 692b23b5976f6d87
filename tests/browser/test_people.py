"""The administrators' list of everyone is a table on a laptop and a card per person on a phone;
it and the member's own data pages pass axe-core. Screenshots go to shots/ (looked at, not
compared)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from webapp.accounts.models import User
from webapp.core.db import utcnow
from webapp.membership.models import Membership

from .conftest import axe_violations, log_in

SHOTS = Path(__file__).resolve().parents[2] / "shots"
VIEWPORTS = {"390": (390, 844), "320": (320, 700), "1280": (1280, 800)}


@pytest.fixture
def people(live_server, session):
    """Someone in each state, and enough members for three pages."""
    now = utcnow()
    ago = now - timedelta(days=200)
    rows = [
        ("青木 招待中", dict(joined_at=None, cohort="第5期"), None),
        (
            "馬場 期限切れ",
            dict(joined_at=ago, cohort="第4期"),
            dict(term_ends_at=now - timedelta(days=3)),
        ),
        ("土井 取消", dict(joined_at=ago), dict(revoked_at=now)),
        ("—", dict(joined_at=ago, closed_at=now, active=False), dict()),
    ] + [(f"会員 {n:03d}", dict(joined_at=ago, cohort="第5期"), dict()) for n in range(110)]
    for name, fields, card in rows:
        email = (
            None if name.startswith(("会員", "—")) else f"{len(name)}{abs(hash(name))}@example.org"
        )
        user = User(display_name=name, email=email, role="member", **fields)
        session.add(user)
        session.flush()
        if card is not None:
            session.add(Membership(user_id=user.id, **card))
    session.commit()
    return live_server


@pytest.mark.parametrize("view", VIEWPORTS)
def test_the_list_of_everyone_fits_each_screen(browser, people, view):
    width, height = VIEWPORTS[view]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ja-JP")
    page = context.new_page()
    try:
        log_in(page, people, "admin@example.org")
        page.goto(f"{people}/admin/members")
        expect(page.get_by_role("heading", name="会員", exact=True)).to_be_visible()
        expect(page.get_by_test_id("people-total")).to_contain_text("人")
        expect(page.get_by_test_id("person")).to_have_count(50)
        expect(page.get_by_role("navigation", name="ページ")).to_be_visible()
        head = page.evaluate("getComputedStyle(document.querySelector('.people thead')).position")
        assert head == ("static" if width >= 1280 else "absolute")  # a table, or cards
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"members-{view}.png"), full_page=width >= 1280)
        page.goto(f"{people}/admin/members?state=lapsed")
        expect(page.get_by_test_id("person")).to_have_count(1)
        expect(page.get_by_test_id("person")).to_contain_text("馬場 期限切れ")
        page.goto(f"{people}/admin/members?page=2")
        assert axe_violations(page) == []
        page.get_by_role("link", name="次へ").click()
        expect(page.get_by_role("link", name="3ページ目")).to_have_attribute("aria-current", "page")
    finally:
        context.close()


def test_my_data_and_closing_pages_pass_axe(live_server, page):
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/account")
    page.get_by_role("link", name="わたしのデータをダウンロード").click()
    expect(page.get_by_role("heading", name="わたしのデータ", exact=True)).to_be_visible()
    assert axe_violations(page) == []
    page.screenshot(path=str(SHOTS / "my-data-390.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_test_id("download-data").click()
    assert download.value.suggested_filename.startswith("enishi-data-")
    page.goto(f"{live_server}/account/close")
    expect(page.get_by_test_id("closing-facts")).to_contain_text("バッジ")
    assert axe_violations(page) == []
    page.screenshot(path=str(SHOTS / "close-390.png"), full_page=True)
