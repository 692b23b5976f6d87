"""The administrators' invitation pages: invite one person (link, QR code, printed card, e-mail
through a real local SMTP server), import a CSV file (upload, preview, confirm), and a person's
page that shows their invitation and makes a new link."""

from __future__ import annotations

import base64
import io
import re
import socket
from email import message_from_bytes
from email.policy import default as default_policy

import pypdfium2
import pytest
from aiosmtpd.controller import Controller

from webapp.accounts.invitations import find_invitation
from webapp.accounts.models import Role
from webapp.accounts.services import get_user_by_email
from webapp.core.db import utcnow

from ...conftest import csrf_token, log_in
from ..pdfs import pdf_qr_codes, pdf_text

SEASON = "名前,メール,期\n塩尻 一郎,ichiro@example.org,第5期\n広丘 二郎,,第5期\n奈良井,bad,第5期\n"


@pytest.fixture
def admin_phone(client, make_user):
    admin = make_user(Role.ADMIN)
    log_in(client, admin.email)
    return client


def post(client, path, data, **kwargs):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/login")}, **kwargs)


def secrets_on(page: str) -> list[str]:
    return re.findall(r'name="secret" value="([^"]+)"', page)


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


@pytest.fixture
def smtp(app):
    """A real SMTP server on a free local port; the app sends through it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config["SMTP_URL"] = f"smtp+plain://127.0.0.1:{port}"
    app.config["MAIL_FROM"] = "office@example.org"
    yield mailbox
    controller.stop()


def test_inviting_one_person_shows_the_link_and_prints_its_card(admin_phone):
    page = admin_phone.get("/admin/members/invite").get_data(as_text=True)
    assert "招待する" in page
    answer = post(admin_phone, "/admin/members/invite",
                  {"display_name": "塩尻 花子", "email": "", "cohort": "第5期"})  # fmt: skip
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    link = re.search(r'data-testid="join-link">([^<]+)<', page).group(1)
    assert "/join/" in link and "<svg" in page
    assert "メールで送る" not in page  # no mail server, and no address
    [secret] = secrets_on(page)
    pdf = post(admin_phone, "/admin/members/invitations/cards", {"secret": secret})
    assert pdf.mimetype == "application/pdf"
    assert "塩尻花子" in pdf_text(pdf.data) and "招待状" in pdf_text(pdf.data)
    assert pdf_qr_codes(pdf.data) == [link]


def test_a_bad_address_is_refused_on_the_form(admin_phone):
    answer = post(admin_phone, "/admin/members/invite",
                  {"display_name": "x", "email": "not-an-address", "cohort": ""})  # fmt: skip
    assert answer.status_code == 400


def test_the_invitation_is_sent_by_e_mail_through_the_mail_server(admin_phone, smtp, session):
    answer = post(
        admin_phone,
        "/admin/members/invite",
        {"display_name": "塩尻 一郎", "email": "ichiro@example.org", "cohort": ""},
    )
    page = answer.get_data(as_text=True)
    link = re.search(r'data-testid="join-link">([^<]+)<', page).group(1)
    assert "招待をメールで送る" in page
    person = get_user_by_email(session, "ichiro@example.org")
    sent = post(admin_phone, "/admin/members/invitations/email",
                {"secret": secrets_on(page)[0], "back_to": person.id})  # fmt: skip
    assert sent.headers["Location"] == f"/admin/members/{person.id}"
    [message] = smtp.messages
    assert message["To"] == "ichiro@example.org" and message["From"] == "office@example.org"
    assert "招待" in message["Subject"]
    body = message.get_content()
    assert link in body and "塩尻 一郎 さん" in body and "Dear 塩尻 一郎" in body
    person_page = admin_phone.get(f"/admin/members/{person.id}").get_data(as_text=True)
    assert "メール送信" in person_page and "開かれるのを待っています" in person_page
    audit = admin_phone.get("/admin/audit").get_data(as_text=True)
    assert "招待をメールで送った" in audit and "招待した" in audit


def test_a_new_link_on_the_person_page_stops_the_earlier_one(admin_phone, client, session):
    page = post(
        admin_phone,
        "/admin/members/invite",
        {"display_name": "塩尻 花子", "email": "", "cohort": ""},
    ).get_data(as_text=True)
    [first] = secrets_on(page)
    person_id = find_invitation(session, first, utcnow()).user_id
    person_page = admin_phone.get(f"/admin/members/{person_id}").get_data(as_text=True)
    assert "新しい招待リンクを作る" in person_page
    again = post(admin_phone, f"/admin/members/{person_id}/invitation", {})
    [second] = secrets_on(again.get_data(as_text=True))
    assert second != first
    assert admin_phone.get(f"/join/{first}").status_code == 410
    assert admin_phone.get(f"/join/{second}").status_code == 200


def test_the_import_previews_then_invites_and_prints_every_card(admin_phone, session):
    upload = post(admin_phone, "/admin/members/import",
                  {"file": (io.BytesIO(SEASON.encode("cp932")), "season5.csv")},
                  content_type="multipart/form-data")  # fmt: skip
    page = upload.get_data(as_text=True)
    assert upload.status_code == 200
    assert re.findall(r'data-action="(\w+)"', page) == ["invite", "invite", "refused"]
    assert "メールアドレスが正しくありません" in page
    assert get_user_by_email(session, "ichiro@example.org") is None  # nothing written yet
    data = re.search(r'name="data" value="([^"]+)"', page).group(1)
    fingerprint = re.search(r'name="fingerprint" value="([^"]+)"', page).group(1)
    assert base64.b64decode(data) == SEASON.encode("cp932")
    done = post(admin_phone, "/admin/members/import/confirm",
                {"data": data, "fingerprint": fingerprint})  # fmt: skip
    page = done.get_data(as_text=True)
    assert "招待しました: 2 人" in page
    pdf = post(admin_phone, "/admin/members/invitations/cards", {"secret": secrets_on(page)})
    document = pypdfium2.PdfDocument(pdf.data)
    assert len(document) == 2
    document.close()
    again = post(admin_phone, "/admin/members/import/confirm",
                 {"data": data, "fingerprint": fingerprint})  # fmt: skip
    assert again.status_code == 302  # the preview no longer holds: both are here now


def test_a_file_that_cannot_be_read_says_why(admin_phone):
    upload = post(admin_phone, "/admin/members/import",
                  {"file": (io.BytesIO(b"email\na@example.org\n"), "x.csv")},
                  content_type="multipart/form-data")  # fmt: skip
    assert upload.status_code == 400
    assert "1行目に列の見出し" in upload.get_data(as_text=True)


def test_after_an_import_one_button_mails_everyone_with_an_address(admin_phone, smtp):
    upload = post(
        admin_phone,
        "/admin/members/import",
        {"file": (io.BytesIO(SEASON.encode()), "season5.csv")},
        content_type="multipart/form-data",
    )
    page = upload.get_data(as_text=True)
    data = re.search(r'name="data" value="([^"]+)"', page).group(1)
    fingerprint = re.search(r'name="fingerprint" value="([^"]+)"', page).group(1)
    done = post(
        admin_phone, "/admin/members/import/confirm", {"data": data, "fingerprint": fingerprint}
    )
    page = done.get_data(as_text=True)
    assert "招待をメールで送る（1 件）" in page
    mail_form = page[page.index("/admin/members/invitations/email") :]
    sent = post(admin_phone, "/admin/members/invitations/email", {"secret": secrets_on(mail_form)})
    assert sent.status_code == 302
    assert [m["To"] for m in smtp.messages] == ["ichiro@example.org"]
    assert "招待をメールで送りました: 1 件" in admin_phone.get("/admin/members").get_data(
        as_text=True
    )
