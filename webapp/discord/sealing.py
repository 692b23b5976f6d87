"""Secrets kept at rest encrypted: the application's secret, the bot's token and each member's
OAuth2 tokens. Fernet (AES-128-CBC with an HMAC, from `cryptography`) under a key derived from
the app's secret key for this one purpose: a copy of the database alone reveals none of them.
A changed secret key leaves them unreadable: the administrator enters the settings again and the
members connect again (`UnreadableSecret`)."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

from webapp.core.keys import derived_key


class UnreadableSecret(Exception):
    """The secret was encrypted under another secret key."""


def _fernet() -> Fernet:
    key = derived_key(current_app.config["SECRET_KEY"], b"discord secrets")
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def unseal(value: str) -> str:
    if not value:
        return ""
    try:
        return _fernet().decrypt(value.encode()).decode()
    except InvalidToken as error:
        raise UnreadableSecret from error
