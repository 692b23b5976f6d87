import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from webapp.checkin import codes
from webapp.core.qr import make_qr

SECRET = b"s" * 32
OTHER_SECRET = b"o" * 32


def test_round_trip_keeps_event_slot_and_kind():
    token = codes.make_token(42, SECRET, 1_000_000)
    code = codes.parse_token(token)
    assert (code.event_id, code.slot, code.kind) == (42, 1_000_000, codes.KIND_DISPLAY)
    assert codes.is_authentic(code, SECRET)


def test_a_whole_url_parses_like_its_token():
    token = codes.make_token(7, SECRET, 5)
    url = codes.checkin_url("https://enishi.example.jp/", token)
    assert url == f"https://enishi.example.jp/c/{token}"
    assert codes.parse_token(url) == codes.parse_token(token)


@pytest.mark.parametrize("position", range(codes.TOKEN_BYTES))
def test_changing_any_byte_is_detected(position):
    raw = bytearray(base64.urlsafe_b64decode(codes.make_token(42, SECRET, 99) + "="))
    raw[position] ^= 0x01
    forged = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    try:
        code = codes.parse_token(forged)
    except codes.MalformedCode:
        return  # version or kind byte: not a code at all
    assert not codes.is_authentic(code, SECRET)


def test_a_code_does_not_verify_under_another_events_secret():
    code = codes.parse_token(codes.make_token(42, SECRET, 99))
    assert not codes.is_authentic(code, OTHER_SECRET)


@pytest.mark.parametrize("text", ["", "hello", "http://x/c/", "A" * 27, "A" * 200, "!!!!"])
def test_garbage_is_malformed(text):
    with pytest.raises(codes.MalformedCode):
        codes.parse_token(text)


def test_slots_are_thirty_seconds():
    start = datetime(2026, 11, 30, 0, 0, 0, tzinfo=UTC)
    assert codes.slot_at(start + timedelta(seconds=29)) == codes.slot_at(start)
    assert codes.slot_at(start + timedelta(seconds=30)) == codes.slot_at(start) + 1
    assert codes.slot_start(codes.slot_at(start)) == start


def test_a_check_in_url_fits_a_version_5_qr_at_level_m():
    token = codes.make_token(2**32 - 1, SECRET, 2**32 - 1)
    url = codes.checkin_url("https://enishi.shiojiri-dao.example.jp", token)
    assert make_qr(url).version <= 5


def test_only_the_canonical_spelling_of_a_token_is_accepted():
    token = codes.make_token(42, SECRET, 99)
    assert codes.parse_token(token)
    for variant in (token + "=", token[:5] + "*" + token[5:], token[:-1] + "B"):
        if variant != token:
            with pytest.raises(codes.MalformedCode):
                codes.parse_token(variant)


def test_a_display_code_is_live_for_its_slot_and_the_next():
    shown = datetime(2026, 11, 30, 10, 0, 0, tzinfo=UTC)
    slot = codes.slot_at(shown)
    assert codes.is_live(slot, shown)
    assert codes.is_live(slot, shown + timedelta(seconds=59))  # the code rotated once since
    assert codes.slot_age(slot, shown + timedelta(seconds=60)) == 2
    assert not codes.is_live(slot, shown + timedelta(seconds=60))  # too old


def test_a_code_from_a_slot_not_yet_come_is_not_live():
    now = datetime(2026, 11, 30, 10, 0, 0, tzinfo=UTC)
    future = codes.slot_at(now + timedelta(seconds=30))
    assert codes.slot_age(future, now) == -1
    assert not codes.is_live(future, now)


def test_the_display_key_rotates_and_the_printed_key_does_not():
    first = codes.kind_key(SECRET, codes.KIND_DISPLAY, 0)
    # Version 0 is the key every display had before rotation existed: open kiosks keep working.
    assert first == hmac.new(SECRET, b"enishi code key v1 kind 1", hashlib.sha256).digest()
    assert len({first, *(codes.kind_key(SECRET, codes.KIND_DISPLAY, v) for v in (1, 2))}) == 3
    printed = codes.kind_key(SECRET, codes.KIND_PRINTED, 0)
    assert codes.kind_key(SECRET, codes.KIND_PRINTED, 5) == printed

    code = codes.parse_token(codes.make_token(42, SECRET, 99, key_version=1))
    assert codes.is_authentic(code, SECRET, 1)
    assert not codes.is_authentic(code, SECRET, 0) and not codes.is_authentic(code, SECRET, 2)
