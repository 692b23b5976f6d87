"""Reading generated PDFs as a person would: their text (as PDFium, Chrome's PDF engine, finds
it) and their QR codes (the page rendered to an image, then decoded)."""

import re

import pypdfium2
import zxingcpp


def pdf_text(pdf: bytes) -> str:
    """The text of every page, without whitespace."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        pages = [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()
    return re.sub(r"\s+", "", "".join(pages))


def pdf_qr_codes(pdf: bytes) -> list[str]:
    """The QR codes on the first page, rendered as a printer or a phone camera would see it."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=2).to_pil()
    finally:
        document.close()
    return [
        found.text
        for found in zxingcpp.read_barcodes(image)
        if found.format == zxingcpp.BarcodeFormat.QRCode
    ]
