"""PDF documents with Japanese text: one page in the embedded (subset) Noto Sans CJK JP font, so
the text stays real text, searchable, and prints the same on every machine.

What is printed is read by the community's members, in Japanese, whatever language the person
printing it reads the site in: build documents inside `printed_language()`."""

from __future__ import annotations

from contextlib import AbstractContextManager

from flask_babel import force_locale
from fpdf import FPDF

from webapp.core.fonts import JAPANESE_FONT
from webapp.core.qr import make_qr

FONT = "noto"
LANGUAGE = "ja"


def printed_language() -> AbstractContextManager[None]:
    """Translations and dates in Japanese for the document built inside it."""
    return force_locale(LANGUAGE)


def new_document(page_format: str | tuple[float, float], title: str, margin: float) -> FPDF:
    pdf = FPDF(format=page_format, unit="mm")
    pdf.set_title(title)
    pdf.set_lang(LANGUAGE)
    pdf.set_creator("Enishi")
    pdf.set_auto_page_break(False)
    pdf.add_font(FONT, fname=str(JAPANESE_FONT))
    pdf.set_margins(margin, margin)
    pdf.add_page()
    pdf.set_y(margin)
    return pdf


def add_qr(pdf: FPDF, data: str, size: float, top: float) -> None:
    """A QR code of `data`, `size` mm wide, centred at `top`."""
    image = make_qr(data).make_image().get_image()
    pdf.image(image, x=(pdf.w - size) / 2, y=top, w=size, h=size)
