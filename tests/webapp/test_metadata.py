"""Token metadata as wallet apps read it: a badge's ERC-1155 metadata JSON and a membership card's
ERC-721 metadata JSON, valid against the standards' schemas, and their images, whose Japanese
text is real glyphs of the shipped font, not tofu boxes."""

import io
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from jsonschema import FormatChecker, ValidationError, validate
from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageStat

from chain.artifacts import load_artifact
from webapp.config import load_config
from webapp.core.db import utcnow
from webapp.core.fonts import JAPANESE_FONT
from webapp.membership.services import get_membership
from webapp.metadata import images
from webapp.onchain.worker import run_once

# EIP-1155's "ERC-1155 Metadata URI JSON Schema", plus `required` for what Enishi promises.
ERC1155_METADATA = {
    "title": "Token Metadata",
    "type": "object",
    "required": ["name", "description", "image", "properties"],
    "properties": {
        "name": {"type": "string", "description": "Identifies the asset"},
        "decimals": {"type": "integer", "description": "Decimal places of the token amount"},
        "description": {"type": "string", "description": "Describes the asset"},
        "image": {"type": "string", "format": "uri", "description": "A URI to the image"},
        "properties": {"type": "object", "description": "Arbitrary properties"},
    },
}
# ERC-721's "ERC721 Metadata JSON Schema"; its image is "a URI", so it is checked as one.
ERC721_METADATA = {
    "title": "Asset Metadata",
    "type": "object",
    "required": ["name", "description", "image"],
    "properties": {
        "name": {"type": "string", "description": "Identifies the asset"},
        "description": {"type": "string", "description": "Describes the asset"},
        "image": {"type": "string", "format": "uri", "description": "A URI to the image"},
    },
}

# jsonschema checks "uri" only with an optional package; wallets need absolute http(s) URLs.
FORMATS = FormatChecker(formats=())


@FORMATS.checks("uri")
def is_absolute_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


TITLE = "塩尻ワイン講座"
# 10:00 on 30 November in Japan, still the 29th in UTC.
STARTS = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


@pytest.fixture
def event(make_event):
    return make_event(title=TITLE, starts_at=STARTS, ends_at=STARTS + timedelta(hours=2))


def hex_id(number: int) -> str:
    return f"{number:064x}"


def card_id(user) -> str:
    return str(int(user.address, 16))


def get_png(client, url: str) -> Image.Image:
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert image.format == "PNG"
    return image.convert("RGB")


# -- badges --------------------------------------------------------------------------------


def test_badge_metadata_is_erc1155_metadata_with_a_png_image(client, event):
    token = hex_id(event.id)
    response = client.get(f"/badges/{token}.json")

    assert response.status_code == 200
    metadata = response.get_json()
    validate(metadata, ERC1155_METADATA, format_checker=FORMATS)
    assert metadata["name"] == TITLE
    assert "塩尻DAO" in metadata["description"] and TITLE in metadata["description"]
    assert "参加" in metadata["description"]
    assert metadata["image"] == f"http://localhost/badges/{token}.png"
    assert metadata["properties"] == {
        "date": "2026-11-30",  # the day in Japan
        "venue": "えんぱーく",
        "community": "塩尻DAO",
    }
    assert get_png(client, metadata["image"]).size == (images.SIZE, images.SIZE)


def test_the_schema_check_refuses_a_relative_image_url():
    with pytest.raises(ValidationError):
        validate({"name": "x", "image": "/badges/1.png"}, ERC1155_METADATA, format_checker=FORMATS)


def test_a_decimal_id_names_the_same_badge(client, event):
    metadata = client.get(f"/badges/{event.id}.json").get_json()

    assert metadata["name"] == TITLE
    assert metadata["image"] == f"http://localhost/badges/{event.id}.png"
    assert client.get(f"/badges/{event.id}.png").mimetype == "image/png"


def test_the_apps_own_tiles_get_the_same_badge_smaller(client, event):
    full = client.get(f"/badges/{event.id}.png")
    small = client.get(f"/badges/{event.id}.png?w={images.THUMBNAIL}")
    assert small.status_code == 200 and small.mimetype == "image/png"
    tile = Image.open(io.BytesIO(small.data)).convert("RGB")
    assert tile.size == (images.THUMBNAIL, images.THUMBNAIL)
    assert len(small.data) * 3 < len(full.data)
    # The same artwork scaled down, not another drawing: it matches the full image shrunk.
    shrunk = Image.open(io.BytesIO(full.data)).convert("RGB").resize(tile.size)
    assert max(ImageStat.Stat(ImageChops.difference(tile, shrunk)).mean) < 3
    # Any other width is the full image: nobody can make the server draw arbitrary sizes.
    assert client.get(f"/badges/{event.id}.png?w=5000").data == full.data


def test_metadata_is_public_cacheable_and_readable_from_any_origin(client, event, member):
    for path in (
        f"/badges/{hex_id(event.id)}.json",
        f"/badges/{hex_id(event.id)}.png",
        f"/cards/{card_id(member)}",
        f"/cards/{card_id(member)}.png",
    ):
        response = client.get(path)  # nobody logged in
        assert response.status_code == 200, path
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers["Cache-Control"] == "public, max-age=300"


def test_an_unchanged_image_is_not_sent_again(client, event):
    first = client.get(f"/badges/{event.id}.png")
    again = client.get(f"/badges/{event.id}.png", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_metadata_is_japanese_whatever_the_requesters_language(client, event):
    japanese = client.get(f"/badges/{event.id}.json").get_json()
    with client.session_transaction() as browser:
        browser["lang"] = "en"
    assert client.get(f"/badges/{event.id}.json").get_json() == japanese


@pytest.mark.parametrize(
    "token",
    [
        hex_id(999_999),  # no such event
        hex_id(0),
        hex_id(2**31),  # beyond any event id (PostgreSQL's integer); 2**32 up: projects' badges
        "0x1",
        "1.0",
        "-1",
        "01",  # decimal ids have no leading zeros
        "abc",
        "A" * 64,  # EIP-1155 ids are lowercase
        "1" * 63 + "g",
    ],
)
def test_unknown_or_malformed_badge_ids_are_json_404s(client, event, token):
    for path in (f"/badges/{token}.json", f"/badges/{token}.png"):
        response = client.get(path, headers={"Accept": "*/*"})
        assert response.status_code == 404, path
        assert response.get_json()["error"] == "unknown_event"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "max-age" not in response.headers.get("Cache-Control", "")


def test_the_community_name_is_a_setting(app, client, event, monkeypatch):
    monkeypatch.setenv("ENISHI_COMMUNITY_NAME", "縁DAO")
    assert load_config()["COMMUNITY_NAME"] == "縁DAO"
    monkeypatch.delenv("ENISHI_COMMUNITY_NAME")
    assert load_config()["COMMUNITY_NAME"] == "塩尻DAO"

    app.config["COMMUNITY_NAME"] = "縁DAO"
    metadata = client.get(f"/badges/{event.id}.json").get_json()
    assert metadata["properties"]["community"] == "縁DAO"
    assert "縁DAO" in metadata["description"]


# -- membership cards ----------------------------------------------------------------------


def test_a_members_card_has_erc721_metadata_naming_no_one(client, session, member):
    # Joined at 01:00 on 1 April in Japan, still 31 March in UTC.
    get_membership(session, member).issued_at = datetime(2026, 3, 31, 16, 0, tzinfo=UTC)
    token = card_id(member)
    response = client.get(f"/cards/{token}")

    assert response.status_code == 200
    metadata = response.get_json()
    validate(metadata, ERC721_METADATA, format_checker=FORMATS)
    assert metadata["name"] == "塩尻DAO 会員証"
    assert metadata["image"] == f"http://localhost/cards/{token}.png"
    assert {"trait_type": "入会日", "value": "2026-04-01"} in metadata["attributes"]
    text = json.dumps(metadata, ensure_ascii=False)
    assert member.display_name not in text and member.email not in text
    assert get_png(client, metadata["image"]).size == (images.SIZE, images.SIZE)


def test_only_a_members_address_has_a_card(client, session, make_user, organiser, member):
    not_member = make_user(member=False)
    revoked = make_user()
    get_membership(session, revoked).revoked_at = utcnow()
    session.commit()

    for token in (
        card_id(not_member),
        card_id(organiser),
        card_id(revoked),
        str(int(member.address, 16) + 1),  # nobody's address
        str(2**160 + int(member.address, 16)),  # beyond any address
        "0" + card_id(member),
        member.address,
        "0",
        "abc",
    ):
        for path in (f"/cards/{token}", f"/cards/{token}.png"):
            response = client.get(path)
            assert response.status_code == 404, path
            assert response.get_json()["error"] == "no_such_card"
    assert client.get(f"/cards/{card_id(member)}").status_code == 200


def test_the_contracts_point_wallets_at_this_metadata(client, session, chain, event, member):
    badge = chain.w3.eth.contract(
        address=chain.addresses.badge, abi=load_artifact("ParticipationBadge")["abi"]
    )
    # Wallets put the id in for {id}, as 64 lowercase hex digits (EIP-1155).
    uri = badge.functions.uri(event.id).call().replace("{id}", hex_id(event.id))
    assert client.get(urlsplit(uri).path).get_json()["name"] == TITLE

    run_once(session, chain, batch_size=100)  # the member's card goes on chain
    assert chain.has_card(member.address)
    card = chain.w3.eth.contract(
        address=chain.addresses.card, abi=load_artifact("MembershipCard")["abi"]
    )
    uri = card.functions.tokenURI(int(member.address, 16)).call()
    assert uri == f"http://localhost/cards/{card_id(member)}"
    assert client.get(urlsplit(uri).path).get_json()["name"] == "塩尻DAO 会員証"


# -- images: Japanese glyphs, not tofu -----------------------------------------------------


def ink(image: Image.Image, paper) -> Image.Image:
    """The part of `image` drawn on, cropped tight."""
    box = ImageChops.difference(image, Image.new("RGB", image.size, paper)).getbbox()
    assert box is not None, "nothing is drawn"
    return image.crop(box)


def rendering(text: str, font) -> Image.Image:
    """`text` drawn on its own, in `font`, as the badge's title is drawn (ink on paper)."""
    canvas = Image.new("RGB", (1200, 300), images.PAPER)
    ImageDraw.Draw(canvas).text((20, 20), text, font=font, fill=images.INK)
    return ink(canvas, images.PAPER)


def same_pixels(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and a.tobytes() == b.tobytes()


def test_the_badge_image_draws_the_title_in_japanese_glyphs_not_tofu(client, event):
    badge = get_png(client, f"/badges/{hex_id(event.id)}.png")
    title_area = ink(badge.crop(images.TITLE_BOX), images.PAPER)

    size = images.TITLE_SIZES[0]  # a short title is drawn at the largest size, on one line
    noto = ImageFont.truetype(str(JAPANESE_FONT), size)
    assert same_pixels(title_area, rendering(TITLE, noto))

    # The comparison tells glyphs from tofu: a font with no Japanese draws the same boxes for
    # any Japanese text of this length, which is not what the badge shows.
    no_japanese = ImageFont.load_default(size)
    tofu = rendering(TITLE, no_japanese)
    assert same_pixels(tofu, rendering("あいうえおかき", no_japanese))
    assert not same_pixels(title_area, tofu)
    assert not same_pixels(rendering("あいうえおかき", noto), rendering(TITLE, noto))


def test_long_titles_wrap_inside_the_title_box():
    left, top, right, bottom = images.TITLE_BOX
    title = (
        "塩尻市民交流センター「えんぱーく」で語ろう！"
        "地域の未来とDAOの可能性について、Open Data Day 2026"
    )
    font, lines = images.fit_title(title)

    assert len(lines) > 1
    assert "".join(lines).replace(" ", "") == title.replace(" ", "")
    assert "Open Data Day 2026" in lines[-1]  # English breaks between words
    assert all(font.getlength(line) <= right - left for line in lines)
    assert images.line_step(font) * len(lines) <= bottom - top
    assert not any(line[0] in "、。」！" for line in lines)  # no line starts with punctuation

    font, lines = images.fit_title("縁" * 200)
    assert lines[-1].endswith("…")
    assert images.line_step(font) * len(lines) <= bottom - top
