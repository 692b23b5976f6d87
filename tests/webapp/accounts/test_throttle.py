"""Failed logins are limited per account (10 in 15 minutes) and per address (30), in memory and
in Redis (ENISHI_REDIS_URL: CI runs both against the real Redis of the machine); a refusal costs
the same whether the e-mail address exists or not."""

import os

import pytest

import webapp.accounts.services as account_services

from ...conftest import PASSWORD, csrf_token, log_in
from ...support import require

# A database of its own for each parallel test process, emptied before each test.
REDIS_URL = "{}/{}".format(
    os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379"),
    1 + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")),
)
TOO_MANY = "ログインの失敗が多すぎます"


def redis_answers() -> bool:
    """Whether Redis answers (and, if so, its test database is emptied)."""
    import redis

    try:
        with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2) as connection:
            return connection.flushdb()
    except redis.RedisError:
        return False


@pytest.fixture(params=["memory", "redis"])
def storage(request, monkeypatch):
    """Where the limits count; listed before `client` so that the app is made with it."""
    if request.param == "redis":
        require(redis_answers(), f"Redis at {REDIS_URL}")
        monkeypatch.setenv("ENISHI_REDIS_URL", REDIS_URL)
    return request.param


def test_the_app_counts_where_it_is_told(storage, app):
    expected = REDIS_URL if storage == "redis" else "memory://"
    assert app.config["RATELIMIT_STORAGE_URI"] == expected


def test_ten_failures_stop_the_account_for_a_while(storage, client, member, make_user):
    for _ in range(10):
        response = log_in(client, member.email, "not the password")
        assert response.status_code == 200
        assert "パスワードがちがいます" in response.get_data(as_text=True)
    refused = log_in(client, member.email)  # even the right password, now
    assert refused.status_code == 429
    assert TOO_MANY in refused.get_data(as_text=True)
    assert client.get("/wallet").status_code == 302
    # Somebody else logs in from the same address as usual.
    assert log_in(client, make_user().email).status_code == 302


def test_an_address_nobody_uses_is_limited_the_same(storage, client):
    answers = [log_in(client, "nobody@example.org", "guess").status_code for _ in range(11)]
    assert answers == [200] * 10 + [429]


def test_thirty_failures_stop_the_address(storage, client, make_user):
    for n in range(30):
        assert log_in(client, f"guess{n % 4}@example.org", "guess").status_code == 200
    refused = log_in(client, make_user().email)
    assert refused.status_code == 429
    assert TOO_MANY in refused.get_data(as_text=True)


def test_wrong_login_card_secrets_count_against_the_address(storage, client):
    for _ in range(30):
        token = csrf_token(client, "/login/card")
        answer = client.post("/login/card", data={"csrf_token": token, "token": "1.wrong"})
        assert answer.status_code == 403
    token = csrf_token(client, "/login/card")
    answer = client.post("/login/card", data={"csrf_token": token, "token": "1.wrong"})
    assert answer.status_code == 429


def test_logins_that_succeed_do_not_count(storage, client, member):
    for _ in range(12):
        assert log_in(client, member.email, PASSWORD).status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token(client, "/wallet")})


def test_a_refusal_costs_one_password_check_whether_the_address_exists_or_not(
    client, member, monkeypatch
):
    checks = []
    real = account_services.check_password_hash

    def counted(hashed, password):
        checks.append(hashed)
        return real(hashed, password)

    monkeypatch.setattr(account_services, "check_password_hash", counted)
    log_in(client, "nobody@example.org", "guess")
    log_in(client, member.email, "guess")
    assert len(checks) == 2
    assert checks[0].split("$")[0] == checks[1].split("$")[0]  # the same method and cost
