"""Check-in codes: `<base>/c/<token>`, the token carrying event, time slot and a MAC.

Token layout (20 bytes, base64url without padding = 27 characters, so the whole URL fits a
version 4-5 QR code at level M):

    version (1) | kind (1) | event id (4) | slot (4) | HMAC-SHA256(key, first 10 bytes)[:10]

where key = kind_key(event secret, kind, display key version).

The display key has a version (the event's `display_key_version`): stopping a display link
rotates it, so that the stopped tablet's copy of the key makes no code that counts any more.
The printed key has none: a poster is printed once and must keep working.

A display code's slot is the 30-second step of the time it was shown: the kiosk rotates it,
and a claim arriving live may carry the current or the previous slot. A printed code (on a
poster) never changes: its slot is 0 and it is valid while the event's check-in is open, the
weakest proof (anyone can photograph a poster), so an event may add a secret word to it.
Pure functions only: an event is read for its id and secret, never loaded here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from webapp.events.models import Event

VERSION = 1
KIND_DISPLAY = 1
KIND_PRINTED = 2
KINDS = {KIND_DISPLAY, KIND_PRINTED}
PRINTED_SLOT = 0
SLOT_SECONDS = 30
SLOT_LENGTH = timedelta(seconds=SLOT_SECONDS)
MAC_BYTES = 10
_HEADER = struct.Struct(">BBII")
TOKEN_BYTES = _HEADER.size + MAC_BYTES
MAX_TOKEN_CHARS = 64


class MalformedCode(ValueError):
    """The text is not a check-in code at all."""


@dataclass(frozen=True)
class CheckinCode:
    event_id: int
    slot: int
    kind: int
    mac: bytes

    def header(self) -> bytes:
        return _HEADER.pack(VERSION, self.kind, self.event_id, self.slot)


def slot_at(moment: datetime) -> int:
    return int(moment.timestamp()) // SLOT_SECONDS


def slot_start(slot: int) -> datetime:
    return datetime.fromtimestamp(slot * SLOT_SECONDS, UTC)


def kind_key(secret: bytes, kind: int, key_version: int = 0) -> bytes:
    """The key that signs one kind of code, derived from the event's secret. A display's key
    is handed to the kiosk page (which computes rotating codes offline); holding it lets one
    make display codes, nothing more. `key_version` counts the display key's rotations (0 is
    the key every event started with); it changes nothing for printed codes."""
    label = b"enishi code key v1 kind %d" % kind
    if kind == KIND_DISPLAY and key_version:
        label += b" rotation %d" % key_version
    return hmac.new(secret, label, hashlib.sha256).digest()


def make_token(
    event_id: int, secret: bytes, slot: int, kind: int = KIND_DISPLAY, key_version: int = 0
) -> str:
    header = _HEADER.pack(VERSION, kind, event_id, slot)
    return _encode(header + _mac(kind_key(secret, kind, key_version), header))


def parse_token(text: str) -> CheckinCode:
    """Reads a token, or a whole check-in URL, without checking its MAC."""
    token = text.strip().rstrip("/").rsplit("/c/", 1)[-1]
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise MalformedCode("not a check-in code")
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MalformedCode("not base64url") from exc
    if len(raw) != TOKEN_BYTES or _encode(raw) != token:
        raise MalformedCode("wrong length or not the canonical spelling")
    version, kind, event_id, slot = _HEADER.unpack(raw[: _HEADER.size])
    if version != VERSION or kind not in KINDS:
        raise MalformedCode("unknown version or kind")
    return CheckinCode(event_id=event_id, slot=slot, kind=kind, mac=raw[_HEADER.size :])


def slot_age(slot: int, observed_at: datetime) -> int:
    """How many slots before `observed_at` the code was shown: 0 for the current slot, 1 for
    the previous one, negative for a slot that has not come yet."""
    return slot_at(observed_at) - slot


def is_live(slot: int, observed_at: datetime) -> bool:
    """A display code seen live may be from the current or the previous slot: a phone that
    read it just before it rotated must still count."""
    return 0 <= slot_age(slot, observed_at) <= 1


def is_authentic(code: CheckinCode, secret: bytes, key_version: int = 0) -> bool:
    """Whether the code was signed with the event's key of its kind; a display code only with
    the display key of `key_version` (the current one: see the check-in decision)."""
    key = kind_key(secret, code.kind, key_version)
    return hmac.compare_digest(code.mac, _mac(key, code.header()))


def make_printed_token(event_id: int, secret: bytes) -> str:
    return make_token(event_id, secret, PRINTED_SLOT, KIND_PRINTED)


def same_word(typed: str | None, word: str) -> bool:
    """Whether a typed secret word is the event's, forgiving what people type differently:
    full- or half-width, upper or lower case, katakana or hiragana, spaces around it."""
    return hmac.compare_digest(_plain_word(typed or "").encode(), _plain_word(word).encode())


def _plain_word(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip().casefold()
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def get_printed_code(event: Event, base_url: str) -> str:
    """The URL in the poster's QR code: it never changes and is valid while check-in is open."""
    return checkin_url(base_url, make_printed_token(event.id, event.secret))


@dataclass(frozen=True)
class DisplayCode:
    """The code a display shows now, and when it changes."""

    token: str
    url: str
    slot: int
    refresh_in_ms: int


def get_display_code(event: Event, base_url: str, now: datetime) -> DisplayCode:
    slot = slot_at(now)
    token = make_token(event.id, event.secret, slot, key_version=event.display_key_version)
    changes_at = slot_start(slot + 1)
    return DisplayCode(
        token=token,
        url=checkin_url(base_url, token),
        slot=slot,
        refresh_in_ms=max(int((changes_at - now).total_seconds() * 1000), 250),
    )


@dataclass(frozen=True)
class KioskSetup:
    """What the display page needs to compute rotating codes itself, offline."""

    key: str  # the display key, base64url: it reaches the event's organisers and display links
    base_url: str
    slot_seconds: int
    server_time_ms: int


def get_kiosk_setup(event: Event, base_url: str, now: datetime) -> KioskSetup:
    key = kind_key(event.secret, KIND_DISPLAY, event.display_key_version)
    return KioskSetup(
        key=base64.urlsafe_b64encode(key).rstrip(b"=").decode("ascii"),
        base_url=base_url.rstrip("/"),
        slot_seconds=SLOT_SECONDS,
        server_time_ms=int(now.timestamp() * 1000),
    )


def checkin_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/c/{token}"


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _mac(secret: bytes, header: bytes) -> bytes:
    return hmac.new(secret, header, hashlib.sha256).digest()[:MAC_BYTES]
