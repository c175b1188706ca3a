"""Where signatures, the number and the date go on a PDF, found from its text layer.

Text extraction: poppler's ``pdftotext -bbox`` (Debian ``poppler-utils``, already required for
``pdfsig`` and for page images in :mod:`backend.domain.documents.pdf`). Chosen over pypdf's
visitor API because poppler returns real word boxes (font metrics, ``TJ`` kerning, Type 0/CID
fonts and ToUnicode maps all resolved, the same engine that renders the page images the user taps
on), and over pdfminer.six because it needs no new dependency and is ~10x faster on a 10-page file.
Its top-left coordinates are converted to PDF user space (points, origin at the bottom left of the
crop box). Rotated pages are not searched: the caller then asks the user to tap.

What is located (domain.md §5.2-5.3, §11.1):

* :func:`locate_signature_box` -- box 7c: the empty space between the signer's position title
  (the lowest upper-case line of the block, e.g. "CHỦ TỊCH" under "TM. ỦY BAN NHÂN DÂN") and the
  printed name below it, centred on both, on the last page by default;
* :func:`locate_number_area` / :func:`locate_date_area` -- the "Số:      /UBND-VX" placeholder and
  the "<place>, ngày     tháng     năm 20.." placeholder on the first page.

Each returns ``None`` when nothing fits; the UI then shows the page image and turns the user's tap
into a box with :func:`placement_at`. All functions are synchronous and run a subprocess: call
them through ``anyio.to_thread.run_sync`` from request handlers.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from html import unescape
from pathlib import Path

from pypdf import PdfReader

__all__ = [
    "Area",
    "Layout",
    "PageText",
    "Placement",
    "Word",
    "locate_date_area",
    "locate_layout",
    "locate_number_area",
    "locate_signature_box",
    "placement_at",
    "read_text_layer",
]

_WORD_RE = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
_PAGE_RE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')
_TIMEOUT = 30
_HEIGHT_TO_SIZE = 1.1
"""pdftotext word boxes span ascent + descent: about 1.1 x the font size for Times-like fonts."""


@dataclass(frozen=True, slots=True)
class Word:
    """One word of the text layer in PDF user space (``y0`` bottom < ``y1`` top)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass(frozen=True, slots=True)
class PageText:
    """The words of one page and the page's crop box."""

    index: int
    box: tuple[float, float, float, float]
    words: tuple[Word, ...]


@dataclass(frozen=True, slots=True)
class Placement:
    """A rectangle on a page: ``page`` is 0-based, coordinates in points, PDF user space."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.x0, self.y0, self.x1, self.y1)

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def fit(self, aspect: float) -> Placement:
        """The largest box of width/height ratio *aspect* centred inside this one."""
        width = min(self.width, self.height * aspect)
        height = width / aspect
        cx, cy = (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2
        return Placement(self.page, cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)


@dataclass(frozen=True, slots=True)
class Area:
    """Where a line of text (number or date) is written: the rectangle it covers and its style."""

    page: int
    rect: tuple[float, float, float, float]
    font_size: float = 13.0
    italic: bool = False


def _page_boxes(pdf: bytes) -> list[tuple[tuple[float, float, float, float], int]]:
    reader = PdfReader(io.BytesIO(pdf), strict=False)
    out = []
    for page in reader.pages:
        crop = page.cropbox
        out.append(((float(crop.left), float(crop.bottom), float(crop.right), float(crop.top)),
                    int(page.get("/Rotate", 0) or 0) % 360))
    return out


def read_text_layer(pdf: bytes, pages: Sequence[int] | None = None) -> list[PageText]:
    """Words with boxes of the requested pages (all when ``None``; negative indexes count from the end)."""
    boxes = _page_boxes(pdf)
    wanted = sorted({p % len(boxes) for p in pages}) if pages is not None else list(range(len(boxes)))
    if not wanted:
        return []
    # one pdftotext run per stretch of pages, so "first and last" of a long file stays two small runs
    spans: list[tuple[int, int]] = []
    for index in wanted:
        if spans and index - spans[-1][1] <= 2:
            spans[-1] = (spans[-1][0], index)
        else:
            spans.append((index, index))
    result = []
    with tempfile.TemporaryDirectory(prefix="congvan-text-") as tmp:
        path = Path(tmp) / "in.pdf"
        path.write_bytes(pdf)
        for first, last in spans:
            proc = subprocess.run(["pdftotext", "-q", "-bbox", "-f", str(first + 1), "-l", str(last + 1), str(path),
                                   "-"], capture_output=True, timeout=_TIMEOUT, check=False)
            if proc.returncode != 0:
                raise ValueError(f"pdftotext failed ({proc.returncode}): {proc.stderr[-300:]!r}")
            chunks = _PAGE_RE.split(proc.stdout.decode("utf-8", "replace"))[1:]
            for offset in range(0, len(chunks), 3):
                index = first + offset // 3
                if index in wanted:
                    result.append(_page(index, boxes[index], chunks[offset + 2]))
    return result


def _page(index: int, box: tuple[tuple[float, float, float, float], int], xhtml: str) -> PageText:
    (left, bottom, right, top), rotate = box
    words: list[Word] = []
    if rotate == 0:
        for x0, y0, x1, y1, text in _WORD_RE.findall(xhtml):
            words.append(Word(unicodedata.normalize("NFC", unescape(text)), left + float(x0), top - float(y1),
                              left + float(x1), top - float(y0)))
    return PageText(index, (left, bottom, right, top), tuple(words))


def _rows(words: Sequence[Word]) -> list[list[Word]]:
    """Words grouped into visual rows (vertical centres close), top row first, left to right."""
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (-w.cy, w.x0)):
        if rows and abs(rows[-1][0].cy - word.cy) < 0.35 * min(rows[-1][0].height, word.height):
            rows[-1].append(word)
        else:
            rows.append([word])
    return [sorted(r, key=lambda w: w.x0) for r in rows]


def _segments(words: Sequence[Word], gap_factor: float = 2.0) -> list[list[Word]]:
    """Rows split where the horizontal gap exceeds *gap_factor* word heights (table-like columns)."""
    out: list[list[Word]] = []
    for row in _rows(words):
        current = [row[0]]
        for word in row[1:]:
            if word.x0 - current[-1].x1 > gap_factor * word.height:
                out.append(current)
                current = []
            current.append(word)
        out.append(current)
    return out


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def _bbox(seg: Sequence[Word]) -> Word:
    return Word(" ".join(w.text for w in seg), min(w.x0 for w in seg), min(w.y0 for w in seg),
                max(w.x1 for w in seg), max(w.y1 for w in seg))


def _is_title(seg: Word) -> bool:
    letters = [c for c in seg.text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and not any(c.isdigit() or c == ":" for c in seg.text)


def _is_name(seg: Word) -> bool:
    parts = seg.text.split()
    return 2 <= len(parts) <= 6 and all(p[0].isupper() and p[1:] == p[1:].lower() and p.isalpha() for p in parts)


def _between(segs: Sequence[Word], upper: Word, lower: Word) -> bool:
    """True when a segment lies vertically between *upper* and *lower* and overlaps them horizontally."""
    x0, x1 = min(upper.x0, lower.x0), max(upper.x1, lower.x1)
    return any(s.y1 < upper.y0 and s.y0 > lower.y1 and s.x1 > x0 and s.x0 < x1 for s in segs)


def _page_text(pdf: bytes, page: int, text: PageText | None) -> PageText | None:
    if text is not None:
        return text
    texts = read_text_layer(pdf, [page])
    return texts[0] if texts else None


def locate_signature_box(pdf: bytes, *, signer_name: str | None = None, page: int = -1,
                         min_gap: float = 24.0, padding: float = 2.0, text: PageText | None = None
                         ) -> Placement | None:
    """The empty box between the position title and the printed name (domain.md §11.1, box 7c).

    :param signer_name: the printed name to look for (recommended); without it the lowest
        "Title Case" line under an upper-case title line with at least *min_gap* points of empty
        space between them is taken.
    :param page: page to search (default: the last page).
    :param text: that page's text layer when the caller already read it (saves a ``pdftotext`` run).
    :returns: the box (as wide as the wider of the two lines, at least 120 pt, and centred on
        them), or ``None`` when no such pair of lines exists.
    """
    text = _page_text(pdf, page, text)
    if text is None or not text.words:
        return None
    segs = [_bbox(s) for s in _segments(text.words)]
    wanted = _norm(signer_name) if signer_name else None
    names = [s for s in segs if (_norm(s.text) == wanted if wanted else _is_name(s))]
    for name in sorted(names, key=lambda s: s.y0):
        above = [s for s in segs if s.y0 - name.y1 >= min_gap and abs(s.cx - name.cx) < max(s.x1 - s.x0, 60) / 2 + 20]
        if not above:
            continue
        title = min(above, key=lambda s: s.y0)
        if not _is_title(title) or _between(segs, title, name):
            continue
        cx = (title.cx + name.cx) / 2
        half = max(title.x1 - title.x0, name.x1 - name.x0, 120.0) / 2
        left, _, right, _ = text.box
        return Placement(text.index, max(left, cx - half), name.y1 + padding, min(right, cx + half),
                         title.y0 - padding)
    return None


def _font_size(word: Word) -> float:
    return round(word.height / _HEIGHT_TO_SIZE * 2) / 2


def locate_number_area(pdf: bytes, *, page: int = 0, text: PageText | None = None) -> Area | None:
    """The "Số:      /SYMBOL" placeholder: from "Số:" to the end of the symbol (or room for one)."""
    found = _page_text(pdf, page, text)
    if found is None:
        return None
    for row in _rows(found.words):
        for i, word in enumerate(row):
            if word.text not in ("Số:", "Số", "SỐ:") and not word.text.startswith("Số:/"):
                continue
            end = word.x1 + 6 * word.height
            for nxt in row[i + 1:]:
                if nxt.x0 - word.x1 > 6 * word.height:
                    break
                if nxt.text.startswith("/") or nxt.text == ":":
                    end = nxt.x1
                    if nxt.text.startswith("/"):
                        break
            rect = (word.x0 - 1, word.y0 - 1, end + 1, word.y1 + 1)
            return Area(found.index, rect, _font_size(word), italic=False)
    return None


def locate_date_area(pdf: bytes, *, page: int = 0, text: PageText | None = None) -> Area | None:
    """The "<place>, ngày ... tháng ... năm ..." placeholder, from the place name to the year."""
    found = _page_text(pdf, page, text)
    if found is None:
        return None
    for row in _rows(found.words):
        keys = [w.text.casefold() for w in row]
        if "ngày" not in keys or "tháng" not in keys or "năm" not in keys:
            continue
        i_day, i_month, i_year = keys.index("ngày"), keys.index("tháng"), keys.index("năm")
        if not i_day < i_month < i_year:
            continue
        start = i_day
        while start > 0 and row[start].x0 - row[start - 1].x1 < 2.5 * row[start].height:
            start -= 1
        year_word = row[i_year]
        end = year_word.x1 + 2.6 * year_word.height
        if i_year + 1 < len(row) and row[i_year + 1].x0 - year_word.x1 < 3 * year_word.height:
            end = max(row[i_year + 1].x1, year_word.x1 + 2.6 * year_word.height)
        first = row[start]
        rect = (first.x0 - 1, min(w.y0 for w in row[start:i_year + 1]) - 1, end + 1,
                max(w.y1 for w in row[start:i_year + 1]) + 1)
        return Area(found.index, rect, _font_size(row[i_day]), italic=True)
    return None


@dataclass(frozen=True, slots=True)
class Layout:
    """Everything located on a draft: box 7c and the number/date placeholders (``None``: not found)."""

    signature: Placement | None
    number: Area | None
    date: Area | None


def locate_layout(pdf: bytes, *, signer_name: str | None = None) -> Layout:
    """All three locations from one text-layer read (first and last page).

    Meant for the moment a draft reaches "awaiting signature": the UI shows the box on the page
    image, and the values go to :func:`~.stamping.sign_personal` (``placements``,
    ``number_areas``, ``date_areas``) so the tap on "Ký số" runs no text extraction.
    """
    pages = read_text_layer(pdf, [0, -1])
    return Layout(locate_signature_box(pdf, signer_name=signer_name, text=pages[-1]),
                  locate_number_area(pdf, text=pages[0]), locate_date_area(pdf, text=pages[0]))


def placement_at(pdf: bytes, page: int, x: float, y: float, *, fractions: bool = False,
                 width: float = 150.0, height: float = 60.0) -> Placement:
    """A *width* x *height* box centred on a point the user chose.

    :param x: ``fractions=False``: point in PDF user space (points); ``fractions=True``: 0..1 of
        the page image width, from the left.
    :param y: ``fractions=False``: user space, from the bottom; ``fractions=True``: 0..1 of the
        page image height, **from the top** (as on the screen).
    """
    boxes = _page_boxes(pdf)
    (left, bottom, right, top), _ = boxes[page]
    index = page % len(boxes)
    if fractions:
        if not (0 <= x <= 1 and 0 <= y <= 1):
            raise ValueError("fractions must be between 0 and 1")
        x, y = left + x * (right - left), top - y * (top - bottom)
    cx = min(max(x, left + width / 2), right - width / 2)
    cy = min(max(y, bottom + height / 2), top - height / 2)
    return Placement(index, cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)
