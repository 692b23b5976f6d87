"""Perk photos: an administrator uploads one from a phone's camera; members' phones get a small,
upright JPEG that tells nothing of where or with what it was taken. Anything else is refused
with a clear error, and nothing is written."""

import io
import re

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from webapp.accounts.models import Role
from webapp.core.errors import DomainError
from webapp.perks.models import Perk
from webapp.perks.services import PHOTO_BYTES, prepare_photo

from ...conftest import csrf_token, log_in

GPS, ORIENTATION, MAKE = 0x8825, 0x0112, 0x010F


def camera_photo(size=(3000, 2000)) -> bytes:
    """A phone's photo: large, noisy (it compresses badly), lying on its side with an EXIF
    orientation to turn it upright, and the camera's make, the place and a colour profile."""
    noise = Image.merge("RGB", [Image.effect_noise(size, 60) for _ in range(3)])
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # turn 90° clockwise to view
    exif[MAKE] = "PhoneMaker"
    exif[GPS] = {1: "N", 2: (36.0, 6.0, 54.0), 3: "E", 4: (137.0, 57.0, 12.0)}
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=95, exif=exif, icc_profile=b"\0" * 128)
    return out.getvalue()


def test_a_phones_photo_becomes_a_small_upright_jpeg_without_metadata():
    sent = camera_photo()
    assert len(sent) > 1024 * 1024  # more than the site lets a request carry elsewhere
    kept = prepare_photo(sent)
    photo = Image.open(io.BytesIO(kept))
    assert photo.format == "JPEG" and len(kept) <= PHOTO_BYTES
    assert photo.size[1] > photo.size[0] and max(photo.size) <= 800  # upright: portrait
    assert dict(photo.getexif()) == {}
    assert "icc_profile" not in photo.info and "exif" not in photo.info


def test_a_transparent_png_is_drawn_on_white():
    out = io.BytesIO()
    Image.new("RGBA", (400, 250), (0, 0, 0, 0)).save(out, "PNG")
    photo = Image.open(io.BytesIO(prepare_photo(out.getvalue())))
    assert photo.mode == "RGB" and photo.getpixel((200, 125)) >= (250, 250, 250)


@pytest.mark.parametrize(
    "data, code",
    [
        (b"%PDF-1.4 the menu", "bad_photo"),
        (b"\x89PNG\r\n\x1a\n broken", "bad_photo"),
        ("gif", "bad_photo"),  # a picture, but not one of the kinds asked for
        ("bomb", "photo_too_large"),  # small to send, huge to decode
        (b"\xff" * (10 * 1024 * 1024 + 1), "photo_too_large"),
    ],
)
def test_what_is_not_a_photo_or_too_large_is_refused(data, code):
    if data == "gif":
        out = io.BytesIO()
        Image.new("RGB", (40, 40), "red").save(out, "GIF")
        data = out.getvalue()
    elif data == "bomb":
        out = io.BytesIO()
        Image.new("1", (10_000, 6_000)).save(out, "PNG")
        data = out.getvalue()
    with pytest.raises(DomainError) as refused:
        prepare_photo(data)
    assert refused.value.code == code


@pytest.fixture
def admin(app, make_user):
    client = app.test_client()
    log_in(client, make_user(Role.ADMIN).email)
    return client


def add_perk(client, shop, photo: tuple[bytes, str], **fields):
    fields = {
        "csrf_token": csrf_token(client, "/admin/perks"),
        "partner_id": str(shop.id),
        "title_ja": "グラスワイン1杯",
        "price": "30",
        "photo": FileStorage(io.BytesIO(photo[0]), photo[1]),
    } | fields
    # Encoded here, in memory: the test client would spool a large body to a temporary file
    # that it never closes.
    boundary, body = encode_multipart(fields)
    content_type = f'multipart/form-data; boundary="{boundary}"'
    return client.post(
        "/admin/perks", data=body, content_type=content_type, follow_redirects=True
    )


def test_an_administrator_uploads_a_phones_photo_with_what_it_shows(admin, session, shop):
    page = add_perk(admin, shop, (camera_photo(), "IMG_0001.JPG"), photo_alt="赤ワインのグラス")
    assert page.status_code == 200 and "保存しました。" in page.get_data(as_text=True)
    perk = session.query(Perk).one()
    assert perk.photo_alt == "赤ワインのグラス" and len(perk.photo) <= PHOTO_BYTES


def test_an_upload_that_is_not_a_photo_says_so_and_writes_nothing(admin, session, shop):
    page = add_perk(admin, shop, (b"%PDF-1.4 the menu", "menu.pdf")).get_data(as_text=True)
    assert re.search(r'role="alert">.*写真は JPEG・PNG・WebP の画像にしてください。', page, re.S)
    assert session.query(Perk).count() == 0


def test_the_larger_limit_for_photos_is_for_administrators_alone(app, member, shop):
    outsider = app.test_client()
    log_in(outsider, member.email)
    answer = add_perk(outsider, shop, (b"\0" * (2 * 1024 * 1024), "big.jpg"))
    assert answer.status_code == 413  # the site's own limit, before any form is read
