"""Device sessions and printed login cards: a member sees where they are logged in and ends any
session; a login card logs its member in on a fresh phone until it is stopped or replaced."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from webapp.accounts.models import DeviceSession, LoginCard, Role
from webapp.core.db import utcnow

from ...conftest import PASSWORD, csrf_token, log_in
from ..pdfs import pdf_qr_codes, pdf_text


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


@pytest.fixture
def office_client(app, admin):
    """The office's browser: an administrator, who alone prints login cards for others."""
    client = app.test_client()
    log_in(client, admin.email)
    return client


def print_card(office_client, member, password=PASSWORD) -> tuple[bytes, str]:
    response = post_print(office_client, member, password)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.get_data()
    [url] = pdf_qr_codes(pdf)
    return pdf, url.removeprefix("http://localhost")


def post_print(client, person, password=PASSWORD):
    token = csrf_token(client, "/wallet")
    return client.post(
        f"/admin/members/{person.id}/login-card", data={"csrf_token": token, "password": password}
    )


def use_card(app, url: str):
    """A fresh phone opens the card's link and taps "log in" (the page posts the token that
    follows the "#"); returns the phone and the answer."""
    path, _, token = url.partition("#")
    phone = app.test_client()
    answer = phone.post(path, data={"csrf_token": csrf_token(phone, path), "token": token})
    return phone, answer


def revoke(office_client, member, app):
    page = office_client.get(f"/admin/members/{member.id}").get_data(as_text=True)
    action = re.findall(r'action="([^"]*/revoke)"', page)[-1]  # the newest card's "stop" form
    token = csrf_token(office_client, f"/admin/members/{member.id}")
    office_client.post(action, data={"csrf_token": token})


def test_a_login_card_has_the_name_as_text_and_logs_in_a_fresh_phone(app, office_client, member):
    pdf, path = print_card(office_client, member)
    assert member.display_name.replace(" ", "") in pdf_text(pdf)
    assert path.startswith("/login/card#")

    phone, answer = use_card(app, path)
    assert answer.status_code == 302 and answer.headers["Location"] == "/start"
    wallet = phone.get("/wallet")
    assert wallet.status_code == 200 and member.display_name in wallet.get_data(as_text=True)
    devices = phone.get("/account/devices").get_data(as_text=True)
    assert "ログインカードで" in devices and "この端末" in devices


def test_the_cards_link_alone_logs_nobody_in_and_its_secret_stays_off_the_server(
    app, office_client, member
):
    _, url = print_card(office_client, member)
    path, _, token = url.partition("#")
    assert path == "/login/card" and len(token) > 40  # after "#": never sent in a request
    phone = app.test_client()
    assert "ボタンを押すと" in phone.get(path).get_data(as_text=True)
    assert phone.get("/wallet").status_code == 302  # a preview or a prefetch is not a login
    forged = phone.post(path, data={"csrf_token": csrf_token(phone, path), "token": token[:-3]})
    assert forged.status_code == 403


def test_a_stopped_card_is_refused_and_its_phones_are_logged_out(app, office_client, member):
    _, path = print_card(office_client, member)
    phone, _ = use_card(app, path)
    assert phone.get("/wallet").status_code == 200

    revoke(office_client, member, app)
    assert phone.get("/wallet").status_code == 302  # logged out
    _, refused = use_card(app, path)
    assert refused.status_code == 403
    assert "このカードは使えません" in refused.get_data(as_text=True)


def test_a_new_card_replaces_a_lost_one(app, office_client, member):
    _, lost = print_card(office_client, member)
    _, new = print_card(office_client, member)
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


def test_only_an_administrator_prints_a_card_for_someone_else(
    app, office_client, organiser, member, make_user
):
    # An organiser could take over a member's account with one: no longer.
    organiser_client = app.test_client()
    log_in(organiser_client, organiser.email)
    assert post_print(organiser_client, member).status_code == 403
    assert organiser_client.get(f"/admin/members/{member.id}").status_code == 403
    assert organiser_client.get("/admin/members").status_code == 403
    # Nobody prints one for an administrator.
    other_admin = make_user(Role.ADMIN)
    assert post_print(office_client, other_admin).status_code == 403
    # (their page offers none)
    page = office_client.get(f"/admin/members/{other_admin.id}").get_data(as_text=True)
    assert "/login-card" not in page
    # An administrator may, for a member or an organiser.
    assert post_print(office_client, organiser).status_code == 200


def test_printing_asks_for_the_administrators_password_again(app, session, office_client, member):
    refused = post_print(office_client, member, password="not the password")
    assert refused.status_code == 302
    page = office_client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "パスワードがちがうため、カードは印刷していません" in page
    assert session.scalars(select(LoginCard)).all() == []
    assert post_print(office_client, member, password="").status_code == 302
    assert session.scalars(select(LoginCard)).all() == []


def test_the_member_sees_each_card_printed_for_them_and_the_audit_log_keeps_it(
    app, office_client, admin, member
):
    print_card(office_client, member)
    revoke(office_client, member, app)
    phone = app.test_client()
    log_in(phone, member.email)
    cards = re.findall(r'data-testid="my-login-card">(.*?)</li>', devices_page(phone), re.S)
    assert len(cards) == 1
    assert admin.display_name in cards[0] and "使用停止" in cards[0]

    log = office_client.get("/admin/audit").get_data(as_text=True)
    entries = re.findall(r'data-testid="audit-entry">(.*?)</li>', log, re.S)
    assert len(entries) == 2
    stopped, printed = entries  # newest first
    assert "ログインカードを止めた" in stopped and member.display_name in stopped
    assert "ログインカードを印刷した" in printed and admin.display_name in printed
    assert phone.get("/admin/audit").status_code == 403


@pytest.mark.parametrize(
    ("method", "route"),
    [
        ("GET", "/admin/members"),
        ("GET", "/admin/members/{id}"),
        ("POST", "/admin/members/{id}/login-card"),
        ("POST", "/admin/members/{id}/login-card/1/revoke"),
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


def test_a_login_card_is_printed_in_japanese_even_for_an_administrator_reading_english(
    office_client, member
):
    token = csrf_token(office_client, "/admin/members")
    office_client.post("/lang", data={"lang": "en", "next": "/admin/members", "csrf_token": token})
    assert '<html lang="en"' in office_client.get("/admin/members").get_data(as_text=True)
    pdf, _ = print_card(office_client, member)
    text = pdf_text(pdf)
    assert "縁ログインカード" in text
    assert "このコードにスマホのカメラを向けると、縁にログインできます。" in text
    assert "camera" not in text


def test_a_card_login_on_a_browser_logged_in_as_someone_else_ends_that_session(
    app, session, office_client, member, make_user
):
    shared, other_phone = app.test_client(), app.test_client()
    neighbour = make_user()
    log_in(shared, neighbour.email)
    log_in(other_phone, neighbour.email)
    assert len(re.findall(r'data-testid="device"', devices_page(other_phone))) == 2

    _, path = print_card(office_client, member)
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


def device_row(session, user):
    session.expire_all()
    return session.scalars(select(DeviceSession).where(DeviceSession.user_id == user.id)).one()


def test_a_session_left_unused_too_long_ends(app, session, member):
    phone = app.test_client()
    log_in(phone, member.email)
    device = device_row(session, member)
    device.last_seen_at = utcnow() - timedelta(days=29, hours=23)
    session.commit()
    assert phone.get("/wallet").status_code == 200  # used within 30 days: it lasts
    assert utcnow() - device_row(session, member).last_seen_at < timedelta(minutes=1)

    device = device_row(session, member)
    device.last_seen_at = utcnow() - timedelta(days=30, minutes=1)
    session.commit()
    assert phone.get("/wallet").status_code == 302  # unused for 30 days: logged out
    other = app.test_client()
    log_in(other, member.email)
    assert len(re.findall(r'data-testid="device"', devices_page(other))) == 1  # not listed


def test_a_session_ends_90_days_after_its_login_however_often_used(app, session, member):
    phone = app.test_client()
    log_in(phone, member.email)
    device = device_row(session, member)
    device.created_at = utcnow() - timedelta(days=90, minutes=1)
    session.commit()
    assert phone.get("/wallet").status_code == 302


def test_a_visit_writes_the_last_use_at_most_hourly(app, session, member):
    phone = app.test_client()
    log_in(phone, member.email)
    device = device_row(session, member)
    recent = utcnow() - timedelta(minutes=30)
    device.last_seen_at = recent
    session.commit()
    assert phone.get("/wallet").status_code == 200
    assert device_row(session, member).last_seen_at == recent  # no write for a recent one


def test_the_limits_are_settings(app, session, member):
    app.config["SESSION_IDLE_DAYS"] = 1
    phone = app.test_client()
    log_in(phone, member.email)
    device = device_row(session, member)
    device.last_seen_at = utcnow() - timedelta(days=1, minutes=1)
    session.commit()
    assert phone.get("/wallet").status_code == 302
