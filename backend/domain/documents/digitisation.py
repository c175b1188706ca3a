"""The digitisation check of a scanned paper document (domain.md §11.4, ND 30 PL I Phần II §I).

A paper document turned electronic must be a PDF of version 1.4 or later, in colour, at 200 dpi
or more, at 100 % scale. What can be read from the file is checked: the PDF version in its
header, and for every image drawn on a page its resolution at the size it is drawn (poppler's
``pdfimages -list``, the ``x-ppi``/``y-ppi`` columns) and whether it is in colour. A file that
draws no image is not a scan (a born-digital PDF that came on paper too) and is not judged; scale
cannot be observed in the file and is not checked.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path

from backend.lib.i18n import t

__all__ = ["MIN_DPI", "MIN_VERSION", "ScanImage", "ScanReport", "check_scan", "parse_image_list"]

MIN_DPI = 200
MIN_VERSION = (1, 4)
_VERSION = re.compile(rb"%PDF-(\d)\.(\d)")
_COLOUR = {"rgb", "cmyk", "lab", "devn", "index"}
_TIMEOUT_SECONDS = 20.0


@dataclass(frozen=True, slots=True)
class ScanImage:
    """One image drawn on a page: its resolution where it is drawn and whether it is in colour."""

    page: int
    dpi: float
    colour: bool


@dataclass(frozen=True, slots=True)
class ScanReport:
    """What the check found: ``problems`` are Vietnamese sentences (empty: it meets the standard)."""

    images: int
    lowest_dpi: float | None
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_image_list(listing: str) -> list[ScanImage]:
    """The page images of ``pdfimages -list`` output (masks and soft masks are skipped)."""
    found = []
    for line in listing.splitlines()[2:]:  # two heading lines
        cols = line.split()
        if len(cols) < 14 or cols[2] != "image" or not cols[0].isdigit():
            continue
        colour_space, components = cols[5], int(cols[6]) if cols[6].isdigit() else 1
        colour = colour_space in _COLOUR or (colour_space == "icc" and components >= 3)
        try:
            dpi = min(float(cols[12]), float(cols[13]))
        except ValueError:
            continue
        found.append(ScanImage(int(cols[0]), dpi, colour))
    return found


def _version(head: bytes) -> tuple[int, int] | None:
    found = _VERSION.search(head)
    return (int(found.group(1)), int(found.group(2))) if found else None


async def check_scan(path: Path) -> ScanReport:
    """Check the PDF at ``path`` against the digitisation standard.

    A listing poppler cannot produce in time (or at all) judges nothing: the file was already
    accepted as a PDF, and the check only flags what it can see.
    """
    process = await asyncio.create_subprocess_exec("pdfimages", "-list", str(path), stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.DEVNULL)
    try:
        out, _ = await asyncio.wait_for(process.communicate(), timeout=_TIMEOUT_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()
        return ScanReport(0, None, ())
    images = parse_image_list(out.decode("utf-8", "replace")) if process.returncode == 0 else []
    if not images:
        return ScanReport(0, None, ())
    problems = []
    with path.open("rb") as handle:
        version = _version(handle.read(1024))
    if version is None or version < MIN_VERSION:
        shown = "?" if version is None else f"{version[0]}.{version[1]}"
        problems.append(t("digitisation.version", version=shown))
    lowest = min(image.dpi for image in images)
    if lowest < MIN_DPI:
        problems.append(t("digitisation.dpi", dpi=round(lowest), minimum=MIN_DPI))
    if not all(image.colour for image in images):
        problems.append(t("digitisation.colour"))
    return ScanReport(len(images), lowest, tuple(problems))
