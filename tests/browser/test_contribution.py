"""A member opens 「わたしの参加」 from マイページ on their phone: this year's figures and what
they did, then last year's; a new member is shown the way to the events. Each page passes
axe-core and keeps to the screen's width at 390 and 320 px."""

from datetime import UTC, datetime

from playwright.sync_api import expect
from sqlalchemy import select

from webapp.accounts.models import User
from webapp.events.services import create_event

from ..conftest import PASSWORD
from ..webapp.community.history import attend, perk, proposal, use_perk, vote
from .conftest import PHONE, axe_violations, log_in

NARROW = {"width": 320, "height": 700}


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def look(page, path, name: str) -> None:
    """Screenshots at 390 and 320 px, and at 320 px in 特大 (kept under the test's tmp_path to
    look at), no sideways scrolling in any."""
    for size in (PHONE, NARROW):
        page.set_viewport_size(size)
        assert fits(page), f"{name} scrolls sideways at {size['width']} px"
        page.screenshot(path=path / f"{name}-{size['width']}.png", full_page=True)
    # 特大, chosen on this phone (the cookie the text size's choice sets).
    page.context.add_cookies([{"name": "text_size", "value": "largest", "url": page.url}])
    page.reload()
    assert fits(page), f"{name} scrolls sideways at {NARROW['width']} px and 特大"
    page.screenshot(path=path / f"{name}-320-largest.png", full_page=True)
    page.context.clear_cookies(name="text_size")
    page.set_viewport_size(PHONE)
    page.reload()


def last_year(session) -> None:
    """塩尻 花子's 2025, at fixed instants: an event with 大門 さくら, a vote, a coffee."""
    people = {u.email: u for u in session.scalars(select(User))}
    hanako, sakura = people["member@example.org"], people["daimon@example.org"]
    start = datetime(2025, 10, 4, 1, 0, tzinfo=UTC)
    event = create_event(session, people["organiser@example.org"], title="秋の芋煮会",
                         venue="みどり湖畔", starts_at=start,
                         ends_at=datetime(2025, 10, 4, 4, 0, tzinfo=UTC), reward=15,
                         now=start)  # fmt: skip
    attend(session, hanako, event, datetime(2025, 10, 4, 1, 10, tzinfo=UTC), coins=15)
    attend(session, sakura, event, datetime(2025, 10, 4, 1, 20, tzinfo=UTC), coins=15)
    bench = proposal(session, sakura, "駅前にベンチを置く", datetime(2025, 11, 1, tzinfo=UTC))
    vote(session, hanako, bench, datetime(2025, 11, 2, tzinfo=UTC))
    coffee = perk(session, "喫茶しおじり", "コーヒー1杯", 30)
    use_perk(session, hanako, coffee, datetime(2025, 12, 31, 15, 30, tzinfo=UTC))  # 2026 in Japan
    session.commit()


def test_a_member_sees_their_year_and_last_year(live_server, browser, session, tmp_path):
    last_year(session)
    page = browser.new_context(viewport=PHONE, locale="ja-JP").new_page()
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/account")
    page.get_by_test_id("my-participation").click()
    page.wait_for_url(f"{live_server}/account/contribution")
    summary = page.get_by_test_id("year-summary")
    expect(summary.get_by_test_id("summary-events")).not_to_have_text("0")  # the demo's events
    expect(page.get_by_test_id("moment").first).to_be_visible()
    assert axe_violations(page) == []
    look(page, tmp_path, "this-year")

    page.get_by_test_id("year-link").filter(has_text="2025").click()
    page.wait_for_url(f"{live_server}/account/contribution?year=2025")
    expect(page.locator("#year-title")).to_contain_text("2025")
    expect(page.get_by_test_id("moment")).to_have_count(2)  # the coffee was in 2026
    expect(page.locator('[data-kind="event"]')).to_contain_text("秋の芋煮会")
    expect(page.locator('[data-kind="event"]')).to_contain_text("みどり湖畔")
    expect(page.locator('[data-kind="vote"]')).to_contain_text("駅前にベンチを置く")
    expect(page.get_by_test_id("summary-events")).to_have_text("1")
    expect(page.get_by_test_id("summary-people")).to_have_text("1")
    expect(page.get_by_test_id("summary-earned")).to_contain_text("15")
    expect(page.get_by_test_id("summary-spent")).to_contain_text("0")
    assert "0x" not in page.content()
    assert axe_violations(page) == []
    look(page, tmp_path, "last-year")


def test_a_new_member_is_shown_the_way_to_the_events(live_server, browser, make_user, tmp_path):
    newcomer = make_user()
    page = browser.new_context(viewport=PHONE, locale="ja-JP").new_page()
    log_in(page, live_server, newcomer.email, PASSWORD)
    page.goto(f"{live_server}/account/contribution")
    expect(page.get_by_test_id("moment")).to_have_count(0)
    expect(page.locator(".empty a.button")).to_have_attribute("href", "/calendar")
    assert axe_violations(page) == []
    look(page, tmp_path, "empty")
