"""Device sessions and printed login cards: a member sees where they are logged in and ends any
session; a login card logs its member in on a fresh phone until it is stopped or replaced."""

import re

import pytest
from sqlalchemy import select

from webapp.accounts.models import DeviceSession, Role

from ...conftest import PASSWORD, csrf_token, log_in
from ..pdfs import pdf_qr_codes, pdf_text


@pytest.fixture
def organiser_client(app, organiser):
    client = app.test_client()
    log_in(client, organiser.email)
    return client


def print_card(organiser_client, member) -> tuple[bytes, str]:
    token = csrf_token(organiser_client, f"/members/{member.id}/login-card")
    response = organiser_client.post(f"/members/{member.id}/login-card", data={"csrf_token": token})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.get_data()
    [url] = pdf_qr_codes(pdf)
    return pdf, url.removeprefix("http://localhost")


def use_card(app, url: str):
    """A fresh phone opens the card's link and taps "log in" (the page posts the token that
    follows the "#"); returns the phone and the answer."""
    path, _, token = url.partition("#")
    phone = app.test_client()
    answer = phone.post(path, data={"csrf_token": csrf_token(phone, path), "token": token})
    return phone, answer


def revoke(organiser_client, member, app):
    page = organiser_client.get(f"/members/{member.id}/login-card").get_data(as_text=True)
    action = page.split('action="')[-1].split('"')[0]  # the newest card's "stop" form
    assert action.endswith("/revoke")
    token = csrf_token(organiser_client, f"/members/{member.id}/login-card")
    organiser_client.post(action, data={"csrf_token": token})


def test_a_login_card_has_the_name_as_text_and_logs_in_a_fresh_phone(app, organiser_client, member):
    pdf, path = print_card(organiser_client, member)
    assert member.display_name.replace(" ", "") in pdf_text(pdf)
    assert path.startswith("/login/card#")

    phone, answer = use_card(app, path)
    assert answer.status_code == 302 and answer.headers["Location"] == "/wallet"
    wallet = phone.get("/wallet")
    assert wallet.status_code == 200 and member.display_name in wallet.get_data(as_text=True)
    devices = phone.get("/account/devices").get_data(as_text=True)
    assert "ログインカードで" in devices and "この端末" in devices


def test_the_cards_link_alone_logs_nobody_in_and_its_secret_stays_off_the_server(
    app, organiser_client, member
):
    _, url = print_card(organiser_client, member)
    path, _, token = url.partition("#")
    assert path == "/login/card" and len(token) > 40  # after "#": never sent in a request
    phone = app.test_client()
    assert "ボタンを押すと" in phone.get(path).get_data(as_text=True)
    assert phone.get("/wallet").status_code == 302  # a preview or a prefetch is not a login
    forged = phone.post(path, data={"csrf_token": csrf_token(phone, path), "token": token[:-3]})
    assert forged.status_code == 403


def test_a_stopped_card_is_refused_and_its_phones_are_logged_out(app, organiser_client, member):
    _, path = print_card(organiser_client, member)
    phone, _ = use_card(app, path)
    assert phone.get("/wallet").status_code == 200

    revoke(organiser_client, member, app)
    assert phone.get("/wallet").status_code == 302  # logged out
    _, refused = use_card(app, path)
    assert refused.status_code == 403
    assert "このカードは使えません" in refused.get_data(as_text=True)


def test_a_new_card_replaces_a_lost_one(app, organiser_client, member):
    _, lost = print_card(organiser_client, member)
    _, new = print_card(organiser_client, member)
    assert use_card(app, lost)[1].status_code == 403
    assert use_card(app, new)[1].status_code == 302


def test_a_member_logs_out_another_device(app, member):
    phone, tablet = app.test_client(), app.test_client()
    log_in(phone, member.email)
    log_in(tablet, member.email)
    page = phone.get("/account/devices").get_data(as_text=True)
    items = re.findall(r'data-testid="device"( data-current)?>(.*?)</li>', page, re.S)
    assert len(items) == 2
    [other] = [body for current, body in items if not current]
    action = re.search(r'action="([^"]+)"', other).group(1)
    phone.post(action, data={"csrf_token": csrf_token(phone, "/account/devices")})
    assert tablet.get("/wallet").status_code == 302
    assert phone.get("/wallet").status_code == 200


def test_logging_out_ends_the_session_its_remember_cookie_included(app, member):
    phone = app.test_client()
    fields = {"email": member.email, "password": PASSWORD, "remember": "y"}
    phone.post("/login", data={**fields, "csrf_token": csrf_token(phone)})
    remember = phone.get_cookie("remember_token")
    assert remember is not None
    later = app.test_client()  # the browser restarted: only the remember cookie is left
    later.set_cookie("remember_token", remember.value)
    assert later.get("/wallet").status_code == 200
    phone.post("/logout", data={"csrf_token": csrf_token(phone, "/wallet")})

    thief = app.test_client()
    thief.set_cookie("remember_token", remember.value)
    assert thief.get("/wallet").status_code == 302


def test_an_organiser_prints_cards_for_members_only(app, organiser_client, make_user):
    for person in (make_user(Role.ORGANISER), make_user(Role.ADMIN)):
        token = csrf_token(organiser_client, "/events")
        refused = organiser_client.post(
            f"/members/{person.id}/login-card", data={"csrf_token": token}
        )
        assert refused.status_code == 403
        assert organiser_client.get(f"/members/{person.id}/login-card").status_code == 403
    admin = app.test_client()
    log_in(admin, make_user(Role.ADMIN).email)
    helper = make_user(Role.ORGANISER)
    printed = admin.post(
        f"/members/{helper.id}/login-card", data={"csrf_token": csrf_token(admin, "/events")}
    )
    assert printed.status_code == 200  # an administrator may, for an organiser


@pytest.mark.parametrize(
    ("method", "route"),
    [
        ("GET", "/members"),
        ("GET", "/members/{id}/login-card"),
        ("POST", "/members/{id}/login-card"),
        ("POST", "/members/{id}/login-card/1/revoke"),
    ],
)
def test_members_cannot_print_or_stop_login_cards(client, make_user, member, method, route):
    log_in(client, make_user(Role.MEMBER).email)
    path = route.format(id=member.id)
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, data={"csrf_token": csrf_token(client, "/wallet")})
    assert response.status_code == 403


def test_a_login_card_is_printed_in_japanese_even_for_an_organiser_reading_english(
    organiser_client, member
):
    token = csrf_token(organiser_client, "/events")
    organiser_client.post("/lang", data={"lang": "en", "next": "/events", "csrf_token": token})
    assert '<html lang="en">' in organiser_client.get("/events").get_data(as_text=True)
    pdf, _ = print_card(organiser_client, member)
    text = pdf_text(pdf)
    assert "縁ログインカード" in text
    assert "このコードにスマホのカメラを向けると、縁にログインできます。" in text
    assert "camera" not in text


def test_a_card_login_on_a_browser_logged_in_as_someone_else_ends_that_session(
    app, session, organiser_client, member, make_user
):
    shared, other_phone = app.test_client(), app.test_client()
    neighbour = make_user()
    log_in(shared, neighbour.email)
    log_in(other_phone, neighbour.email)
    assert len(re.findall(r'data-testid="device"', devices_page(other_phone))) == 2

    _, path = print_card(organiser_client, member)
    card_path, _, card_token = path.partition("#")
    answer = shared.post(
        card_path, data={"csrf_token": csrf_token(shared, card_path), "token": card_token}
    )
    assert answer.status_code == 302
    assert member.display_name in shared.get("/wallet").get_data(as_text=True)

    assert len(re.findall(r'data-testid="device"', devices_page(other_phone))) == 1
    sessions = session.scalars(
        select(DeviceSession).where(DeviceSession.user_id == neighbour.id)
    ).all()
    assert sorted(s.ended_at is None for s in sessions) == [False, True]  # the phone's lives on


def devices_page(client) -> str:
    page = client.get("/account/devices")
    assert page.status_code == 200
    return page.get_data(as_text=True)
