"""Attachment payloads: base64 in ``ContentTransferEncoded``, a zip archive when the peer zips.

Decoding refuses bad base64, and for a zip checks every member's CRC-32 (the integrity check the
archive carries) and the total it would expand to. :func:`zip_files` makes the archive we send
when we zip; :func:`unzip_files` gives the files back.
"""

from __future__ import annotations

import base64
import binascii
import io
import zipfile

from backend.domain.exchange.edxml.errors import AttachmentError
from backend.domain.exchange.edxml.limits import MAX_ATTACHMENT_UNZIPPED_BYTES

__all__ = ["decode_payload", "encode_payload", "unzip_files", "zip_files"]


def encode_payload(data: bytes) -> str:
    """Base64 text (one line) of ``data``."""
    return base64.b64encode(data).decode("ascii")


def decode_payload(text: str, name: str, zipped: bool) -> bytes:
    """The bytes of a ``ContentTransferEncoded`` value (whitespace and line breaks ignored).

    Raises:
        AttachmentError: not base64; for a zip, not an archive, a member whose CRC does not
            match, or more than :data:`MAX_ATTACHMENT_UNZIPPED_BYTES` once expanded.
    """
    compact = "".join(text.split())
    try:
        data = base64.b64decode(compact.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise AttachmentError("edxml.bad_base64", name=name) from None
    if zipped:
        _check_zip(data, name)
    return data


def _check_zip(data: bytes, name: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
            broken = None if total > MAX_ATTACHMENT_UNZIPPED_BYTES else archive.testzip()
    except Exception as exc:  # BadZipFile, zlib.error, EOFError …: a damaged archive
        raise AttachmentError("edxml.bad_zip", name=name, detail=str(exc)[:120] or type(exc).__name__) from None
    if total > MAX_ATTACHMENT_UNZIPPED_BYTES:
        raise AttachmentError("edxml.zip_too_large", name=name, limit=MAX_ATTACHMENT_UNZIPPED_BYTES)
    if broken is not None:
        raise AttachmentError("edxml.bad_zip", name=name, detail=f"CRC sai ở “{broken}”")


def zip_files(files: dict[str, bytes]) -> bytes:
    """A deflated zip archive of ``files`` (name → bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file_name, content in files.items():
            archive.writestr(file_name, content)
    return buffer.getvalue()


def unzip_files(data: bytes) -> dict[str, bytes]:
    """The files of a zip payload already checked by :func:`decode_payload`."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
