"""The mail client speaks to a real SMTP server (aiosmtpd, started here): the URL's user and
password log in, Japanese text arrives as it was written, and a server that does not answer is
a MailError, not a crash."""

from __future__ import annotations

import socket
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from webapp.core.mail import MailError, MailServer, compose, send_messages


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    def __init__(self):
        self.messages, self.logins = [], []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, data):
        if isinstance(data, LoginPassword):
            self.logins.append((data.login.decode(), data.password.decode()))
            return AuthResult(success=data.password == b"p@ss word")
        return AuthResult(success=False)


@pytest.fixture
def server():
    mailbox, port = Mailbox(), free_port()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=port, authenticator=mailbox.authenticate,
        auth_require_tls=False,
    )  # fmt: skip
    controller.start()
    yield mailbox, port
    controller.stop()


def message():
    return compose(sender="office@example.org", to="hanako@example.org",
                   subject="塩尻DAO への招待状", body="塩尻 花子 さん\n\nようこそ。")  # fmt: skip


def test_the_url_names_the_server_and_its_login():
    server = MailServer.from_url("smtps://office%40example.org:p%40ss@mail.example.org")
    assert (server.host, server.port, server.user, server.password) == (
        "mail.example.org", 465, "office@example.org", "p@ss"
    )  # fmt: skip
    assert MailServer.from_url("smtp://mail.example.org").port == 587
    with pytest.raises(ValueError):
        MailServer.from_url("http://mail.example.org")


def test_a_message_arrives_with_its_japanese_text_after_logging_in(server):
    mailbox, port = server
    send_messages(f"smtp://office:p%40ss%20word@127.0.0.1:{port}", [message()])
    assert mailbox.logins == [("office", "p@ss word")]
    [received] = mailbox.messages
    assert received["Subject"] == "塩尻DAO への招待状"
    assert received.get_content().startswith("塩尻 花子 さん")


def test_a_wrong_password_or_no_server_is_a_mail_error(server):
    _, port = server
    with pytest.raises(MailError):
        send_messages(f"smtp://office:wrong@127.0.0.1:{port}", [message()], timeout=2)
    with pytest.raises(MailError):
        send_messages(f"smtp+plain://127.0.0.1:{free_port()}", [message()])
