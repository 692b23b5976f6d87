"""The printed login card (A6): the member's name in large type, the QR code that logs them in
on a new phone, and what to do with it, in plain words."""

from __future__ import annotations

from flask_babel import gettext as _

from webapp.core.pdf import FONT, add_qr, new_document, printed_language

A6 = (105, 148)  # mm, portrait: fpdf2 knows A4 and A5 by name, not A6
WIDTH, MARGIN = A6[0], 8
TEXT_WIDTH = WIDTH - 2 * MARGIN
QR_SIZE = 70


def login_card_pdf(display_name: str, url: str) -> bytes:
    with printed_language():
        return _login_card(display_name, url)


def _login_card(display_name: str, url: str) -> bytes:
    pdf = new_document(A6, _("Login card of %(name)s", name=display_name), MARGIN)
    pdf.set_font(FONT, size=11)
    pdf.multi_cell(TEXT_WIDTH, 6, _("Enishi login card"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=24)
    pdf.multi_cell(TEXT_WIDTH, 11, display_name, align="C", new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y() + 2
    add_qr(pdf, url, QR_SIZE, top)
    pdf.set_y(top + QR_SIZE + 2)
    pdf.set_font(FONT, size=11)
    lines = [
        _("Point your phone's camera at this code to log in to Enishi. No password needed."),
        _("Keep this card safe. If you lose it, tell the office: they will stop it."),
    ]
    for line in lines:
        pdf.multi_cell(TEXT_WIDTH, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
