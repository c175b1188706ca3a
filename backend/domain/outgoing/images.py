"""Signature images (per user, blue) and seal images (per agency, red): validation, storage, look-up.

domain.md §11.1-11.2: the personal signature is the signer's handwritten signature in blue, the
seal is the agency's seal in red at its real size, both PNG with a transparent background. An
upload is accepted only if it is a PNG within ``SIGNATURE_IMAGE_MAX_KB``, between 100 and 3000
pixels a side (read from the PNG header before any pixel is decoded, so a decompression bomb
is refused unopened), has an alpha channel with a transparent background (at least a quarter of the
pixels fully transparent, the corners included) and ink of the right colour (blue dominant for a
signature, red for a seal). Accepted images go to the blob store; each upload is a new
:class:`SigningImage` row (the newest is used, nothing is overwritten).

Demo accounts get a generated image on first use (:func:`backend.domain.signing.assets.signature_png`,
``seal_png``), marked ``generated`` so the page can invite the user to upload their own.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import sqlalchemy as sa
from PIL import Image, UnidentifiedImageError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import Agency, SigningImage, SigningImageKind, User
from backend.domain.documents.files import blob_store
from backend.domain.signing.assets import seal_png, signature_png
from backend.errors import InvalidInputError
from backend.lib.i18n import t

__all__ = ["ImageFacts", "current_image", "image_bytes", "inspect_png", "save_image", "seal_for", "signature_for"]

_MIN_SIDE, _MAX_SIDE = 100, 3000
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True, slots=True)
class ImageFacts:
    """What validation found out about an accepted PNG."""

    width: int
    height: int


def _reject(key: str, **params: object) -> InvalidInputError:
    message = t(f"outgoing.image.{key}", **params)
    return InvalidInputError(message, field_errors={"image": message})


def _header_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) as the PNG's IHDR chunk declares them, read without decoding anything.

    The declared size is what a decoder would allocate: a 20000×20000 image compresses to a few
    dozen kilobytes, so the size must be refused before Pillow is asked to open it.
    """
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def inspect_png(data: bytes, kind: SigningImageKind, max_kb: int) -> ImageFacts:
    """Validate an uploaded signature/seal PNG (see the module docstring).

    Raises:
        InvalidInputError: with a Vietnamese message saying what was expected and what was found.
    """
    if not data:
        raise _reject("missing")
    if len(data) > max_kb * 1024:
        raise _reject("too_large", limit=max_kb, size=len(data) // 1024)
    if not data.startswith(_PNG_SIGNATURE):
        raise _reject("not_png")
    header_size = _header_size(data)
    if header_size is None:
        raise _reject("not_png")
    if not all(_MIN_SIDE <= side <= _MAX_SIDE for side in header_size):
        raise _reject("bad_size", width=header_size[0], height=header_size[1])  # before a pixel is decoded
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise _reject("not_png") from None
    width, height = img.size
    if not (_MIN_SIDE <= width <= _MAX_SIDE and _MIN_SIDE <= height <= _MAX_SIDE):
        raise _reject("bad_size", width=width, height=height)
    if "A" not in img.getbands() and "transparency" not in img.info:
        raise _reject("not_transparent")
    rgba = img.convert("RGBA")
    small = rgba.resize((min(width, 200), min(height, 200)))
    pixels = list(getattr(small, "get_flattened_data", small.getdata)())  # getdata is deprecated in Pillow 12+
    clear = sum(1 for p in pixels if p[3] == 0)
    corners = [small.getpixel(xy) for xy in ((0, 0), (small.width - 1, 0), (0, small.height - 1),
                                               (small.width - 1, small.height - 1))]
    if clear < len(pixels) / 4 or any(c[3] != 0 for c in corners):  # type: ignore[index]
        raise _reject("not_transparent")
    ink = [p for p in pixels if p[3] > 128]
    if not ink:
        raise _reject("empty")
    r, g, b = (sum(p[i] for p in ink) / len(ink) for i in range(3))
    if kind is SigningImageKind.SIGNATURE and not (b > r and b > g):
        raise _reject("not_blue")
    if kind is SigningImageKind.SEAL and not (r > g and r > b):
        raise _reject("not_red")
    return ImageFacts(width, height)


async def current_image(db: AsyncSession, kind: SigningImageKind, *, user_id: int | None = None,
                        agency_id: int | None = None) -> SigningImage | None:
    """The newest image of a user (signature) or an agency (seal)."""
    owner = SigningImage.user_id == user_id if kind is SigningImageKind.SIGNATURE else \
        SigningImage.agency_id == agency_id
    # Bound to a typed name: in a return context mypy picks the untyped overload of ``scalar``.
    image: SigningImage | None = await db.scalar(
        sa.select(SigningImage).where(SigningImage.kind == kind, owner).order_by(SigningImage.id.desc()).limit(1))
    return image


async def save_image(db: AsyncSession, settings: Settings, kind: SigningImageKind, data: bytes, *,
                     user_id: int | None, agency_id: int | None, uploaded_by_id: int | None,
                     size_mm: int = 0, generated: bool = False) -> SigningImage:
    """Validate (unless generated), store the PNG and record it as the owner's current image."""
    facts = inspect_png(data, kind, settings.signature_image_max_kb * (4 if generated else 1))
    blob = await blob_store(settings).put_bytes(data)
    row = SigningImage(kind=kind, user_id=user_id if kind is SigningImageKind.SIGNATURE else None,
                       agency_id=agency_id if kind is SigningImageKind.SEAL else None, sha256=blob.sha256,
                       width_px=facts.width, height_px=facts.height, size_mm=size_mm, uploaded_by_id=uploaded_by_id,
                       generated=generated)
    db.add(row)
    await db.flush()
    return row


def image_bytes(settings: Settings, image: SigningImage) -> bytes:
    """The stored PNG."""
    return blob_store(settings).read_bytes_sync(image.sha256)


async def signature_for(db: AsyncSession, settings: Settings, user: User) -> SigningImage | None:
    """The user's signature image; in demo mode one is generated on first use."""
    image = await current_image(db, SigningImageKind.SIGNATURE, user_id=user.id)
    if image is None and settings.is_demo:
        image = await save_image(db, settings, SigningImageKind.SIGNATURE, signature_png(user.username),
                                 user_id=user.id, agency_id=None, uploaded_by_id=None, generated=True)
    return image


async def seal_for(db: AsyncSession, settings: Settings, agency: Agency) -> SigningImage | None:
    """The agency's seal image; in demo mode one is generated on first use."""
    image = await current_image(db, SigningImageKind.SEAL, agency_id=agency.id)
    if image is None and settings.is_demo:
        parent = await db.get(Agency, agency.parent_id) if agency.parent_id else None
        image = await save_image(db, settings, SigningImageKind.SEAL, seal_png(agency.name, parent.name if parent
                                                                              else ""),
                                 user_id=None, agency_id=agency.id, uploaded_by_id=None, size_mm=settings.seal_size_mm,
                                 generated=True)
    return image
