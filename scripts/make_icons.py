"""Draw the app's icons into static/icons/: two overlapping hearts on the accent colour.

    .venv/bin/python scripts/make_icons.py

Needs Pillow (the ``dev`` extra). Shapes are drawn four times larger and scaled down, so
edges are smooth at every size. The PNGs are committed; run this again only to change them.
"""

import math
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

ICONS = Path(__file__).resolve().parent.parent / "static" / "icons"
SCALE = 4

ACCENT = (138, 59, 92, 255)  # #8a3b5c, the accent of the light theme
CREAM = (247, 243, 238, 255)  # #f7f3ee, the light background
ROSE = (230, 163, 191, 255)  # #e6a3bf, the accent of the dark theme
BLUSH = (240, 204, 218, 255)  # where the two hearts overlap
WHITE = (255, 255, 255, 255)


def heart_mask(size: int, cx: float, cy: float, width: float, tilt: float = 0) -> Image.Image:
    """A heart ``width`` wide centred on (cx, cy), leaning ``tilt`` degrees clockwise: a
    square standing on a corner with a disc on each of its two upper sides."""
    diagonal = width / 1.207  # the width of the whole heart is about 1.207 diagonals
    radius = diagonal / (2 * math.sqrt(2))
    lift = diagonal * 0.052  # the heart's box is centred, not the square's
    angle = math.radians(tilt)

    def place(x: float, y: float) -> tuple[float, float]:
        y += lift
        return (
            cx + x * math.cos(angle) - y * math.sin(angle),
            cy + x * math.sin(angle) + y * math.cos(angle),
        )

    half = diagonal / 2
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    draw.polygon([place(0, half), place(-half, 0), place(0, -half), place(half, 0)], fill=255)
    for side in (-1, 1):
        x, y = place(side * diagonal / 4, -diagonal / 4)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return mask


def mark(canvas: Image.Image, box: float, colours=(CREAM, ROSE, BLUSH)) -> None:
    """Two hearts leaning on each other, filling a centred square ``box`` wide."""
    size = canvas.width
    width = box * 0.6
    centre = size / 2
    offset = box * 0.19
    left = heart_mask(size, centre - offset, centre + box * 0.03, width, -10)
    right = heart_mask(size, centre + offset, centre - box * 0.03, width, 10)
    both = ImageChops.multiply(left, right)
    first, second, overlap = colours
    canvas.paste(Image.new("RGBA", canvas.size, first), mask=left)
    canvas.paste(Image.new("RGBA", canvas.size, second), mask=right)
    canvas.paste(Image.new("RGBA", canvas.size, overlap), mask=both)


def single_heart(canvas: Image.Image, box: float, colour=CREAM) -> None:
    size = canvas.width
    mask = heart_mask(size, size / 2, size / 2, box * 0.8, 0)
    canvas.paste(Image.new("RGBA", canvas.size, colour), mask=mask)


def moon(canvas: Image.Image, box: float, colour=CREAM) -> None:
    """A crescent moon and a small star: tonight's check-in."""
    size = canvas.width
    c = size / 2
    r = box * 0.36
    disc = Image.new("L", canvas.size, 0)
    ImageDraw.Draw(disc).ellipse((c - r - box * 0.05, c - r, c + r - box * 0.05, c + r), fill=255)
    bite = Image.new("L", canvas.size, 0)
    shift = r * 0.55
    ImageDraw.Draw(bite).ellipse(
        (c - r + shift, c - r - shift * 0.45, c + r + shift, c + r - shift * 0.45), fill=255
    )
    crescent = ImageChops.subtract(disc, bite)
    canvas.paste(Image.new("RGBA", canvas.size, colour), mask=crescent)
    star = Image.new("L", canvas.size, 0)
    sx, sy, sr = c + box * 0.27, c - box * 0.2, box * 0.09
    points = []
    for i in range(8):
        radius = sr if i % 2 == 0 else sr * 0.38
        angle = math.pi / 4 * i - math.pi / 2
        points.append((sx + radius * math.cos(angle), sy + radius * math.sin(angle)))
    ImageDraw.Draw(star).polygon(points, fill=255)
    canvas.paste(Image.new("RGBA", canvas.size, colour), mask=star)


def render(
    size: int, *, draw, background=ACCENT, rounded: bool = True, content: float = 0.78
) -> Image.Image:
    """An icon ``size`` pixels square: ``background`` as a rounded square (or the whole
    square when ``rounded`` is false), and ``draw`` filling ``content`` of the width."""
    big = size * SCALE
    canvas = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    if background is not None:
        if rounded:
            ImageDraw.Draw(canvas).rounded_rectangle(
                (0, 0, big - 1, big - 1), radius=big * 0.22, fill=background
            )
        else:
            canvas.paste(Image.new("RGBA", canvas.size, background))
    draw(canvas, big * content)
    return canvas.resize((size, size), Image.LANCZOS)


def save(image: Image.Image, name: str) -> None:
    image.save(ICONS / name, optimize=True)
    print(f"static/icons/{name} {image.width}x{image.height}")


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        save(render(size, draw=mark), f"icon-{size}.png")
    # Maskable: the background fills the square and the mark stays inside the safe zone,
    # the centred circle of 80 % of the width that every mask shape keeps.
    save(render(512, draw=mark, rounded=False, content=0.56), "maskable-512.png")
    # iOS draws its own rounded corners and shows transparency as black.
    save(
        render(180, draw=mark, rounded=False, content=0.7).convert("RGB"),
        "apple-touch-icon-180.png",
    )
    save(render(32, draw=mark, content=0.9), "favicon-32.png")
    # Android's status bar shows only the shape of the badge: white on transparent.
    save(
        render(
            96,
            draw=lambda c, box: mark(c, box, (WHITE, WHITE, WHITE)),
            background=None,
            content=0.9,
        ),
        "badge-96.png",
    )
    save(render(96, draw=moon), "shortcut-checkin-96.png")
    save(render(96, draw=single_heart), "shortcut-appreciation-96.png")


if __name__ == "__main__":
    main()
