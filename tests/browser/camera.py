"""Chromium's fake camera plays a Y4M file: write one that shows a QR code (or nothing)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from webapp.core.qr import make_qr

WIDTH, HEIGHT = 640, 480
FRAMES = 10


def write_y4m(path: Path, text: str | None) -> Path:
    """A short video of `text` as a QR code on white (a blank white video for None)."""
    frame = Image.new("RGB", (WIDTH, HEIGHT), "white")
    if text is not None:
        code = make_qr(text).make_image(fill_color="black", back_color="white").convert("RGB")
        side = HEIGHT - 60
        frame.paste(code.resize((side, side), Image.NEAREST), ((WIDTH - side) // 2, 30))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (WIDTH // 2, HEIGHT // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _frame in range(FRAMES):
            f.write(b"FRAME\n" + planes)
    return path


def camera_args(video: Path) -> list[str]:
    return [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
