"""Sending e-mail through the server named by one URL (ENISHI_SMTP_URL):

- `smtp://user:pass@host:587`: plain connection, upgraded with STARTTLS when the server offers it;
- `smtps://user:pass@host:465`: TLS from the first byte;
- `smtp+plain://host:25`: never TLS (a relay on the same machine, or a test's server).

User and password are optional and percent-encoded in the URL."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlsplit

TIMEOUT = 20  # seconds: a mail server that does not answer must not hold the page forever


class MailError(Exception):
    """The mail server could not be reached or refused the message."""


@dataclass(frozen=True)
class MailServer:
    scheme: str
    host: str
    port: int
    user: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> MailServer:
        parts = urlsplit(url)
        defaults = {"smtp": 587, "smtps": 465, "smtp+plain": 25}
        if parts.scheme not in defaults or not parts.hostname:
            raise ValueError("ENISHI_SMTP_URL must look like smtp://user:pass@host:port")
        return cls(
            scheme=parts.scheme,
            host=parts.hostname,
            port=parts.port or defaults[parts.scheme],
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


def compose(*, sender: str, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(body)  # UTF-8: Japanese text as it is
    return message


def send_messages(url: str, messages: list[EmailMessage], timeout: float = TIMEOUT) -> None:
    """Hands `messages` to the server of `url`, over one connection; a server that does not
    answer for `timeout` seconds is a MailError."""
    server = MailServer.from_url(url)
    try:
        if server.scheme == "smtps":
            connection = smtplib.SMTP_SSL(
                server.host, server.port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            connection = smtplib.SMTP(server.host, server.port, timeout=timeout)
        with connection:
            connection.ehlo()
            if server.scheme == "smtp" and connection.has_extn("starttls"):
                connection.starttls(context=ssl.create_default_context())
                connection.ehlo()
            if server.user:
                connection.login(server.user, server.password or "")
            for message in messages:
                connection.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(str(error)) from error
