"""Hero images for the demo articles, drawn with Pillow: a soft gradient, a few translucent shapes, the title.

Deterministic (seeded by the slug), so running load_demo again would draw the same picture.
"""

import io
import random
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

WIDTH, HEIGHT = 1600, 900
FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/liberation")]
PALETTES = [
    ((18, 38, 58), (44, 110, 120), (230, 176, 92)),  # deep teal, sand
    ((40, 24, 56), (118, 56, 96), (242, 180, 120)),  # plum, apricot
    ((16, 44, 36), (52, 120, 84), (214, 222, 140)),  # forest, lime
    ((30, 30, 44), (76, 86, 140), (160, 200, 230)),  # slate, ice
    ((58, 30, 20), (150, 78, 40), (250, 210, 150)),  # rust, cream
    ((20, 36, 70), (46, 96, 170), (250, 196, 70)),  # navy, gold
]


def _font(size: int, bold: bool = True):
    names = ["DejaVuSerif-Bold.ttf", "LiberationSerif-Bold.ttf"] if bold else ["DejaVuSans.ttf"]
    for folder in FONT_DIRS:
        for name in names:
            if (folder / name).exists():
                return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size=size)


def _gradient(top, bottom) -> Image.Image:
    column = Image.new("RGB", (1, HEIGHT))
    for y in range(HEIGHT):
        t = y / (HEIGHT - 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return column.resize((WIDTH, HEIGHT))


def hero_png(title: str, kicker: str, seed: str) -> bytes:
    rng = random.Random(seed)
    dark, mid, accent = PALETTES[rng.randrange(len(PALETTES))]
    image = _gradient(dark, mid).convert("RGBA")

    shapes = Image.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
    draw = ImageDraw.Draw(shapes)
    for _ in range(7):  # soft "grains" of ore
        r = rng.randint(80, 260)
        x, y = rng.randint(WIDTH // 3, WIDTH + 100), rng.randint(-100, HEIGHT + 100)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(*accent, rng.randint(28, 70)))
    for _ in range(5):  # hexagons: a nod to crystal lattices
        r = rng.randint(40, 120)
        cx, cy = rng.randint(WIDTH // 2, WIDTH - 60), rng.randint(60, HEIGHT - 60)
        draw.regular_polygon((cx, cy, r), 6, rotation=rng.randint(0, 60), outline=(*accent, 150), width=3)
    shapes = shapes.filter(ImageFilter.GaussianBlur(2))
    image = Image.alpha_composite(image, shapes)

    text = ImageDraw.Draw(image)
    text.rectangle((80, 120, 92, 230), fill=(*accent, 255))
    text.text((120, 118), kicker.upper(), font=_font(30, bold=False), fill=(*accent, 255))
    lines = textwrap.wrap(title, width=30)[:4]
    font = _font(66)
    y = 180
    for line in lines:
        text.text((120, y), line, font=font, fill=(250, 248, 240, 255))
        y += 84
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG")
    return out.getvalue()
