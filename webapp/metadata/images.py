"""The tokens' images for wallet apps, drawn with Pillow in the Japanese font Enishi ships
(webapp.core.fonts), so they look the same whatever fonts a machine has: a badge per event (the
community's name, the title wrapped to fit, the date) and the membership card (the community's
name and 会員証, nothing about the member). Dark ink on light paper and white on deep indigo:
high contrast, readable as a small thumbnail."""

from __future__ import annotations

import io
import re
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from webapp.core.fonts import JAPANESE_FONT
from webapp.metadata import wording

SIZE = 600  # square: wallets show tokens as square tiles
THUMBNAIL = 300  # the app's own badge tiles, on screens that need no more
MARGIN = 40
PAPER = (255, 253, 247)
INK = (17, 17, 17)
INDIGO = (31, 42, 90)
WHITE = (255, 255, 255)
FRAME = 8
BAND_HEIGHT = 120
# Where the title goes: wrapped to this width, as large as fits in this height.
TITLE_BOX = (MARGIN, 175, SIZE - MARGIN, 465)
TITLE_SIZES = (56, 48, 40, 34, 28)
LINE_SPACING = 1.3
ELLIPSIS = "…"
# A line never starts with closing punctuation nor ends with an opening bracket (kinsoku).
NO_LINE_START = set(
    "、。，．,.・：；:;？！?!ー～）」』】〕〉》］｝)]}’”ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々"
)
NO_LINE_END = set("（「『【〔〈《［｛([{‘“")
# Runs of printable ASCII are words (never broken unless wider than a line); any other
# character (kana, kanji) may end a line.
PIECES = re.compile(r"[!-~]+| +|.")


@lru_cache(maxsize=32)
def japanese_font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(JAPANESE_FONT), size)


@lru_cache(maxsize=256)
def badge_png(title: str, day: str, community: str, label: str = wording.BADGE) -> bytes:
    """The badge of the event `title`, held on `day` (as written), by `community`; `label`
    says what kind of badge it is (参加証, or a project's 貢献バッジ)."""
    image = Image.new("RGB", (SIZE, SIZE), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, SIZE, BAND_HEIGHT), fill=INDIGO)
    _draw_one_line(draw, community, (44, 36, 30, 24), middle=BAND_HEIGHT // 2, fill=WHITE)
    _draw_one_line(draw, label, (26,), middle=BAND_HEIGHT + 30, fill=INDIGO)
    draw_title(draw, title)
    draw.line((MARGIN, 488, SIZE - MARGIN, 488), fill=INDIGO, width=3)
    _draw_one_line(draw, day, (34, 28), middle=532, fill=INK)
    draw.rectangle((0, 0, SIZE - 1, SIZE - 1), outline=INDIGO, width=FRAME)
    return _png(image)


@lru_cache(maxsize=8)
def card_png(community: str) -> bytes:
    """The membership card: the same for every member, so it says nothing about one."""
    image = Image.new("RGB", (SIZE, SIZE), INDIGO)
    draw = ImageDraw.Draw(image)
    _draw_one_line(draw, community, (56, 48, 40, 32, 26), middle=204, fill=WHITE)
    _draw_one_line(draw, wording.CARD, (104,), middle=332, fill=WHITE)
    draw.line((MARGIN * 3, 430, SIZE - MARGIN * 3, 430), fill=WHITE, width=3)
    _draw_one_line(draw, wording.CARD_IN_ENGLISH, (26,), middle=468, fill=WHITE)
    draw.rectangle((20, 20, SIZE - 21, SIZE - 21), outline=WHITE, width=4)
    return _png(image)


@lru_cache(maxsize=256)
def thumbnail_png(png: bytes) -> bytes:
    """A badge's image (`png`) at THUMBNAIL width, in 64 colours: the artwork has three, the
    rest are its smoothed edges. A fifth of the bytes, for a grid of tiles on a phone."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return _png(image.resize((THUMBNAIL, THUMBNAIL), Image.Resampling.LANCZOS).quantize(64))


def draw_title(draw: ImageDraw.ImageDraw, title: str) -> None:
    """The title in INK, in lines centred in TITLE_BOX, each line drawn at whole pixels."""
    font, lines = fit_title(title)
    left, top, right, bottom = TITLE_BOX
    step = line_step(font)
    y = top + (bottom - top - step * len(lines)) // 2
    for line in lines:
        _draw_centred(draw, line, font, y, INK, left, right)
        y += step


def fit_title(title: str) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest font size at which the wrapped title fits TITLE_BOX, and its lines; at the
    smallest size, a title still too long is cut with an ellipsis."""
    title = " ".join(title.split())
    left, top, right, bottom = TITLE_BOX
    width, height = right - left, bottom - top
    for size in TITLE_SIZES:
        font = japanese_font(size)
        lines = wrap(title, font, width)
        room = height // line_step(font)
        if len(lines) <= room:
            return font, lines
    return font, lines[: room - 1] + [_cut(lines[room - 1], font, width)]


def line_step(font: ImageFont.FreeTypeFont) -> int:
    return round(font.size * LINE_SPACING)


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """`text` in lines no wider than `width`: Japanese breaks between any two characters,
    English between words, and punctuation stays with the character it follows."""
    lines: list[str] = []
    line = ""
    for piece in _pieces(text, font, width):
        if not line or font.getlength((line + piece).rstrip()) <= width:
            line += piece
            continue
        head, tail = line.rstrip(), piece.lstrip()
        while len(head) > 1 and (tail[:1] in NO_LINE_START or head[-1] in NO_LINE_END):
            head, tail = head[:-1], head[-1] + tail
        lines.append(head)
        line = tail
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _pieces(text: str, font: ImageFont.FreeTypeFont, width: int):
    for piece in PIECES.findall(text):
        if font.getlength(piece) > width:
            yield from piece  # a word wider than a line is broken anywhere
        else:
            yield piece


def _cut(line: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    """`line` shortened to end in an ellipsis within `width`: more text followed it."""
    while line and font.getlength(line + ELLIPSIS) > width:
        line = line[:-1]
    return line + ELLIPSIS


def _draw_one_line(
    draw: ImageDraw.ImageDraw, text: str, sizes: tuple[int, ...], middle: int, fill
) -> None:
    """`text` centred on one line around the height `middle`, at the first of `sizes` at which
    it fits (else cut)."""
    width = SIZE - 2 * MARGIN
    for size in sizes:
        font = japanese_font(size)
        if font.getlength(text) <= width:
            break
    else:
        text = _cut(text, font, width)
    # Noto's glyphs sit about 0.6 em above the middle of the line, counted from its top.
    top = middle - font.size * 6 // 10
    _draw_centred(draw, text, font, top, fill, MARGIN, SIZE - MARGIN)


def _draw_centred(draw, text, font, top: int, fill, left: int, right: int) -> None:
    x = left + (right - left - round(font.getlength(text))) // 2
    draw.text((x, top), text, font=font, fill=fill)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
