"""Printed invitations (A6, one a page): for people with no e-mail address, handed over at the
season's last meeting or posted. The person's name, the QR code that opens their invitation,
and what to do with it, in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_date
from flask_babel import gettext as _

from webapp.accounts.login_card_pdf import A6, MARGIN, QR_SIZE, TEXT_WIDTH
from webapp.core.pdf import FONT, add_qr, new_document, printed_language


@dataclass(frozen=True)
class PrintedInvitation:
    display_name: str
    url: str
    expires_at: datetime


def invitation_cards_pdf(cards: list[PrintedInvitation], community: str) -> bytes:
    with printed_language():
        title = _("Invitations to %(community)s", community=community)
        pdf = new_document(A6, title, MARGIN)
        for number, card in enumerate(cards):
            if number:
                pdf.add_page()
                pdf.set_y(MARGIN)
            _card(pdf, card, community)
        return bytes(pdf.output())


def _card(pdf, card: PrintedInvitation, community: str) -> None:
    pdf.set_font(FONT, size=11)
    heading = _("An invitation to %(community)s", community=community)
    pdf.multi_cell(TEXT_WIDTH, 6, heading, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=22)
    pdf.multi_cell(TEXT_WIDTH, 10, card.display_name, align="C", new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y() + 2
    add_qr(pdf, card.url, QR_SIZE - 6, top)
    pdf.set_y(top + QR_SIZE - 4)
    pdf.set_font(FONT, size=11)
    lines = [
        _("Point your phone's camera at this code: your membership starts there."),
        _("It works once. Until: %(date)s", date=format_date(card.expires_at, "long")),
    ]
    for line in lines:
        pdf.multi_cell(TEXT_WIDTH, 6, line, align="L", new_x="LMARGIN", new_y="NEXT")
