"""Passkeys and マイページ's name and password: a member adds a passkey and logs in with it
without typing anything; every answer that is not the member's own passkey, signing this
session's challenge once, is refused with a clear page (never a 500); the last way to log in
cannot be removed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from webapp.accounts.devices import issue_login_card, stop_login_card
from webapp.accounts.models import Passkey, Role
from webapp.accounts.passkeys import (
    authenticate_passkey,
    count_passkeys,
    forget_passkeys,
    login_options,
    register_passkey,
    registration_options,
    relying_party,
    remove_passkey,
)
from webapp.accounts.services import authenticate, create_user
from webapp.core.db import utcnow
from webapp.core.errors import DomainError

from ...conftest import PASSWORD, csrf_token, log_in
from .authenticator import SoftAuthenticator, page_options

RP = relying_party("http://localhost", "Enishi")


def add_passkey(client, authenticator: SoftAuthenticator, next_path: str = "/wallet"):
    """Opens the page that adds a passkey and answers its button as the phone would."""
    page = client.get(f"/account/passkeys/new?next={next_path}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "この端末の指紋や顔でログインできるようにします。" in html
    credential = authenticator.create(page_options(html))
    return client.post(
        f"/account/passkeys?next={next_path}",
        data={"csrf_token": csrf_token(client, "/account"), "credential": credential},
    )


def passkey_login(client, authenticator: SoftAuthenticator | None, **answer):
    """Opens the login page and presses 「パスキーでログイン」; `credential` replaces the
    phone's answer, `challenge` is signed in place of the page's."""
    html = client.get("/login").get_data(as_text=True)
    options = page_options(html)
    credential = answer.get("credential") or authenticator.get(
        options, challenge=answer.get("challenge")
    )
    return client.post(
        "/login/passkey", data={"csrf_token": csrf_token(client), "credential": credential}
    )


@pytest.fixture
def phone(app, member):
    """The member's phone, logged in with their password, holding a passkey made on it."""
    client = app.test_client()
    log_in(client, member.email)
    authenticator = SoftAuthenticator()
    added = add_passkey(client, authenticator)
    assert added.status_code == 302 and added.headers["Location"] == "/wallet"
    return client, authenticator


def test_a_member_adds_a_passkey_and_logs_in_with_it_without_typing_an_email(app, member, phone):
    client, authenticator = phone
    account = client.get("/account").get_data(as_text=True)
    assert "パスキー" in account and "に追加" in account  # its name and date are listed

    fresh = app.test_client()
    answer = passkey_login(fresh, authenticator)
    assert answer.status_code == 302 and answer.headers["Location"] == "/start"
    page = fresh.get("/account").get_data(as_text=True)
    assert member.display_name in page and "最後に使ったのは" in page
    assert "パスキーでログイン" in fresh.get("/login").get_data(as_text=True)


def test_the_login_page_offers_every_passkey_and_names_no_account(client):
    options = page_options(client.get("/login").get_data(as_text=True))
    assert options["allowCredentials"] == [] and options["userVerification"] == "required"


def test_a_replayed_answer_is_refused(app, phone):
    _, authenticator = phone
    fresh = app.test_client()
    html = fresh.get("/login").get_data(as_text=True)
    credential = authenticator.get(page_options(html))
    token = csrf_token(fresh)
    first = fresh.post("/login/passkey", data={"csrf_token": token, "credential": credential})
    assert first.status_code == 302
    fresh.post("/logout", data={"csrf_token": csrf_token(fresh, "/account")})
    again = fresh.post(
        "/login/passkey", data={"csrf_token": csrf_token(fresh), "credential": credential}
    )
    assert again.status_code == 400
    assert "このページを開いてから時間がたちすぎたか" in again.get_data(as_text=True)


def test_a_forged_challenge_is_refused(app, phone):
    _, authenticator = phone
    answer = passkey_login(app.test_client(), authenticator, challenge="Zm9yZ2VkLWNoYWxsZW5nZQ")
    assert answer.status_code == 400
    assert "このページを開いてから時間がたちすぎたか" in answer.get_data(as_text=True)


def test_a_passkey_nobody_added_is_refused(app, phone):
    stranger = SoftAuthenticator()
    stranger.rp_id = "localhost"
    answer = passkey_login(app.test_client(), stranger)
    assert answer.status_code == 400
    assert "どのアカウントにも登録されていません" in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    "credential",
    [
        "not json",
        "[]",
        json.dumps({"id": "x", "rawId": "x", "type": "public-key", "response": {}}),
        json.dumps(
            {
                "id": "!!",
                "rawId": "!!",
                "type": "public-key",
                "response": {
                    "clientDataJSON": "e30",
                    "authenticatorData": "",
                    "signature": "",
                },
            }
        ),
    ],
)
def test_a_malformed_answer_is_refused_with_a_clear_page(client, credential):
    answer = passkey_login(client, None, credential=credential)
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert "読み取れませんでした" in html or "時間がたちすぎた" in html


def test_an_empty_answer_is_refused(client):
    answer = client.post("/login/passkey", data={"csrf_token": csrf_token(client)})
    assert answer.status_code == 400
    assert "読み取れませんでした" in answer.get_data(as_text=True)


def test_an_answer_signed_by_another_key_is_refused(app, phone):
    _, authenticator = phone
    thief = SoftAuthenticator()
    thief.credential_id, thief.user_handle = authenticator.credential_id, authenticator.user_handle
    thief.rp_id = "localhost"
    answer = passkey_login(app.test_client(), thief)
    assert answer.status_code == 400
    assert "パスキーを確かめられませんでした" in answer.get_data(as_text=True)


def test_a_passkey_made_for_another_site_is_refused(app, member, session):
    client = app.test_client()
    log_in(client, member.email)
    elsewhere = SoftAuthenticator(origin="https://evil.example")
    answer = add_passkey(client, elsewhere)
    assert answer.status_code == 400
    assert "パスキーを確かめられませんでした" in answer.get_data(as_text=True)
    assert session.scalars(select(Passkey)).all() == []


def test_the_same_passkey_cannot_be_added_twice(app, phone):
    client, authenticator = phone
    answer = add_passkey(client, authenticator)
    assert answer.status_code == 400
    assert "このパスキーはもう追加されています" in answer.get_data(as_text=True)


def test_the_join_flows_page_goes_on_to_next_and_refuses_other_sites(app, member):
    client = app.test_client()
    log_in(client, member.email)
    page = client.get("/account/passkeys/new?next=//evil.example/x").get_data(as_text=True)
    assert "//evil.example" not in page


def test_removing_a_passkey(app, phone, session):
    client, _ = phone
    [passkey] = session.scalars(select(Passkey)).all()
    answer = client.post(
        f"/account/passkeys/{passkey.id}/remove",
        data={"csrf_token": csrf_token(client, "/account")},
        follow_redirects=True,
    )
    assert "パスキーを外しました。" in answer.get_data(as_text=True)
    assert "パスキーはまだありません。" in answer.get_data(as_text=True)
    session.expire_all()
    assert session.scalars(select(Passkey)).all() == []


def test_someone_elses_passkey_cannot_be_removed(app, phone, make_user, session):
    [passkey] = session.scalars(select(Passkey)).all()
    other = app.test_client()
    log_in(other, make_user().email)
    answer = other.post(
        f"/account/passkeys/{passkey.id}/remove", data={"csrf_token": csrf_token(other, "/account")}
    )
    assert answer.status_code == 404
    assert session.scalars(select(Passkey)).all() != []


def make_passkey(
    session, user, authenticator: SoftAuthenticator, challenges: dict, secret: str = "secret"
) -> Passkey:
    options = registration_options(session, user, RP, secret, challenges, utcnow())
    credential = authenticator.create(options)
    return register_passkey(
        session,
        user,
        credential,
        rp=RP,
        challenges=challenges,
        name="Chrome / Android",
        now=utcnow(),
    )


def test_the_last_way_to_log_in_cannot_be_removed(session, keyring):
    person = create_user(session, keyring, email=None, password=None, display_name="塩尻 一郎")
    challenges: dict = {}
    first = make_passkey(session, person, SoftAuthenticator(), challenges)
    with pytest.raises(DomainError) as refused:
        remove_passkey(session, person, first.id)
    assert refused.value.code == "last_way_to_log_in"
    second = make_passkey(session, person, SoftAuthenticator(), challenges)
    remove_passkey(session, person, first.id)  # another passkey remains
    with pytest.raises(DomainError):
        remove_passkey(session, person, second.id)


def test_a_login_card_that_works_is_another_way_to_log_in(session, keyring, make_user):
    person = create_user(session, keyring, email=None, password=None, display_name="塩尻 一郎")
    passkey = make_passkey(session, person, SoftAuthenticator(), {})
    office = make_user(Role.ADMIN)
    card, _ = issue_login_card(session, person, office, utcnow())
    stop_login_card(session, card, office, utcnow())  # stopped: it opens nothing
    with pytest.raises(DomainError):
        remove_passkey(session, person, passkey.id)
    issue_login_card(session, person, office, utcnow())
    remove_passkey(session, person, passkey.id)
    assert count_passkeys(session, person) == 0


def test_a_page_left_open_too_long_is_refused(session, keyring, member):
    challenges: dict = {}
    authenticator = SoftAuthenticator()
    make_passkey(session, member, authenticator, challenges)
    options = login_options(RP, challenges, utcnow() - timedelta(minutes=6))
    with pytest.raises(DomainError) as refused:
        authenticate_passkey(
            session,
            authenticator.get(options),
            rp=RP,
            secret_key="secret",
            challenges=challenges,
            now=utcnow(),
        )
    assert refused.value.code == "stale_challenge"


def test_a_passkey_of_a_closed_account_logs_nobody_in(session, keyring, member):
    challenges: dict = {}
    authenticator = SoftAuthenticator()
    make_passkey(session, member, authenticator, challenges)
    member.closed_at = utcnow()
    options = login_options(RP, challenges, utcnow())
    with pytest.raises(DomainError) as refused:
        authenticate_passkey(
            session,
            authenticator.get(options),
            rp=RP,
            secret_key="secret",
            challenges=challenges,
            now=utcnow(),
        )
    assert refused.value.code == "account_closed"


# -- name and password ------------------------------------------------------------------------


def post_account(client, path: str, **fields):
    fields["csrf_token"] = csrf_token(client, "/account")
    return client.post(path, data=fields)


def test_a_member_changes_their_name(app, member):
    client = app.test_client()
    log_in(client, member.email)
    answer = post_account(client, "/account/name", display_name="  塩尻 花子 ")
    assert answer.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "名前を保存しました。" in page and 'data-testid="account-name">塩尻 花子<' in page
    refused = post_account(client, "/account/name", display_name="   ")
    assert refused.status_code == 400


def test_changing_the_password_asks_for_the_current_one(app, member, session):
    client = app.test_client()
    log_in(client, member.email)
    wrong = post_account(
        client, "/account/password", current_password="not it", new_password="a new long secret"
    )
    assert wrong.status_code == 400 and "今のパスワードが違います。" in wrong.get_data(as_text=True)
    short = post_account(
        client, "/account/password", current_password=PASSWORD, new_password="short"
    )
    assert short.status_code == 400
    assert "10文字以上" in short.get_data(as_text=True)
    done = post_account(
        client, "/account/password", current_password=PASSWORD, new_password="a new long secret"
    )
    assert done.status_code == 302
    session.expire_all()
    assert authenticate(session, member.email, "a new long secret") is not None
    assert authenticate(session, member.email, PASSWORD) is None


def test_someone_without_a_password_sets_one(app, session, keyring):
    person = create_user(
        session, keyring, email="ichiro@example.org", password=None, display_name="塩尻 一郎"
    )
    challenges: dict = {}
    authenticator = SoftAuthenticator()
    make_passkey(session, person, authenticator, challenges, app.secret_key)
    session.commit()
    client = app.test_client()
    assert passkey_login(client, authenticator).status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "パスワードはまだありません。" in page and "今のパスワード" not in page
    done = post_account(client, "/account/password", new_password="my first password")
    assert done.status_code == 302
    assert "パスワードを決めました。" in client.get("/account").get_data(as_text=True)
    session.expire_all()
    assert authenticate(session, "ichiro@example.org", "my first password") is not None


def test_failed_passkey_logins_count_against_the_address(client):
    """Like wrong passwords and login cards: 30 failures from one address, then a pause."""
    for _ in range(30):
        assert passkey_login(client, None, credential="not json").status_code == 400
    refused = passkey_login(client, None, credential="not json")
    assert refused.status_code == 429
    assert "ログインの失敗が多すぎます" in refused.get_data(as_text=True)


def test_the_last_way_to_log_in_is_kept_with_a_clear_message(app, session, keyring):
    person = create_user(session, keyring, email=None, password=None, display_name="塩尻 次郎")
    authenticator = SoftAuthenticator()
    passkey = make_passkey(session, person, authenticator, {}, app.secret_key)
    session.commit()
    client = app.test_client()
    assert passkey_login(client, authenticator).status_code == 302
    answer = post_account(client, f"/account/passkeys/{passkey.id}/remove")
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "ただ一つの方法です" in page and 'data-testid="passkey"' in page  # still listed
    assert 'id="password"' not in page  # no e-mail address: a password would open nothing


def test_passkeys_belong_to_the_sites_public_name_when_it_is_set(app, client):
    app.config.update(BASE_URL="https://enishi.shiojiri.example", BASE_URL_FIXED=True)
    options = page_options(client.get("/login").get_data(as_text=True))
    assert options["rpId"] == "enishi.shiojiri.example"
    assert RP.id == "localhost" and RP.origin == "http://localhost"  # else the page's own host


def test_a_closed_accounts_passkeys_are_forgotten(session, member):
    make_passkey(session, member, SoftAuthenticator(), {})
    make_passkey(session, member, SoftAuthenticator(), {})
    assert forget_passkeys(session, member) == 2
    assert count_passkeys(session, member) == 0
