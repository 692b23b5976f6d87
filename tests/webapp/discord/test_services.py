"""Discord Linked Roles, the services against a local Discord: the role data worked out for each
kind of member, the round that pushes only what changed, retries with a growing backoff, 429s,
token refresh, members who must connect again, and the daily reconcile."""

from __future__ import annotations

import json
import socket
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, event, text

from webapp.accounts.models import Role
from webapp.checkin.services import ClaimInput, record_claim
from webapp.core.db import mark_writing, utcnow
from webapp.core.errors import DomainError
from webapp.discord.client import DiscordClient, DiscordError
from webapp.discord.services import Login, disconnect, get_connection, list_failing
from webapp.discord.settings import get_application, register_metadata, save_settings
from webapp.discord.sync import Outcome, backoff, record, role_data, sync_round
from webapp.membership.services import get_membership, issue_membership, revoke_membership
from webapp.projects.services import activate_project, join_project, propose_project

from ..checkin.scans import code_for
from .conftest import writing_while_discord_answers


def check_in(session, person, event) -> None:
    sent = ClaimInput(str(uuid.uuid4()), code_for(event), utcnow())
    assert record_claim(session, person, sent, now=utcnow(), source="api").status == "accepted"
    session.commit()


def new_project(session, lead, title, *, active=True):
    project = propose_project(
        session, lead, title=title, purpose="", help_wanted="", lead=lead, now=utcnow()
    )
    if active:
        activate_project(session, project, now=utcnow())
    session.commit()
    return project


def run(session, client_api, now=None):
    return sync_round(session, get_application(session), client_api, now or utcnow())


# --- the role data -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "is_member", "has_since"),
    [
        ("member", True, True),
        ("lapsed", False, False),  # the card's term ended
        ("revoked", False, False),  # an administrator took the card back
        ("no_card", False, False),
    ],
)
def test_role_data_follows_the_card(app, session, make_user, link, kind, is_member, has_since):
    admin = make_user(Role.ADMIN)
    person = make_user(member=kind == "member")
    if kind == "lapsed":
        app.config["MEMBERSHIP_TERM"] = "30d"
        issue_membership(session, person, utcnow() - timedelta(days=60))
    if kind == "revoked":
        issue_membership(session, person)
        revoke_membership(session, person, actor=admin, now=utcnow())
    session.commit()
    link(person)
    data = role_data(session, utcnow())[person.id]
    assert data.is_member is is_member
    body = data.body("塩尻DAO Enishi")
    assert body["metadata"]["is_member"] == ("1" if is_member else "0")
    assert ("member_since" in body["metadata"]) is has_since
    assert body["platform_username"] == person.display_name


def test_member_since_is_the_day_the_card_was_issued(session, make_user, link):
    person = make_user()
    link(person)
    data = role_data(session, utcnow())[person.id]
    assert data.member_since is not None
    assert abs(data.member_since - utcnow()) < timedelta(minutes=5)


def test_badges_and_projects_are_counted(session, make_user, make_event, link):
    person, other = make_user(), make_user()
    for title in ("ワイン講座", "ぶどう収穫祭", "清掃活動"):
        check_in(session, person, make_event(title=title))
    check_in(session, other, make_event(title="ほかの会"))
    joined = new_project(session, other, "古民家再生")
    join_project(session, joined, person, now=utcnow())
    new_project(session, person, "子ども食堂")  # leads it: a member of it
    new_project(session, person, "まだ提案中", active=False)  # not active: not counted
    session.commit()
    link(person)
    link(other)
    data = role_data(session, utcnow())
    assert (data[person.id].badges, data[person.id].projects) == (3, 2)
    assert (data[other.id].badges, data[other.id].projects) == (1, 1)


# --- the round -----------------------------------------------------------------------------


def test_the_round_pushes_only_what_changed(session, make_user, link, discord, client_api):
    admin = make_user(Role.ADMIN)
    first, second = make_user(), make_user()
    link(first, "501")
    link(second, "502")
    assert run(session, client_api).pushed == 2
    assert discord.metadata_of("501")["is_member"] == "1"
    assert discord.metadata_of("502")["is_member"] == "1"
    puts = discord.count("PUT", "role-connection")
    assert not run(session, client_api)  # nothing changed: nothing sent
    assert discord.count("PUT", "role-connection") == puts
    revoke_membership(session, second, actor=admin, now=utcnow())
    session.commit()
    assert run(session, client_api).pushed == 1
    assert discord.count("PUT", "role-connection") == puts + 1
    assert discord.metadata_of("502")["is_member"] == "0"
    assert discord.metadata_of("501")["is_member"] == "1"


def test_a_failed_push_is_retried_with_a_growing_backoff(
    session, make_user, link, discord, client_api
):
    person = make_user()
    link(person, "601")
    discord.fail("role-connection", 500, times=2)
    now = utcnow()
    assert run(session, client_api, now).failed == 1
    connection = get_connection(session, person)
    assert connection.attempts == 1
    assert connection.next_attempt_at == now + backoff(1)
    assert connection.last_error.startswith("server_error")
    assert [c.id for c in list_failing(session)] == [connection.id]
    assert not run(session, client_api, now + timedelta(seconds=5))  # waits its backoff
    later = now + backoff(1)
    assert run(session, client_api, later).failed == 1
    connection = get_connection(session, person)
    assert connection.attempts == 2
    assert connection.next_attempt_at == later + backoff(2) > later + backoff(1)
    assert run(session, client_api, later + backoff(2)).pushed == 1
    connection = get_connection(session, person)
    assert (connection.attempts, connection.next_attempt_at, connection.last_error) == (
        0, None, None,
    )  # fmt: skip
    assert list_failing(session) == []
    assert discord.metadata_of("601")["is_member"] == "1"


def test_backoff_grows_to_an_hour_at_most():
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [15, 30, 60]
    assert backoff(30) == timedelta(hours=1)


def test_a_429_is_respected(session, make_user, link, discord, client_api):
    first, second = make_user(), make_user()
    link(first, "701")
    link(second, "702")
    discord.fail("role-connection", 429, times=1, retry_after=30)
    now = utcnow()
    result = run(session, client_api, now)
    assert (result.pushed, result.failed) == (0, 1)  # the round stops at the 429
    assert discord.metadata_of("702") is None
    limited = get_connection(session, first)
    assert limited.next_attempt_at == now + timedelta(seconds=30)
    assert limited.last_error.startswith("rate_limited")
    assert run(session, client_api, now + timedelta(seconds=1)).pushed == 1  # the other one
    assert run(session, client_api, now + timedelta(seconds=30)).pushed == 1
    assert discord.metadata_of("701")["is_member"] == "1"


def test_with_discord_down_a_round_makes_one_call_not_one_per_member(
    session, make_user, link, discord, client_api
):
    """Discord answering 500 to everything: the round stops at the first failure, so a worker
    round takes one call's time, not one per member; the others wait for the next round."""
    people = [make_user() for _ in range(3)]
    for n, person in enumerate(people):
        link(person, f"240{n}")
    discord.fail("", 500, times=1000)  # every call, whatever its path
    now = utcnow()
    assert (run(session, client_api, now).failed, discord.count("PUT", "role-connection")) == (
        1,
        1,
    )
    first, *others = (get_connection(session, person) for person in people)
    assert first.next_attempt_at == now + backoff(1) and first.last_error.startswith("server")
    assert [(c.attempts, c.next_attempt_at) for c in others] == [(0, None), (0, None)]
    assert run(session, client_api, now + timedelta(seconds=2)).failed == 1  # the next one
    assert discord.count("PUT", "role-connection") == 2


def test_with_discord_unreachable_a_round_stops_at_the_first_network_error(
    session, make_user, link, discord
):
    people = [make_user() for _ in range(3)]
    for n, person in enumerate(people):
        link(person, f"250{n}")
    nobody = DiscordClient(f"http://127.0.0.1:{free_port()}/api/v10", timeout=(1, 1))
    assert run(session, nobody).failed == 1
    tried = [get_connection(session, person).last_error for person in people]
    assert tried[0].startswith("network") and tried[1:] == [None, None]


def free_port() -> int:
    """A port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_expired_token_is_refreshed(session, make_user, link, discord, client_api):
    person = make_user()
    connection = link(person, "801")
    old_expiry = connection.expires_at
    later = old_expiry + timedelta(hours=1)  # the access token has run out
    assert run(session, client_api, later).pushed == 1
    assert discord.count("POST", "/oauth2/token") == 2  # the code, then one refresh
    assert get_connection(session, person).expires_at > later
    assert discord.metadata_of("801")["is_member"] == "1"


def test_a_token_refused_before_its_time_is_refreshed_once(
    session, make_user, link, discord, client_api
):
    person = make_user()
    link(person, "802")
    discord.expire_access("802")
    assert run(session, client_api).pushed == 1
    assert discord.metadata_of("802")["is_member"] == "1"


def test_a_revoked_login_waits_for_the_member_to_connect_again(
    session, make_user, link, discord, client_api
):
    person = make_user()
    link(person, "901")
    discord.revoke_tokens("901")
    assert run(session, client_api).failed == 1
    connection = get_connection(session, person)
    assert connection.needs_reconnect
    assert connection.last_error.startswith("unauthorized")
    assert [c.id for c in list_failing(session)] == [connection.id]
    puts = discord.count("PUT", "role-connection")
    assert not run(session, client_api, utcnow() + timedelta(days=2))  # not tried again
    assert discord.count("PUT", "role-connection") == puts
    link(person, "901")  # connects again
    assert run(session, client_api).pushed == 1
    assert not get_connection(session, person).needs_reconnect


def test_the_daily_reconcile_repairs_drift(session, make_user, link, discord, client_api):
    person = make_user()
    link(person, "1001")
    now = utcnow()
    assert run(session, client_api, now).pushed == 1
    discord.set_metadata("1001", {"is_member": "0"})  # changed on Discord's side
    assert not run(session, client_api, now + timedelta(hours=1))
    assert discord.metadata_of("1001") == {"is_member": "0"}
    assert run(session, client_api, now + timedelta(hours=24)).pushed == 1
    assert discord.metadata_of("1001")["is_member"] == "1"


def test_nothing_is_pushed_without_settings(session, make_user, client_api):
    assert not sync_round(session, None, client_api, utcnow())


# --- settings, metadata, disconnecting -----------------------------------------------------


def test_secrets_are_kept_encrypted_and_an_empty_field_keeps_them(session, settings, discord):
    raw = session.execute(text("SELECT client_secret, bot_token FROM discord_settings")).one()
    assert discord.state.client_secret not in raw[0]
    assert discord.state.bot_token not in raw[1]
    save_settings(session, client_id=settings.client_id, guild_id="2200", now=utcnow())
    again = session.execute(text("SELECT client_secret, bot_token FROM discord_settings")).one()
    assert tuple(again) == tuple(raw)


def test_tokens_are_kept_encrypted(session, make_user, link, discord):
    person = make_user()
    link(person, "1101")
    access, refresh = session.execute(
        text("SELECT access_token, refresh_token FROM discord_connections")
    ).one()
    assert all(token not in access for token in discord.state.access)
    assert all(token not in refresh for token in discord.state.refresh)


def test_ids_must_be_numbers(session):
    with pytest.raises(DomainError) as refused:
        save_settings(session, client_id="my app", guild_id="", now=utcnow())
    assert refused.value.code == "not_an_id"


def test_the_role_data_is_registered_with_the_bots_token(session, settings, discord, client_api):
    register_metadata(session, client_api, utcnow())
    records = {r["key"]: r for r in discord.state.metadata}
    assert {key: r["type"] for key, r in records.items()} == {
        "is_member": 7, "member_since": 5, "badges": 2, "projects": 2,
    }  # fmt: skip
    assert records["is_member"]["name_localizations"]["ja"] == "会員"
    assert settings.metadata_registered_at is not None


def test_a_wrong_bot_token_is_refused_in_words(session, settings, discord, client_api):
    save_settings(session, client_id=settings.client_id, guild_id="", bot_token="wrong",
                  now=utcnow())  # fmt: skip
    with pytest.raises(DomainError) as refused:
        register_metadata(session, client_api, utcnow())
    assert "Discord" in str(refused.value.message)
    assert settings.metadata_registered_at is None


def test_disconnecting_clears_the_roles_and_forgets_the_tokens(
    session, make_user, link, discord, client_api
):
    person = make_user()
    link(person, "1201")
    run(session, client_api)
    assert disconnect(session, person, get_application(session), client_api, utcnow())
    session.commit()
    assert get_connection(session, person) is None
    assert discord.metadata_of("1201") == {}
    rows = session.execute(text("SELECT count(*) FROM discord_connections")).scalar()
    assert rows == 0


def test_pushed_metadata_is_what_discord_holds(session, make_user, link, discord, client_api):
    person = make_user()
    link(person, "1301")
    run(session, client_api)
    pushed = json.loads(get_connection(session, person).pushed_metadata)
    assert pushed["metadata"] == discord.metadata_of("1301")
    assert pushed["platform_name"] == "塩尻DAO Enishi"


def test_a_card_that_lapses_reaches_discord_in_the_next_round(
    session, make_user, link, discord, client_api
):
    person = make_user()
    link(person, "1401")
    now = utcnow()
    get_membership(session, person).term_ends_at = now + timedelta(minutes=1)
    session.commit()
    assert run(session, client_api, now).pushed == 1
    assert discord.metadata_of("1401")["is_member"] == "1"
    assert not run(session, client_api, now + timedelta(seconds=30))
    # Nothing is written when a term ends: the first round after its end sees it.
    assert run(session, client_api, now + timedelta(minutes=1, seconds=2)).pushed == 1
    assert discord.metadata_of("1401")["is_member"] == "0"


def test_no_transaction_is_open_while_discord_answers(
    app, session, make_user, link, discord, client_api
):
    """While Discord answers a push, another process can write the very row being pushed: the
    round holds no lock (on SQLite, a writing transaction would lock the whole database)."""
    person = make_user()
    link(person, "1501")

    def rename(other, _answered):
        other.exec_driver_sql("UPDATE discord_connections SET discord_username = 'meanwhile'")

    mark_writing()  # as the worker's rounds are (on SQLite: BEGIN IMMEDIATE)
    with writing_while_discord_answers(app, discord, rename) as written:
        assert run(session, client_api).pushed == 1
    assert written  # the other write went through while Discord was answering
    assert discord.metadata_of("1501")["is_member"] == "1"


def test_a_wrong_client_secret_is_retried_and_asks_no_member_to_connect_again(
    session, make_user, link, discord, client_api
):
    """Discord answers a wrong application secret with 401 invalid_client: the settings are at
    fault, not the member's login. Once the administrator fixes them, the next due round
    pushes, and nobody was told to connect again."""
    person = make_user()
    connection = link(person, "1601")
    save_settings(session, client_id=discord.state.client_id, guild_id="2200",
                  client_secret="wrong", now=utcnow())  # fmt: skip
    session.commit()
    later = connection.expires_at + timedelta(hours=1)  # the access token ran out: a refresh
    assert run(session, client_api, later).failed == 1
    failed = get_connection(session, person)
    assert not failed.needs_reconnect
    assert failed.last_error.startswith("refused")
    assert failed.next_attempt_at == later + backoff(1)
    save_settings(session, client_id=discord.state.client_id, guild_id="2200",
                  client_secret=discord.state.client_secret, now=utcnow())  # fmt: skip
    session.commit()
    assert run(session, client_api, later + backoff(1)).pushed == 1
    fixed = get_connection(session, person)
    assert not fixed.needs_reconnect and fixed.attempts == 0
    assert discord.metadata_of("1601")["is_member"] == "1"


def test_a_late_outcome_leaves_a_fresh_connection_alone(session, make_user, link, discord):
    """A push made with the old tokens ends after the member connected again: what it came to
    (Discord refused the old login) is not written over the new connection."""
    person = make_user()
    stale = Login.of(link(person, "1701"))
    link(person, "1701")  # connects again: new tokens, in the same row
    late = Outcome(None, DiscordError("unauthorized", "401: Unauthorized"))
    assert not record(session, stale, late, {}, utcnow())
    session.commit()
    session.expire_all()
    fresh = get_connection(session, person)
    assert (fresh.needs_reconnect, fresh.attempts, fresh.last_error) == (False, 0, None)


def test_no_lock_is_kept_after_an_outcome_left_unwritten(
    app, session, make_user, link, discord, client_api
):
    """The first push's connection changes while Discord answers (its outcome is not written);
    while Discord answers the second push, another process can still write: the round ended
    its transaction after the unwritten outcome too."""
    first, second = make_user(), make_user()
    changed = link(first, "1801").id
    link(second, "1802")

    def write(other, answered):
        if not answered:  # the member connects again meanwhile: new tokens
            other.execute(
                text("UPDATE discord_connections SET access_token = 'new' WHERE id = :id"),
                {"id": changed},
            )
        else:
            other.exec_driver_sql("UPDATE discord_connections SET discord_username = 'x'")

    mark_writing()  # as the worker's rounds are (on SQLite: BEGIN IMMEDIATE)
    with writing_while_discord_answers(app, discord, write) as written:
        assert run(session, client_api).pushed == 2
    assert len(written) == 2
    assert discord.metadata_of("1802")["is_member"] == "1"


def test_a_connection_made_while_the_round_reads_waits_for_the_next_round(
    app, session, make_user, link, discord, client_api
):
    """A member connects between the round's reads (PostgreSQL shows each statement what was
    committed before it): the round goes on without them, the next one pushes them."""
    if session.get_bind().dialect.name == "sqlite":
        pytest.skip("SQLite's reader sees one snapshot: no connection appears between reads")
    early, late = make_user(), make_user()
    link(early, "1901")
    link(late, "1902")
    row = dict(
        session.execute(text("SELECT * FROM discord_connections WHERE user_id = :u"),
                        {"u": late.id}).mappings().one()
    )  # fmt: skip
    session.execute(text("DELETE FROM discord_connections WHERE user_id = :u"), {"u": late.id})
    session.commit()
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    columns = ", ".join(row)
    insert = text(f"INSERT INTO discord_connections ({columns}) "
                  f"VALUES ({', '.join(':' + c for c in row)})")  # fmt: skip

    def connect_meanwhile(conn, cursor, statement, parameters, context, executemany):
        if (
            row
            and statement.lstrip().upper().startswith("SELECT")
            and ("discord_connections" in statement)
        ):
            with engine.begin() as other:
                other.execute(insert, dict(row))
            row.clear()  # once

    bind = session.get_bind()
    event.listen(bind, "after_cursor_execute", connect_meanwhile)
    try:
        assert run(session, client_api).pushed == 1
    finally:
        event.remove(bind, "after_cursor_execute", connect_meanwhile)
        engine.dispose()
    assert discord.metadata_of("1902") is None
    assert run(session, client_api).pushed == 1
    assert discord.metadata_of("1902")["is_member"] == "1"


def count_rows(session) -> int:
    return session.execute(text("SELECT count(*) FROM discord_connections")).scalar()


def test_roles_discord_did_not_clear_at_disconnect_are_cleared_by_the_round(
    session, make_user, link, discord, client_api
):
    person = make_user()
    link(person, "2001")
    run(session, client_api)
    discord.fail("role-connection", 503, times=2)  # down when the member disconnects
    assert disconnect(session, person, get_application(session), client_api, utcnow())
    session.commit()
    assert get_connection(session, person) is None  # no longer the member's
    assert discord.metadata_of("2001")["is_member"] == "1"  # Discord still gives the role
    now = utcnow()
    assert run(session, client_api, now).failed == 1  # still down: tried again later
    (left,) = list_failing(session)
    assert left.clearing and left.user_id is None and left.next_attempt_at == now + backoff(1)
    assert run(session, client_api, now + backoff(1)).pushed == 1
    assert discord.metadata_of("2001") == {}
    assert count_rows(session) == 0  # its tokens forgotten once Discord took it


def test_connecting_another_discord_account_clears_the_first(
    session, make_user, link, discord, client_api
):
    person = make_user()
    link(person, "2101")
    run(session, client_api)
    link(person, "2102")  # another Discord account
    assert discord.metadata_of("2101") == {}
    assert get_connection(session, person).discord_user_id == "2102"
    assert count_rows(session) == 1
    assert run(session, client_api).pushed == 1
    assert discord.metadata_of("2102")["is_member"] == "1"


def test_a_first_account_discord_did_not_clear_is_cleared_by_the_round(
    session, make_user, link, discord, client_api
):
    person = make_user()
    link(person, "2201")
    run(session, client_api)
    discord.fail("role-connection", 503, times=1)  # down while the first one is cleared
    link(person, "2202")
    assert discord.metadata_of("2201")["is_member"] == "1"
    assert get_connection(session, person).discord_user_id == "2202"
    assert count_rows(session) == 2
    assert run(session, client_api).pushed == 2  # the first one emptied, the second pushed
    assert discord.metadata_of("2201") == {}
    assert discord.metadata_of("2202")["is_member"] == "1"
    assert count_rows(session) == 1
