"""A local Discord for each test (tests/discord_server.py), the app pointed at it, and the
community's Discord application saved in the settings."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine

from webapp.core.db import utcnow
from webapp.discord.client import DiscordClient
from webapp.discord.services import connect
from webapp.discord.settings import get_application, get_settings, save_settings

from ...discord_server import FakeDiscord

REDIRECT_URI = "http://localhost/account/discord/callback"


@pytest.fixture
def discord(app):
    server = FakeDiscord().start()
    app.config["DISCORD_API_URL"] = server.url
    yield server
    server.stop()


@pytest.fixture
def client_api(discord) -> DiscordClient:
    return DiscordClient(discord.url)


@pytest.fixture
def settings(session, discord):
    save_settings(
        session, client_id=discord.state.client_id, guild_id="2200",
        client_secret=discord.state.client_secret, bot_token=discord.state.bot_token,
        now=utcnow(),
    )  # fmt: skip
    session.commit()
    return get_settings(session)


@pytest.fixture
def link(session, discord, settings, client_api):
    """Connects `user` as Discord user `discord_id` (as the callback does, without a browser)."""
    counter = iter(range(1, 1000))

    def make(user, discord_id: str | None = None, now=None):
        discord_id = discord_id or f"90{next(counter)}"
        discord.add_user(discord_id, f"discord-{discord_id}")
        code = discord.code_for(discord_id, REDIRECT_URI)
        application = get_application(session)
        connection = connect(
            session, user, application, client_api, code=code, redirect_uri=REDIRECT_URI,
            now=now or utcnow(),
        )  # fmt: skip
        session.commit()
        return connection

    return make


@contextmanager
def without_waiting(engine):
    """A transaction on another connection that fails at once where it would wait for a lock:
    so a test sees that nothing holds one while Discord answers."""
    with engine.begin() as other:
        if engine.dialect.name == "sqlite":
            other.exec_driver_sql("PRAGMA busy_timeout = 0")
        else:
            other.exec_driver_sql("SET LOCAL lock_timeout = '1s'")
        yield other


@contextmanager
def writing_while_discord_answers(app, discord: FakeDiscord, write):
    """While the block runs, before Discord answers each PUT, `write(other, n)` runs on another
    connection that must not wait for a lock (`without_waiting`; `n`: the PUTs answered
    before). Yields the paths of the PUTs during which it wrote."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    written: list[str] = []

    def meanwhile(method, path):
        if method != "PUT":
            return
        with without_waiting(engine) as other:
            write(other, len(written))
        written.append(path)

    discord.state.while_answering = meanwhile
    try:
        yield written
    finally:
        discord.state.while_answering = None
        engine.dispose()
