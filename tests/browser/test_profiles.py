"""A member writes her profile on her phone and shows it to members; another member finds her
in the directory by a skill and opens her profile; a visitor opens it once it is public; an
event's page names her among those who took part. axe-core finds no serious violation on any
of these pages."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from webapp.accounts.models import User
from webapp.events.models import Event
from webapp.profiles.models import Area
from webapp.profiles.residence import residence_of
from webapp.profiles.services import save_profile

from .conftest import PHONE, axe_violations, log_in


def phone(browser, base: str, email: str | None = None):
    page = browser.new_context(viewport=PHONE, locale="ja-JP").new_page()
    if email:
        log_in(page, base, email)
    return page


def person(session, email: str) -> User:
    return session.scalar(select(User).where(User.email == email))


def test_a_profile_shown_to_members_then_to_everyone(live_server, browser, session):
    hanako = person(session, "member@example.org")
    sakura = person(session, "daimon@example.org")
    save_profile(session, sakura, introduction="大門で花屋をしています。", visibility="members",
                 skills=["生け花"], interests=["まちづくり"])  # fmt: skip
    session.commit()

    me = phone(browser, live_server, "member@example.org")
    me.goto(f"{live_server}/account")
    me.get_by_test_id("profile-row").click()
    me.wait_for_url(f"{live_server}/account/profile")
    assert axe_violations(me) == []
    me.locator("#introduction").fill("塩尻でウェブのデザインをしています。\n子育て中です。")
    me.locator("#skills").fill("デザイン、IT")
    me.locator("#interests").fill("農業, 子育て")
    me.get_by_test_id("visibility-members").click()
    me.get_by_test_id("residence-city").click()
    me.get_by_test_id("save-profile").click()
    me.wait_for_url(f"{live_server}/account/profile")
    expect(me.locator(".toast")).to_be_visible()
    session.expire_all()
    assert residence_of(session, hanako.id) == Area.CITY

    me.get_by_test_id("preview").click()
    me.wait_for_url(f"{live_server}/members/{hanako.id}")
    expect(me.get_by_test_id("owner-notice")).to_have_attribute("data-visibility", "members")
    expect(me.get_by_test_id("profile-skills")).to_contain_text("デザイン")
    expect(me.get_by_test_id("badge")).to_have_count(5)  # the demo's five past events
    assert axe_violations(me) == []

    other = phone(browser, live_server, "organiser@example.org")
    other.goto(f"{live_server}/members")
    # Hanako, Sakura, and the demo's 広丘 翔, who shows his profile to members.
    expect(other.get_by_test_id("person-card")).to_have_count(3)
    assert axe_violations(other) == []
    other.locator("#find-skill").fill("デザイン")
    other.get_by_role("button", name="さがす").click()
    expect(other.get_by_test_id("person-card")).to_have_count(1)
    other.get_by_test_id("person-card").click()
    other.wait_for_url(f"{live_server}/members/{hanako.id}")
    expect(other.get_by_test_id("profile-name")).to_have_text("塩尻 花子")
    expect(other.get_by_test_id("owner-notice")).to_have_count(0)
    assert "member@example.org" not in other.content()
    assert axe_violations(other) == []
    # A chip opens the directory filtered by it.
    other.get_by_test_id("profile-interests").get_by_role("link", name="子育て").click()
    other.wait_for_url(f"{live_server}/members?interest=*")
    expect(other.get_by_test_id("person-card")).to_have_count(1)

    # On an event's page she is named among those who took part; the others are counted.
    kickoff = session.scalar(select(Event).where(Event.title == "塩尻ラボ キックオフ"))
    other.goto(f"{live_server}/calendar/{kickoff.id}")
    attendees = other.get_by_test_id("event-attendees")
    # 花子, さくら and 翔 (the demo shows his profile to members); 奈良井 健太 (private) is counted.
    expect(attendees.get_by_test_id("attendee")).to_have_count(3)
    expect(attendees.get_by_test_id("attendees-others")).to_have_attribute("data-count", "1")
    assert axe_violations(other) == []

    # Not public yet: a visitor is sent to log in. Once public, the visitor reads it.
    visitor = phone(browser, live_server)
    visitor.goto(f"{live_server}/members/{hanako.id}")
    expect(visitor).to_have_url(f"{live_server}/login?next=%2Fmembers%2F{hanako.id}")
    me.goto(f"{live_server}/account/profile")
    me.get_by_test_id("visibility-public").click()
    me.get_by_test_id("save-profile").click()
    me.wait_for_url(f"{live_server}/account/profile")
    visitor.goto(f"{live_server}/members/{hanako.id}")
    expect(visitor.get_by_test_id("profile-name")).to_have_text("塩尻 花子")
    assert "member@example.org" not in visitor.content() and "0x" not in visitor.content()
    assert axe_violations(visitor) == []
