"""The text size (標準, 大きい, 特大): chosen on マイページ, kept on the account and on the device,
and drawn on every page as a class on <html>, logged in or not."""

import re

import pytest

from webapp.accounts.models import User

from ...conftest import csrf_token, log_in


def drawn_size(client, path: str = "/account") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'<html [^>]*class="text-([a-z]+)"', page).group(1)


def choose(client, size: str, token: str | None = None):
    token = csrf_token(client, "/account") if token is None else token
    return client.post("/account/text-size", data={"size": size, "csrf_token": token})


def device_cookie(client) -> str | None:
    cookie = client.get_cookie("text_size")
    return cookie.value if cookie else None


def test_the_choice_is_kept_on_the_account_and_the_device_and_drawn_at_once(
    client, session, member
):
    log_in(client, member.email)
    assert drawn_size(client) == "standard"
    response = choose(client, "largest")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account#text-size"
    session.refresh(member)
    assert member.text_size == "largest"
    assert device_cookie(client) == "largest"
    assert drawn_size(client, "/wallet") == "largest"
    page = client.get("/account").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="largest"', page)


def test_the_device_cookie_lasts_and_no_script_reads_it(app, client, member):
    log_in(client, member.email)
    cookie = next(
        c for c in choose(client, "large").headers.getlist("Set-Cookie") if "text_size=" in c
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=34560000" in cookie
    assert ("Secure" in cookie) == app.config["SESSION_COOKIE_SECURE"]


@pytest.mark.parametrize("size", ["huge", "", "LARGE", "standard "])
def test_a_size_not_offered_is_refused_and_nothing_is_written(client, session, member, size):
    log_in(client, member.email)
    choose(client, "large")
    response = choose(client, size)
    assert response.status_code == 400
    assert "text_size=" not in " ".join(response.headers.getlist("Set-Cookie"))
    session.refresh(member)
    assert member.text_size == "large" and device_cookie(client) == "large"
    assert drawn_size(client) == "large"


def test_without_the_csrf_token_nothing_is_written(client, session, member):
    log_in(client, member.email)
    assert choose(client, "largest", token="").status_code == 400
    session.refresh(member)
    assert member.text_size == "standard" and device_cookie(client) == "standard"


def test_a_visitor_cannot_choose_for_anyone(client, session, member):
    response = client.post(
        "/account/text-size", data={"size": "largest", "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert device_cookie(client) is None
    assert session.get(User, member.id).text_size == "standard"


def test_the_login_page_is_drawn_at_the_size_chosen_on_this_device(client, member):
    log_in(client, member.email)
    choose(client, "largest")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert drawn_size(client, "/login") == "largest"
    assert drawn_size(client, "/scan") == "largest"


def test_a_new_device_starts_at_the_accounts_size_and_keeps_it(app, member):
    phone, tablet = app.test_client(), app.test_client()
    log_in(phone, member.email)
    choose(phone, "largest")
    assert drawn_size(tablet, "/login") == "standard"  # nobody has chosen on the tablet yet
    log_in(tablet, member.email)
    assert device_cookie(tablet) == "largest"
    assert drawn_size(tablet, "/") == "largest"
    tablet.post("/logout", data={"csrf_token": csrf_token(tablet, "/account")})
    assert drawn_size(tablet, "/login") == "largest"


def test_the_size_chosen_on_a_device_wins_over_the_accounts(app, member):
    phone, tablet = app.test_client(), app.test_client()
    log_in(phone, member.email)
    log_in(tablet, member.email)
    choose(tablet, "standard")
    choose(phone, "largest")  # the account's size now, but the tablet has its own
    assert drawn_size(tablet) == "standard"
    assert drawn_size(phone) == "largest"


def test_a_device_without_a_size_of_its_own_follows_the_account(app, session, member):
    phone, laptop = app.test_client(), app.test_client()
    log_in(laptop, member.email)
    laptop.delete_cookie("text_size")  # logged in before sizes were kept, or cookies cleared
    log_in(phone, member.email)
    choose(phone, "large")
    assert drawn_size(laptop) == "large"


def test_an_unknown_size_in_the_cookie_counts_as_none(client, member):
    client.set_cookie("text_size", "enormous")
    assert drawn_size(client, "/login") == "standard"
    log_in(client, member.email)
    assert device_cookie(client) == "standard"
    assert drawn_size(client) == "standard"


def test_my_page_offers_the_three_sizes_with_a_preview(client, member):
    log_in(client, member.email)
    page = client.get("/account").get_data(as_text=True)
    for label in ("標準", "大きい", "特大"):
        assert re.search(rf'<input [^>]*type="radio"[^>]*>\s*<span>{label}</span>', page)
    assert "どのページの文字も、この大きさで表示されます。" in page
    assert 'src="/static/js/textsize.js?v=' in page
