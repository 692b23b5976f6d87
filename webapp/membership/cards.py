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


TOKEN_CHARS = 19  # base64url of 14 bytes, without padding


def card_code(user_id: int, key: bytes) -> str:
    raw = _ID.pack(user_id)
    return PREFIX + _encode(raw + _mac(key, raw))


def read_card_code(text: str, key: bytes) -> int | None:
    """The member's user id on a genuine card, else None. Only the one spelling the server
    writes reads back: base64 leaves spare bits and padding that other spellings could vary."""
    text = text.strip()
    if not text.startswith(PREFIX):
        return None
    token = text[len(PREFIX) :]
    if len(token) != TOKEN_CHARS:
        return None
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != _ID.size + MAC_BYTES or _encode(raw) != token:
        return None
    body, mac = raw[: _ID.size], raw[_ID.size :]
    if not hmac.compare_digest(mac, _mac(key, body)):
        return None
    return _ID.unpack(body)[0]


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _mac(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, body, hashlib.sha256).digest()[:MAC_BYTES]
