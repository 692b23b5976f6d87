"""Draws the app icons (two linked rings: 縁, a bond between people) into static/icons/.

    .venv/bin/python tools/icons.py

The maskable icon keeps the rings inside the central 80% safe zone.
"""

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parent.parent / "webapp" / "static" / "icons"
GREEN = (31, 78, 61, 255)
WHITE = (255, 255, 255, 255)
GOLD = (242, 169, 0, 255)
PALETTE = 32


def draw(size: int, maskable: bool) -> Image.Image:
    scale = 4  # draw large, then shrink: smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), GREEN if maskable else (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if not maskable:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 5, fill=GREEN)
    inner = 0.62 if maskable else 0.76  # share of the icon the rings may fill
    radius = big * inner / 3.4
    width = max(int(radius * 0.28), 1)
    centre_y = big / 2
    for dx, colour in ((-0.62, WHITE), (0.62, GOLD)):
        cx = big / 2 + dx * radius
        box = (cx - radius, centre_y - radius, cx + radius, centre_y + radius)
        pen.ellipse(box, outline=colour, width=width)
    return image.resize((size, size), Image.LANCZOS)


def save(image: Image.Image, path: Path) -> None:
    # Three colours and their smoothed edges: a 32-colour palette looks the same and weighs a
    # fifth of full colour (the manifest's icons are downloaded when the app is installed).
    method = Image.Quantize.FASTOCTREE if image.mode == "RGBA" else Image.Quantize.MEDIANCUT
    image.quantize(colors=PALETTE, method=method).save(path, optimize=True)


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        save(draw(size, maskable=False), ICONS / f"icon-{size}.png")
    save(draw(512, maskable=True), ICONS / "icon-maskable-512.png")
    save(draw(180, maskable=True).convert("RGB"), ICONS / "apple-touch-icon.png")


if __name__ == "__main__":
    main()
