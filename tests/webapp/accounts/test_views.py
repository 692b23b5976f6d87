import pytest

from ...conftest import PASSWORD, csrf_token, log_in


def test_login_with_the_right_password_opens_home(client, member):
    response = log_in(client, member.email)
    assert response.status_code == 302 and response.headers["Location"] == "/start"
    assert client.get("/start").headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert member.display_name in home and 'href="/scan"' in home


def test_organisers_land_on_their_events(client, organiser):
    log_in(client, organiser.email)
    assert client.get("/start").headers["Location"] == "/events"


def test_shop_staff_land_on_their_shop(client, session, member):
    from webapp.perks.models import Partner, PartnerStaff

    shop = Partner(name_ja="塩尻ワイナリー", name_en="Shiojiri Winery")
    session.add(shop)
    session.flush()
    session.add(PartnerStaff(partner_id=shop.id, user_id=member.id))
    session.commit()
    log_in(client, member.email)
    assert client.get("/start").headers["Location"] == "/partner"


def test_my_page_answers_with_the_account_and_log_out(client, member):
    log_in(client, member.email)
    page = client.get("/account")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert (
        member.display_name in text and "ログアウト" in text and 'href="/account/devices"' in text
    )
    assert 'href="/admin/members"' not in text  # a member has no 管理 section


def test_an_unknown_page_answers_404_in_japanese_inside_the_app(client, member):
    log_in(client, member.email)
    page = client.get("/nowhere")
    assert page.status_code == 404
    text = page.get_data(as_text=True)
    assert "ページが見つかりません" in text and 'class="tab-bar"' in text


def test_a_wrong_password_is_refused_in_plain_words(client, member):
    response = log_in(client, member.email, "not the password")
    assert response.status_code == 200
    assert "メールアドレスかパスワードがちがいます" in response.get_data(as_text=True)
    assert client.get("/wallet").status_code == 302


def test_login_without_the_csrf_token_is_refused(client, member):
    response = client.post("/login", data={"email": member.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/wallet").status_code == 302


def test_the_next_target_must_stay_on_this_site(client, member):
    token = csrf_token(client)
    response = client.post(
        "/login?next=//evil.example/",
        data={"email": member.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/start"


def test_logout_is_a_post_with_the_token(client, member):
    log_in(client, member.email)
    assert client.get("/logout").status_code == 405
    client.post("/logout", data={"csrf_token": csrf_token(client, "/wallet")})
    assert client.get("/wallet").status_code == 302


def test_the_session_cookie_is_httponly_and_lax(client, member):
    response = log_in(client, member.email)
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie


def test_the_language_switch_changes_the_pages_to_english_and_back(client, member):
    log_in(client, member.email)
    assert "わたしのウォレット" in client.get("/wallet").get_data(as_text=True)
    client.post(
        "/lang", data={"lang": "en", "next": "/wallet", "csrf_token": csrf_token(client, "/wallet")}
    )
    page = client.get("/wallet").get_data(as_text=True)
    assert "My wallet" in page and '<html lang="en"' in page
    client.post(
        "/lang", data={"lang": "ja", "next": "/wallet", "csrf_token": csrf_token(client, "/wallet")}
    )
    assert '<html lang="ja"' in client.get("/wallet").get_data(as_text=True)


def test_stay_logged_in_is_a_choice(client, member):
    token = csrf_token(client)
    kept = client.post(
        "/login",
        data={"email": member.email, "password": PASSWORD, "csrf_token": token, "remember": "y"},
    )
    assert any(c.startswith("remember_token=") for c in kept.headers.getlist("Set-Cookie"))
    client.post("/logout", data={"csrf_token": csrf_token(client, "/wallet")})
    shared_tablet = client.post(
        "/login",
        data={"email": member.email, "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert not any(
        c.startswith("remember_token=") for c in shared_tablet.headers.getlist("Set-Cookie")
    )


def test_outside_debug_the_session_cookie_is_secure(app, client, member, monkeypatch):
    from webapp.config import load_config

    monkeypatch.delenv("ENISHI_DEBUG", raising=False)
    app.config["SESSION_COOKIE_SECURE"] = load_config()["SESSION_COOKIE_SECURE"]
    response = log_in(client, member.email)
    session_cookie = next(c for c in response.headers.getlist("Set-Cookie") if "session=" in c)
    assert "Secure" in session_cookie


@pytest.mark.parametrize(
    "target", ["//evil.example/", "/\\evil.example/", "/\\/evil.example", "/\t/evil.example"]
)
def test_no_next_target_leads_off_this_site(client, member, target):
    token = csrf_token(client)
    response = client.post(
        "/login", query_string={"next": target},
        data={"email": member.email, "password": PASSWORD, "csrf_token": token},
    )  # fmt: skip
    assert response.headers["Location"] == "/start"
    back = client.post("/lang", data={"lang": "en", "next": target, "csrf_token": token})
    assert back.headers["Location"] == "/"


def test_a_next_target_on_this_site_is_followed(client, member):
    token = csrf_token(client)
    response = client.post(
        "/login", query_string={"next": "/perks?from=login"},
        data={"email": member.email, "password": PASSWORD, "csrf_token": token},
    )  # fmt: skip
    assert response.headers["Location"] == "/perks?from=login"
