"""PDF documents with Japanese text: one page in the embedded (subset) Noto Sans CJK JP font, so
the text stays real text, searchable, and prints the same on every machine."""

from __future__ import annotations

from fpdf import FPDF

from webapp.core.fonts import JAPANESE_FONT
from webapp.core.qr import make_qr

FONT = "noto"


def new_document(page_format: str | tuple[float, float], title: str, margin: float) -> FPDF:
    pdf = FPDF(format=page_format, unit="mm")
    pdf.set_title(title)
    pdf.set_lang("ja")
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
