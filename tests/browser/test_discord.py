"""Discord Linked Roles in a browser: the administrator enters the Discord application on
/admin/discord; a member connects from マイページ, through the local Discord's authorisation page
and back; both pages pass axe-core."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from webapp.core.db import utcnow
from webapp.discord.settings import get_settings
from webapp.extensions import db
from webapp.tasks import ROUNDS, run_rounds

from ..discord_server import FakeDiscord
from .conftest import axe_violations, log_in

SHOTS = Path(os.environ.get("ENISHI_SHOTS", "/tmp/h-discord-shots"))


@pytest.fixture
def discord(app):
    server = FakeDiscord().start()
    app.config["DISCORD_API_URL"] = server.url
    yield server
    server.stop()


def shoot(page, name: str, part: str | None = None) -> None:
    """Keeps a picture of the page (or of its `part`, a test id) at a phone's width and at
    320 px, for a person to look at."""
    if not os.environ.get("ENISHI_SHOTS"):
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (390, 320):
        page.set_viewport_size({"width": width, "height": 844})
        if part:  # in the middle of the screen, clear of the app bar
            element = page.get_by_test_id(part)
            element.evaluate("(e) => e.scrollIntoView({block: 'center'})")
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), clip=element.bounding_box())
        else:
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})


def test_a_member_connects_discord_and_the_pages_pass_axe(live_server, browser, app, discord):
    office = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
    admin = office.new_page()
    log_in(admin, live_server, "admin@example.org")
    admin.goto(f"{live_server}/admin/discord")
    admin.locator("#client_id").fill(discord.state.client_id)
    admin.locator("#client_secret").fill(discord.state.client_secret)
    admin.locator("#bot_token").fill(discord.state.bot_token)
    admin.locator("#guild_id").fill("2200")
    admin.locator("form[action$='/admin/discord'] button[type=submit]").click()
    admin.wait_for_load_state()
    expect(admin.locator("#client_secret")).to_have_value("")  # never filled in again
    admin.locator("form[action$='/admin/discord/metadata'] button").click()
    admin.wait_for_load_state()
    assert discord.state.metadata is not None
    assert axe_violations(admin) == []
    shoot(admin, "admin-discord")
    with app.app_context():
        assert get_settings(db.session).metadata_registered_at is not None

    discord.add_user("4242", "hanako_shiojiri")
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
    member = phone.new_page()
    log_in(member, live_server, "member@example.org")
    member.goto(f"{live_server}/account#discord")
    card = member.get_by_test_id("discord-card")
    expect(card).to_be_visible()
    assert axe_violations(member) == []
    shoot(member, "account-discord-unconnected", "discord-card")
    card.locator("a.button").click()  # to Discord's page, which approves, and back
    member.wait_for_url(f"{live_server}/account#discord")
    expect(member.get_by_test_id("discord-state")).to_contain_text("hanako_shiojiri")
    expect(member.get_by_test_id("discord-synced")).to_be_visible()
    assert discord.metadata_of("4242")["is_member"] == "1"
    assert axe_violations(member) == []
    shoot(member, "account-discord-connected", "discord-card")

    discord.fail("role-connection", 500, times=1)
    discord.set_metadata("4242", {})  # so that the next push is due
    with app.app_context():
        db.session.execute(db.text("UPDATE discord_connections SET pushed_at = :t"),
                           {"t": utcnow().replace(year=2000)})  # fmt: skip
        db.session.commit()
        db.session.remove()
    run_rounds(app, tuple(r for r in ROUNDS if r.name == "discord"))
    admin.goto(f"{live_server}/admin/discord")
    expect(admin.get_by_test_id("failing-connection")).to_have_count(1)
    assert axe_violations(admin) == []
    shoot(admin, "admin-discord-failing")
    office.close()
    phone.close()
