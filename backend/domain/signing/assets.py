"""Demo signature and seal images drawn with Pillow (domain.md §11.1-11.2).

* :func:`signature_png` -- a blue, handwritten-looking scribble on a transparent background,
  deterministic for a given name (the demo's stand-in for the signature image each user uploads);
* :func:`seal_png` -- a red round seal: double rim, the agency's name around the top of the rim,
  its parent body around the bottom, a star in the middle; transparent outside the ink.

Nothing here is a real signature or seal: production users upload their own PNGs.
:func:`write_demo_assets` writes both kinds into a data directory for the demo accounts.
"""

from __future__ import annotations

import hashlib
import io
import math
import random
from collections.abc import Iterable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

__all__ = ["BLUE", "RED", "SEAL_FONT", "seal_png", "signature_png", "write_demo_assets"]

BLUE = (16, 46, 170)
RED = (206, 22, 32)
SEAL_FONT = "/usr/share/fonts/opentype/freefont/FreeSansBold.otf"


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def signature_png(name: str, *, width: int = 600, height: int = 240) -> bytes:
    """A blue scribble (transparent PNG) that looks handwritten; the same name gives the same image."""
    rng = random.Random(hashlib.sha256(name.encode()).digest())
    scale = 3  # draw large, then downsample for smooth strokes
    img = Image.new("RGBA", (width * scale, height * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    w, h = width * scale, height * scale
    loops = 5 + rng.randint(0, 3)
    amps = [0.18 + 0.22 * rng.random() for _ in range(loops + 1)]
    points: list[tuple[float, float]] = []
    steps = 90 * loops
    for i in range(steps + 1):
        t = i / steps
        k = min(int(t * loops), loops - 1)
        phase = t * loops * 2 * math.pi
        # a prolate cycloid: forward drift plus loops, like joined cursive letters
        x = w * (0.07 + 0.72 * t) - w * 0.035 * math.sin(phase)
        y = h * (0.52 - amps[k] * math.sin(phase + math.pi / 2) * (0.6 + 0.4 * math.sin(t * math.pi)))
        points.append((x, y))
    draw.line(points, fill=(*BLUE, 255), width=int(3.4 * scale), joint="curve")
    # the flourish: a long underline sweeping back to the left
    sweep = [(w * (0.9 - 0.8 * t), h * (0.78 + 0.08 * math.sin(t * math.pi))) for t in (i / 60 for i in range(61))]
    draw.line(sweep, fill=(*BLUE, 255), width=int(2.6 * scale), joint="curve")
    return _png(img.resize((width, height), Image.Resampling.LANCZOS))


def _arc_text(img: Image.Image, text: str, font: ImageFont.FreeTypeFont, radius: float, centre: float,
              span_deg: float, bottom: bool) -> None:
    """Write *text* along a circle (top arc read left to right, bottom arc too, letters upright)."""
    widths = [font.getlength(c) for c in text]
    total = sum(widths)
    angle_per_px = span_deg / max(total, 1)
    angle = -span_deg / 2
    for char, cw in zip(text, widths, strict=True):
        a = angle + cw * angle_per_px / 2
        angle += cw * angle_per_px
        if not char.strip():
            continue
        size = int(font.size * 1.6)
        tile = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((size / 2, size / 2), char, font=font, fill=(*RED, 255), anchor="mm")
        theta = math.radians(a)
        if bottom:
            x, y = centre + radius * math.sin(theta), centre + radius * math.cos(theta)
            tile = tile.rotate(math.degrees(theta), resample=Image.Resampling.BICUBIC)
        else:
            x, y = centre + radius * math.sin(theta), centre - radius * math.cos(theta)
            tile = tile.rotate(-math.degrees(theta), resample=Image.Resampling.BICUBIC)
        img.alpha_composite(tile, (int(x - size / 2), int(y - size / 2)))


def seal_png(agency_name: str, parent: str = "", *, size_px: int = 600) -> bytes:
    """A red round seal (transparent PNG, square) with *agency_name* around the top of the rim.

    :param parent: the superior body around the bottom of the rim (e.g. "HUYỆN NGHI LỘC").
    """
    img = Image.new("RGBA", (size_px, size_px), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    c = size_px / 2
    ink = (*RED, 255)
    outer = size_px * 0.48
    draw.ellipse((c - outer, c - outer, c + outer, c + outer), outline=ink, width=int(size_px * 0.03))
    inner = size_px * 0.33
    draw.ellipse((c - inner, c - inner, c + inner, c + inner), outline=ink, width=int(size_px * 0.012))
    rim_font = ImageFont.truetype(SEAL_FONT, int(size_px * 0.068))
    text_radius = (outer + inner) / 2
    _arc_text(img, agency_name.upper(), rim_font, text_radius, c, 200, bottom=False)
    if parent:
        _arc_text(img, parent.upper(), rim_font, text_radius, c, 110, bottom=True)
    star_r = size_px * 0.12
    star = [(c + (star_r if i % 2 == 0 else star_r * 0.4) * math.sin(math.pi * i / 5),
             c - (star_r if i % 2 == 0 else star_r * 0.4) * math.cos(math.pi * i / 5)) for i in range(10)]
    draw.polygon(star, fill=ink)
    return _png(img)


def write_demo_assets(directory: Path, signers: Iterable[str], agencies: Iterable[tuple[str, str, str]]
                      ) -> dict[str, Path]:
    """Write ``signature-<username>.png`` and ``seal-<agency code>.png`` files; returns name -> path.

    :param signers: usernames (the scribble is derived from the name).
    :param agencies: ``(agency code, agency name, parent body)`` triples.
    """
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for username in signers:
        path = directory / f"signature-{username}.png"
        path.write_bytes(signature_png(username))
        written[username] = path
    for code, name, parent in agencies:
        path = directory / f"seal-{code}.png"
        path.write_bytes(seal_png(name, parent))
        written[code] = path
    return written
