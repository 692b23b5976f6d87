"""Checking in people without a phone: the organiser scans their member card or finds them by
name; the check-in records who made it."""

import base64
import re
import string

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from webapp.checkin.services import list_attendances
from webapp.membership.cards import MAC_BYTES, PREFIX, card_code, card_key, read_card_code

from ...conftest import csrf_token, log_in


@pytest.fixture
def event(make_event):
    return make_event(title="公民館の大掃除")


def post(client, event, **data):
    data["csrf_token"] = csrf_token(client, f"/events/{event.id}/checkin")
    response = client.post(f"/events/{event.id}/checkin", data=data, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def card_of(app, user) -> str:
    return card_code(user.id, card_key(app.secret_key))


KEY = card_key("test-secret")
B64 = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"


def test_a_member_card_reads_back_only_when_genuine():
    code = card_code(1234, KEY)
    assert read_card_code(code, KEY) == 1234
    assert read_card_code(f"  {code}\n", KEY) == 1234  # as a scanner may type it
    assert read_card_code(code, card_key("another secret")) is None
    assert read_card_code("https://example.org/c/abc", KEY) is None


@pytest.mark.parametrize("position", range(4 + MAC_BYTES))  # the user id, then the MAC
def test_changing_any_byte_of_a_card_is_detected(position):
    raw = bytearray(base64.urlsafe_b64decode(card_code(1234, KEY).removeprefix(PREFIX) + "="))
    raw[position] ^= 0x01
    forged = PREFIX + base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    assert read_card_code(forged, KEY) is None


def test_only_the_canonical_spelling_of_a_card_reads_back():
    code = card_code(1234, KEY)
    last = code[-1]
    # The last character carries two unused bits: flipping them spells the same bytes.
    same_bytes = code[:-1] + B64[B64.index(last) ^ 0b01]
    assert base64.urlsafe_b64decode(same_bytes.removeprefix(PREFIX) + "=") == (
        base64.urlsafe_b64decode(code.removeprefix(PREFIX) + "=")
    )
    for variant in (
        same_bytes,
        code + "=",
        code + "==",
        PREFIX + code.removeprefix(PREFIX).lower(),
        code + "A" * 100,
    ):
        assert read_card_code(variant, KEY) is None, variant


def test_scanning_a_member_card_checks_the_member_in_and_records_who_did(
    app, organiser_client, session, organiser, member, event
):
    page = post(organiser_client, event, card=card_of(app, member))
    assert f"{member.display_name} さんをチェックインしました。" in page
    [attendance] = list_attendances(session, event)
    assert attendance.user_id == member.id
    assert (attendance.claim.via, attendance.claim.recorded_by_id) == ("card", organiser.id)
    listed = organiser_client.get(f"/events/{event.id}/activity").get_data(as_text=True)
    assert f"主催者が会員カードを読み取り ({organiser.display_name})" in listed

    again = post(organiser_client, event, card=card_of(app, member))
    assert "すでにチェックインしています" in again
    assert len(list_attendances(session, event)) == 1


def test_a_forged_card_checks_nobody_in(organiser_client, session, member, event):
    forged = card_code(member.id, card_key("not the server's key"))
    assert "これは縁の会員カードではありません。" in post(organiser_client, event, card=forged)
    assert list_attendances(session, event) == []


def test_finding_a_member_by_name_and_checking_them_in(organiser_client, session, make_user, event):
    hanako = make_user()
    hanako.display_name = "塩尻 花子"
    outsider = make_user(member=False)
    outsider.display_name = "塩尻 花男"
    session.commit()

    found = organiser_client.get(f"/events/{event.id}/checkin?q=花").get_data(as_text=True)
    assert "塩尻 花子" in found and "塩尻 花男" not in found  # members only
    assert f'name="user_id" value="{hanako.id}"' in found
    page = post(organiser_client, event, user_id=hanako.id, q="花")
    assert "塩尻 花子 さんをチェックインしました。" in page
    [attendance] = list_attendances(session, event)
    assert attendance.claim.via == "search"
    assert f'name="user_id" value="{hanako.id}"' not in page  # listed as checked in now


def test_someone_who_is_not_a_member_is_not_checked_in(organiser_client, session, make_user, event):
    outsider = make_user(member=False)
    page = post(organiser_client, event, user_id=outsider.id)
    assert f"{outsider.display_name} さんはまだ会員ではありません。" in page
    assert list_attendances(session, event) == []


def test_a_member_sees_and_can_print_their_own_card(client, member):
    log_in(client, member.email)
    page = client.get("/wallet/card").get_data(as_text=True)
    assert member.display_name in page
    assert f'aria-label="{member.display_name} さんの会員カード"' in page


def test_the_qr_code_on_a_members_card_page_checks_them_in(
    app, organiser_client, session, member, event
):
    phone = app.test_client()
    log_in(phone, member.email)
    page = phone.get("/wallet/card").get_data(as_text=True)
    [svg] = re.findall(r'<div class="qr">(<svg\b.*?</svg>)', page, re.S)  # not the icons
    [read] = zxingcpp.read_barcodes(rasterise_qr_svg(svg), formats=zxingcpp.BarcodeFormat.QRCode)
    assert read.text.startswith(PREFIX)

    done = post(organiser_client, event, card=read.text)
    assert f"{member.display_name} さんをチェックインしました。" in done
    [attendance] = list_attendances(session, event)
    assert (attendance.user_id, attendance.claim.via) == (member.id, "card")


def rasterise_qr_svg(svg: str, scale: int = 8) -> Image.Image:
    """The QR code's SVG (a viewBox and one path of unit squares, `Mx,yHx'Vy'Hxz`) drawn as a
    printer would: black squares on white. Anything else in the path fails the test."""
    width, height = (int(n) for n in re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups())
    [path] = re.findall(r'<path d="([^"]*)"', svg)
    square = re.compile(r"M(\d+),(\d+)H(\d+)V(\d+)H\1z")
    squares = square.findall(path)
    assert squares and "".join(m.group(0) for m in square.finditer(path)) == path
    image = Image.new("L", (width * scale, height * scale), 255)
    draw = ImageDraw.Draw(image)
    for left, top, right, bottom in squares:
        box = [int(left) * scale, int(top) * scale, int(right) * scale - 1, int(bottom) * scale - 1]
        draw.rectangle(box, fill=0)
    return image
