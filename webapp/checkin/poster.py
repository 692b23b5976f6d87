"""The event's printable A4 poster: title, date and venue, a large QR code of the printed check-in
code with its link written out, and three plain steps. The text is real text in the embedded
(subset) Japanese font, so the PDF is searchable and prints the same everywhere."""

from __future__ import annotations

from flask_babel import format_datetime
from flask_babel import gettext as _

from webapp.core.i18n import local_day
from webapp.core.pdf import FONT, add_qr, new_document, printed_language
from webapp.events.models import Event

PAGE_WIDTH, MARGIN = 210, 15
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
QR_SIZE = 120  # mm: readable from a few metres, and by old phone cameras close up
DAY_AND_TIME, TIME = "yyyy/MM/dd (EEE) HH:mm", "HH:mm"


def poster_pdf(event: Event, url: str) -> bytes:
    with printed_language():
        return _poster(event, url)


def when(event: Event) -> str:
    """When the event is on, in Japan: `2026/11/28 (土) 10:00 – 16:00`, or with the end's date
    too when it ends on another day."""
    one_day = local_day(event.starts_at) == local_day(event.ends_at)
    end = format_datetime(event.ends_at, TIME if one_day else DAY_AND_TIME)
    return f"{format_datetime(event.starts_at, DAY_AND_TIME)} – {end}"


def _poster(event: Event, url: str) -> bytes:
    pdf = new_document("A4", event.title, MARGIN)
    pdf.set_font(FONT, size=30)
    pdf.multi_cell(TEXT_WIDTH, 13, event.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=15)
    place = f"{when(event)}\n{event.venue}"
    pdf.multi_cell(TEXT_WIDTH, 8, place, align="C", new_x="LMARGIN", new_y="NEXT")

    top = pdf.get_y() + 4
    add_qr(pdf, url, QR_SIZE, top)
    pdf.set_y(top + QR_SIZE + 1)
    pdf.set_font(FONT, size=10)
    pdf.multi_cell(TEXT_WIDTH, 5, url, align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.ln(4)
    pdf.set_font(FONT, size=16)
    steps = [
        _("1. Point your phone's camera at this QR code."),
        _("2. Open the link that appears (or scan it in Enishi's 'Scan' page)."),
        _("3. When the phone says 'Checked in', you are done."),
    ]
    if event.secret_word:
        steps.append(_("You will be asked for the secret word: the organiser says it aloud."))
    for step in steps:
        pdf.multi_cell(TEXT_WIDTH, 9, step, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
