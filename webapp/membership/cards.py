"""Member cards: a printable card whose QR code carries the member's id, signed by the server,
so that an organiser's phone can check in someone who carries no smartphone.

    ENISHI-M1-<base64url(user id (4) | HMAC-SHA256(key, user id)[:10])>

The key is derived from the app's secret key; a forged or altered card reads as no card.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct

from webapp.core.keys import derived_key

PREFIX = "ENISHI-M1-"
MAC_BYTES = 10
_ID = struct.Struct(">I")


def card_key(secret_key: str | bytes) -> bytes:
    return derived_key(secret_key, b"enishi member card v1")


def card_code(user_id: int, key: bytes) -> str:
    raw = _ID.pack(user_id)
    token = base64.urlsafe_b64encode(raw + _mac(key, raw)).rstrip(b"=").decode("ascii")
    return PREFIX + token


def read_card_code(text: str, key: bytes) -> int | None:
    """The member's user id on a genuine card, else None."""
    text = text.strip()
    if not text.startswith(PREFIX):
        return None
    token = text[len(PREFIX) :]
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != _ID.size + MAC_BYTES:
        return None
    body, mac = raw[: _ID.size], raw[_ID.size :]
    if not hmac.compare_digest(mac, _mac(key, body)):
        return None
    return _ID.unpack(body)[0]


def _mac(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, body, hashlib.sha256).digest()[:MAC_BYTES]
