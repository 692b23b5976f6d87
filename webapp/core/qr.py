"""QR codes as inline SVG, drawn on the server (no image files, no scripts needed)."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def make_qr(data: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=10)
    qr.add_data(data)
    qr.make(fit=True)
    return qr


def qr_svg(data: str, label: str = "") -> str:
    """An SVG QR code that scales to its container."""
    image = make_qr(data).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="unicode")
    if label:
        svg = svg.replace("<svg ", f'<svg role="img" aria-label="{_escape(label)}" ', 1)
    return svg


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
