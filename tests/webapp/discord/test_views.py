"""Discord Linked Roles end to end, through the app's pages and the local Discord: the
administrator saves the settings and registers the role data; a member connects (following the
redirects through the local Discord's authorisation page); a card given, a check-in and a card
taken back reach Discord within the worker's next rounds. Then the failures the administrator
sees, and what the member's data download and account closing do with the connection."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from markupsafe import escape

from webapp.accounts.models import Role
from webapp.core.db import utcnow
from webapp.core.i18n import local_zone
from webapp.discord.client import ERROR_WORDS
from webapp.discord.forms import SAVED
from webapp.discord.services import get_connection
from webapp.discord.settings import client_secret, get_settings
from webapp.extensions import db
from webapp.tasks import ROUNDS, run_rounds

from ...conftest import PASSWORD, csrf_token, log_in
from ..membership.test_card_views import check_in
from .conftest import writing_while_discord_answers


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, member=False)


@pytest.fixture
def office(app, admin):
    client = app.test_client()
    log_in(client, admin.email)
    return client


def save_settings_form(office, discord, **changes):
    fields = {
        "client_id": discord.state.client_id,
        "client_secret": discord.state.client_secret,
        "bot_token": discord.state.bot_token,
        "guild_id": "2200",
        "csrf_token": csrf_token(office, "/admin/discord"),
    }
    fields.update(changes)
    return office.post("/admin/discord", data=fields, follow_redirects=True)


def words(app, text) -> str:
    """A lazy string as the pages write it (in the page's language)."""
    with app.test_request_context():
        return str(escape(str(text)))


@pytest.fixture
def configured(app, office, discord):
    page = save_settings_form(office, discord).get_data(as_text=True)
    assert page.count(words(app, SAVED)) == 2  # the secret and the token: 設定済み
    return discord


def connect_through_discord(client, discord, discord_id: str, name: str):
    """The member's connect button, Discord's authorisation page (which approves at once),
    and the way back to Enishi."""
    discord.add_user(discord_id, name)
    start = client.get("/account/discord/connect")
    assert start.status_code == 302
    authorize = start.headers["Location"]
    assert authorize.startswith(discord.url + "/oauth2/authorize?")
    approved = requests.get(authorize, allow_redirects=False, timeout=10)
    assert approved.status_code == 302
    back = urlsplit(approved.headers["Location"])
    assert back.path == "/account/discord/callback"
    return client.get(f"{back.path}?{back.query}", follow_redirects=True)


def discord_rounds(app, times: int = 2) -> None:
    """What the worker does in its next rounds (the discord round among them)."""
    rounds = tuple(r for r in ROUNDS if r.name in ("chain", "discord"))
    for _ in range(times):
        run_rounds(app, rounds)
    db.session.expire_all()


def test_roles_follow_the_card_from_connection_to_revocation(
    app, session, make_user, make_event, office, configured
):
    discord = configured
    registered = office.post(
        "/admin/discord/metadata",
        data={"csrf_token": csrf_token(office, "/admin/discord")},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert re.search(r'data-testid="metadata-state"><span class="chip chip-ok"', registered)
    assert {r["key"] for r in discord.state.metadata} == {
        "is_member", "member_since", "badges", "projects",
    }  # fmt: skip

    person = make_user(member=False)  # joined, no card yet
    phone = app.test_client()
    log_in(phone, person.email)
    account = connect_through_discord(phone, discord, "4242", "taro_shiojiri")
    html = account.get_data(as_text=True)
    assert account.status_code == 200
    assert "taro_shiojiri" in html and 'data-testid="discord-synced"' in html
    assert discord.metadata_of("4242")["is_member"] == "0"  # pushed at once
    for token in list(discord.state.access) + list(discord.state.refresh):
        assert token not in html

    issued = office.post(
        f"/admin/members/{person.id}/card/issue",
        data={"csrf_token": csrf_token(office, f"/admin/members/{person.id}")},
    )
    assert issued.status_code == 302
    discord_rounds(app)
    held = discord.metadata_of("4242")
    assert held["is_member"] == "1" and "member_since" in held
    assert held["badges"] == "0"

    check_in(phone, make_event(title="ワイン講座"))
    discord_rounds(app)
    assert discord.metadata_of("4242")["badges"] == "1"

    revoked = office.post(
        f"/admin/members/{person.id}/card/revoke",
        data={
            "csrf_token": csrf_token(office, f"/admin/members/{person.id}"),
            "reason": "退会",
            "password": PASSWORD,
        },
    )
    assert revoked.status_code == 302
    discord_rounds(app)
    held = discord.metadata_of("4242")
    assert held["is_member"] == "0" and "member_since" not in held


def test_secrets_are_never_shown_back(office, configured):
    html = office.get("/admin/discord").get_data(as_text=True)
    assert configured.state.client_secret not in html
    assert configured.state.bot_token not in html
    # Saved again with the secret fields empty: they are kept.
    save_settings_form(office, configured, client_secret="", bot_token="")
    assert client_secret(get_settings(db.session)) == configured.state.client_secret


def test_a_wrong_id_is_refused_on_the_form(office, discord):
    answer = save_settings_form(office, discord, client_id="my app")
    assert answer.status_code == 400
    assert "field-error" in answer.get_data(as_text=True)


def test_a_callback_not_started_here_is_refused(app, member, configured):
    phone = app.test_client()
    log_in(phone, member.email)
    answer = phone.get("/account/discord/callback?code=abc&state=forged")
    assert answer.status_code == 400
    assert get_connection(db.session, member) is None


def test_a_callback_with_another_state_than_the_one_issued_is_refused(app, member, configured):
    discord = configured
    phone = app.test_client()
    log_in(phone, member.email)
    discord.add_user("3131", "ichiro")
    start = phone.get("/account/discord/connect")  # a state is issued in the session
    issued = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    code = discord.code_for("3131", "http://localhost/account/discord/callback")
    answer = phone.get(f"/account/discord/callback?code={code}&state={issued}x")
    assert answer.status_code == 400
    assert get_connection(db.session, member) is None
    # The issued state was used up by the refused answer: it cannot be tried again.
    again = phone.get(f"/account/discord/callback?code={code}&state={issued}")
    assert again.status_code == 400
    assert get_connection(db.session, member) is None


def test_connect_says_so_when_discord_is_not_set_up(app, member):
    phone = app.test_client()
    log_in(phone, member.email)
    answer = phone.get("/account/discord/connect")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/account")
    assert 'data-testid="discord-card"' not in phone.get("/account").get_data(as_text=True)


def test_failures_are_listed_and_retried_now(app, session, member, office, configured):
    discord = configured
    phone = app.test_client()
    log_in(phone, member.email)
    discord.fail("role-connection", 503, times=1)
    connect_through_discord(phone, discord, "5151", "hanako")
    page = office.get("/admin/discord").get_data(as_text=True)
    assert page.count('data-testid="failing-connection"') == 1
    assert words(app, ERROR_WORDS["server_error"]) in page
    connection = get_connection(session, member)
    retried = office.post(
        f"/admin/discord/connections/{connection.id}/retry",
        data={"csrf_token": csrf_token(office, "/admin/discord")},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert 'data-testid="failing-connection"' not in retried
    assert discord.metadata_of("5151")["is_member"] == "1"


def test_a_member_told_to_connect_again(app, session, member, configured):
    discord = configured
    phone = app.test_client()
    log_in(phone, member.email)
    connect_through_discord(phone, discord, "6161", "jiro")
    discord.revoke_tokens("6161")
    session.execute(db.text("UPDATE discord_connections SET pushed_metadata = NULL"))
    session.commit()
    discord_rounds(app, times=1)
    html = phone.get("/account").get_data(as_text=True)
    assert 'data-testid="discord-reconnect"' in html


def test_my_page_links_to_the_communitys_server_once_its_id_is_set(
    app, member, office, configured
):
    phone = app.test_client()
    log_in(phone, member.email)
    connect_through_discord(phone, configured, "6262", "hanako")
    html = phone.get("/account").get_data(as_text=True)
    assert 'href="https://discord.com/channels/2200"' in html
    save_settings_form(office, configured, guild_id="")
    assert 'data-testid="discord-server"' not in phone.get("/account").get_data(as_text=True)


def test_disconnecting_from_my_page(app, session, member, configured):
    discord = configured
    phone = app.test_client()
    log_in(phone, member.email)
    connect_through_discord(phone, discord, "7171", "saburo")
    phone.post("/account/discord/disconnect", data={"csrf_token": csrf_token(phone, "/account")})
    assert get_connection(session, member) is None
    assert discord.metadata_of("7171") == {}


def test_the_download_has_the_connection_and_no_token(app, member, configured):
    discord = configured
    phone = app.test_client()
    log_in(phone, member.email)
    connect_through_discord(phone, discord, "8181", "shiro")
    answer = phone.get("/account/data/enishi-data.zip")
    archive = zipfile.ZipFile(io.BytesIO(answer.data))
    data = json.loads(archive.read("data.json"))
    assert [row["discord_name"] for row in data["discord"]] == ["shiro"]
    # What Discord was last told, in plain columns (no JSON, no English keys inside a cell).
    sent = data["discord"][0]
    assert (sent["is_member"], sent["badges"], sent["projects"]) == (True, 0, 0)
    assert sent["member_since"] and sent["last_sent_at"]
    rows = list(csv.DictReader(io.StringIO(archive.read("discord.csv").decode("utf-8-sig"))))
    assert list(rows[0]) == [
        "discord_name", "connected_at", "is_member", "member_since", "badges", "projects",
        "last_sent_at",
    ]  # fmt: skip
    assert (rows[0]["is_member"], rows[0]["badges"]) == ("True", "0")
    assert "metadata" not in archive.read("discord.csv").decode("utf-8-sig")
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode("utf-8-sig")
    for token in list(discord.state.access) + list(discord.state.refresh):
        assert token not in everything


def test_closing_the_account_forgets_the_connection(app, session, member, configured):
    discord = configured
    phone = app.test_client()
    log_in(phone, member.email)
    connect_through_discord(phone, discord, "9191", "goro")
    closed = phone.post(
        "/account/close",
        data={"password": PASSWORD, "csrf_token": csrf_token(phone, "/account/close")},
    )
    assert closed.status_code in (200, 302)
    assert session.execute(db.text("SELECT count(*) FROM discord_connections")).scalar() == 0
    assert discord.metadata_of("9191") == {}


def test_a_push_from_another_year_shows_its_year(app, session, member, configured):
    discord = configured
    phone = app.test_client()
    log_in(phone, member.email)
    connect_through_discord(phone, discord, "7272", "shichiro")
    long_ago = utcnow() - timedelta(days=400)
    session.execute(db.text("UPDATE discord_connections SET pushed_at = :t"), {"t": long_ago})
    session.commit()
    html = phone.get("/account").get_data(as_text=True)
    synced = re.search(r'data-testid="discord-synced">(.*?)</p>', html).group(1)
    assert f"{long_ago.astimezone(local_zone()).year}年" in synced


def test_closing_holds_no_lock_while_discord_answers(app, session, member, configured):
    """Closing the account clears the roles on Discord with no transaction open: another
    connection writes while Discord answers (on SQLite a writing request locks everything)."""
    discord = configured
    phone = app.test_client()
    log_in(phone, member.email)
    connect_through_discord(phone, discord, "9292", "rokuro")

    def write(other, _answered):
        other.exec_driver_sql("UPDATE discord_connections SET discord_username = 'meanwhile'")
        other.exec_driver_sql("UPDATE users SET text_size = text_size")

    token = csrf_token(phone, "/account/close")
    with writing_while_discord_answers(app, discord, write) as written:
        closed = phone.post("/account/close", data={"password": PASSWORD, "csrf_token": token})
    assert closed.status_code == 302
    assert written  # the other writes went through while Discord was answering
    assert discord.metadata_of("9292") == {}
    assert session.execute(db.text("SELECT count(*) FROM discord_connections")).scalar() == 0


def test_a_wrong_password_clears_nothing_on_discord(app, session, member, configured):
    discord = configured
    phone = app.test_client()
    log_in(phone, member.email)
    connect_through_discord(phone, discord, "9393", "nanao")
    token = csrf_token(phone, "/account/close")
    refused = phone.post("/account/close", data={"password": "not it", "csrf_token": token})
    assert refused.status_code == 400
    assert discord.metadata_of("9393")["is_member"] == "1"
    assert get_connection(db.session, member) is not None


def test_roles_not_cleared_at_closing_are_cleared_by_the_next_rounds(
    app, session, member, office, configured
):
    discord = configured
    phone = app.test_client()
    log_in(phone, member.email)
    connect_through_discord(phone, discord, "9494", "hachiro")
    discord.fail("role-connection", 503, times=1)  # Discord is down as the member leaves
    token = csrf_token(phone, "/account/close")
    closed = phone.post("/account/close", data={"password": PASSWORD, "csrf_token": token})
    assert closed.status_code == 302
    assert discord.metadata_of("9494")["is_member"] == "1"
    left = session.execute(db.text("SELECT user_id, clearing FROM discord_connections")).one()
    assert left.user_id is None and left.clearing  # no longer tied to the closed account
    session.commit()
    discord_rounds(app, times=1)
    assert discord.metadata_of("9494") == {}
    assert session.execute(db.text("SELECT count(*) FROM discord_connections")).scalar() == 0
    assert 'data-testid="failing-connection"' not in office.get("/admin/discord").get_data(
        as_text=True
    )


def test_the_administrator_sees_a_left_connection_still_to_clear(
    app, session, member, office, configured
):
    discord = configured
    phone = app.test_client()
    log_in(phone, member.email)
    connect_through_discord(phone, discord, "9595", "kuro")
    discord.fail("role-connection", 503, times=2)  # at disconnect, and in the next round
    phone.post("/account/discord/disconnect", data={"csrf_token": csrf_token(phone, "/account")})
    discord_rounds(app, times=1)
    page = office.get("/admin/discord").get_data(as_text=True)
    assert page.count('data-testid="failing-connection"') == 1
    assert "退会・連携解除した会員" in page and "kuro" in page
    assert member.display_name not in page
    assert 'data-testid="discord-card"' in phone.get("/account").get_data(as_text=True)
    assert "kuro" not in phone.get("/account").get_data(as_text=True)  # not connected any more
