"""A signer's PNG as a PDF image XObject whose pixels are compressed once per image, not once per PDF.

pyHanko's ``PdfImage`` decodes nothing itself but Flate-compresses the colour and alpha planes
again for every PDF it writes the image into (``pil_image``): a few milliseconds per signature
for a 600 x 240 signature. A signer's image is the same for every signature, so
:func:`encoded_image` keeps the compressed planes per PNG (by SHA-256, a small LRU cache shared by
the worker threads) and :class:`EncodedImageContent` writes them into each new PDF as the same
objects ``pil_image`` would write: an ``/Image`` XObject in ``/DeviceRGB`` with an 8-bit
``/DeviceGray`` soft mask, both ``/FlateDecode``.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.content import PdfContent, ResourceType
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import StaticStampStyle

__all__ = ["EncodedImage", "EncodedImageContent", "encoded_image", "image_stamp_style"]

_CACHE_SIZE = 32
_cache: OrderedDict[bytes, EncodedImage] = OrderedDict()
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class EncodedImage:
    """Width and height in pixels, and the Flate-compressed RGB and alpha planes."""

    width: int
    height: int
    rgb: bytes
    alpha: bytes

    def write(self, writer: BasePdfFileWriter) -> generic.IndirectObject:
        """Add the image XObject and its soft mask to *writer*; returns the image's reference."""

        def xobject(colour_space: str, data: bytes, extra: dict[str, generic.PdfObject]) -> generic.IndirectObject:
            entries: dict[str, generic.PdfObject] = {
                "/Type": pdf_name("/XObject"), "/Subtype": pdf_name("/Image"),
                "/Width": generic.NumberObject(self.width), "/Height": generic.NumberObject(self.height),
                "/ColorSpace": pdf_name(colour_space), "/BitsPerComponent": generic.NumberObject(8),
                "/Filter": pdf_name("/FlateDecode"), **extra}
            stream = generic.StreamObject({pdf_name(k): v for k, v in entries.items()}, encoded_data=data)
            return writer.add_object(stream)

        return xobject("/DeviceRGB", self.rgb, {"/SMask": xobject("/DeviceGray", self.alpha, {})})


def encoded_image(data: bytes, decode: Callable[[bytes], Image.Image]) -> EncodedImage:
    """The compressed planes of the PNG *data*; *decode* (which may raise) turns it into an RGBA image on a miss."""
    key = hashlib.sha256(data).digest()
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    image = decode(data).convert("RGBA")
    encoded = EncodedImage(image.width, image.height, zlib.compress(image.convert("RGB").tobytes()),
                           zlib.compress(image.getchannel("A").tobytes()))
    with _lock:
        _cache[key] = encoded
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return encoded


class EncodedImageContent(PdfContent):
    """Drop-in for pyHanko's ``PdfImage`` (same XObject, same drawing) over an :class:`EncodedImage`."""

    def __init__(self, image: EncodedImage) -> None:
        super().__init__(box=BoxConstraints(width=image.width, height=image.height))
        self.image = image
        self.name = str(uuid.uuid4())
        self._ref: generic.IndirectObject | None = None

    def render(self) -> bytes:
        writer = self._ensure_writer
        if self._ref is None or self._ref.get_pdf_handler() is not writer:
            self._ref = self.image.write(writer)
        name = "/Img" + self.name
        self.set_resource(category=ResourceType.XOBJECT, name=pdf_name(name), value=self._ref)
        return b"q  %g 0 0 %g 0 0 cm %s Do Q" % (self.box.width, self.box.height, name.encode("ascii"))


def image_stamp_style(image: EncodedImage) -> StaticStampStyle:
    """The image stretched (aspect kept) to the widget box; no border, no text, fully opaque."""
    rule = layout.SimpleBoxLayoutRule(x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
                                      margins=layout.Margins.uniform(0),
                                      inner_content_scaling=layout.InnerScaling.STRETCH_TO_FIT)
    return StaticStampStyle(background=EncodedImageContent(image), background_opacity=1.0, border_width=0,
                            background_layout=rule)
