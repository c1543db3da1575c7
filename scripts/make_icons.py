"""Draw the site's icons (favicon, touch icons) from one shape: a white crystal on the brand teal.

    .venv/bin/python scripts/make_icons.py
writes static/icons/favicon.svg, icon-192.png, icon-512.png and, served at the site root by
WhiteNoise (WHITENOISE_ROOT), static/root/favicon.ico and apple-touch-icon.png.
"""

import math
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
TEAL, WHITE = (11, 93, 122, 255), (255, 255, 255, 255)


def hexagon(cx, cy, r):
    return [
        (cx + r * math.cos(math.radians(60 * i - 90)), cy + r * math.sin(math.radians(60 * i - 90))) for i in range(6)
    ]


def draw(size: int, *, rounded: bool = True) -> Image.Image:
    scale = 4  # draw large, then shrink: smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if rounded:
        pen.rounded_rectangle([0, 0, big - 1, big - 1], radius=big // 6, fill=TEAL)
    else:  # iOS rounds touch icons itself and wants no transparency
        pen.rectangle([0, 0, big, big], fill=TEAL)
    c = big / 2
    pen.polygon(hexagon(c, c, big * 0.36), fill=WHITE)
    pen.polygon(hexagon(c, c, big * 0.2), fill=TEAL)
    return image.resize((size, size), Image.LANCZOS)


SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
<rect width="64" height="64" rx="11" fill="#0b5d7a"/>
<polygon points="{outer}" fill="#fff"/>
<polygon points="{inner}" fill="#0b5d7a"/>
</svg>
"""


def main() -> None:
    icons, root = ROOT / "static" / "icons", ROOT / "static" / "root"
    icons.mkdir(exist_ok=True)
    root.mkdir(exist_ok=True)
    points = lambda r: " ".join(f"{x:.2f},{y:.2f}" for x, y in hexagon(32, 32, r))  # noqa: E731
    (icons / "favicon.svg").write_text(SVG.format(outer=points(64 * 0.36), inner=points(64 * 0.2)))
    for size in (192, 512):
        draw(size).save(icons / f"icon-{size}.png", optimize=True)
    draw(180, rounded=False).convert("RGB").save(root / "apple-touch-icon.png", optimize=True)
    draw(48).save(root / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])


if __name__ == "__main__":
    main()
