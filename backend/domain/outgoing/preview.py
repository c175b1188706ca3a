"""Where the signature will land, drawn on the page image: the boxes of a :class:`DocLayout` over the
WebP rendering of one page, server-side, so the signer sees the place before giving the OTP.

The signature box is drawn as a thick red frame with a light fill, the number and date areas as thin
orange frames. Coordinates go from PDF user space (points, origin bottom-left of the crop box) to the
image's pixels (origin top-left); page rotation is not applied, as on the page images themselves.
"""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw
from pypdf import PdfReader

from backend.domain.outgoing._pdf import DocLayout

__all__ = ["marked_page", "marked_tag", "preview_page"]

_SIGNATURE = (198, 40, 40)
_AREA = (230, 120, 0)


def preview_page(layout: DocLayout, page_count: int) -> int:
    """The 1-based page a signing preview shows: the signature's page, else the last page."""
    if layout.signature is not None and 0 <= layout.signature.page < page_count:
        return layout.signature.page + 1
    return max(page_count, 1)


def marked_tag(sha256: str, layout: DocLayout, page: int, width: int) -> str:
    """A strong validator of one marked page: the file, the boxes on that page and the image width."""
    digest = hashlib.sha256(f"{sha256}|{page}|{width}|{_boxes_json(layout, page - 1)}".encode()).hexdigest()
    return digest[:32]


def _boxes(layout: DocLayout, index: int) -> list[tuple[tuple[float, float, float, float], bool]]:
    out: list[tuple[tuple[float, float, float, float], bool]] = []
    if layout.signature is not None and layout.signature.page == index:
        out.append((layout.signature.box, True))
    out.extend((area.rect, False) for area in (layout.number, layout.date) if area is not None and area.page == index)
    return out


def _boxes_json(layout: DocLayout, index: int) -> str:
    return repr([(tuple(round(v, 2) for v in rect), sig) for rect, sig in _boxes(layout, index)])


def marked_page(page_image: bytes, pdf: bytes, layout: DocLayout, page: int) -> bytes:
    """Page ``page`` (1-based), whose rendering is ``page_image``, with the layout's boxes on it, as WebP."""
    reader = PdfReader(io.BytesIO(pdf), strict=False)
    crop = reader.pages[page - 1].cropbox
    left, bottom, right, top = float(crop.left), float(crop.bottom), float(crop.right), float(crop.top)
    with Image.open(io.BytesIO(page_image)) as source:
        image = source.convert("RGB")
    sx, sy = image.width / (right - left), image.height / (top - bottom)
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    line = max(2, image.width // 160)
    for (x0, y0, x1, y1), signature in _boxes(layout, page - 1):
        box = ((x0 - left) * sx, (top - y1) * sy, (x1 - left) * sx, (top - y0) * sy)
        colour = _SIGNATURE if signature else _AREA
        draw.rectangle(box, fill=(*colour, 40 if signature else 25), outline=(*colour, 255),
                       width=line if signature else max(1, line // 2))
    marked = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
    out = io.BytesIO()
    marked.save(out, format="WEBP", quality=80)
    return out.getvalue()
