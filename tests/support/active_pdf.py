"""PDFs carrying active content (JavaScript, Launch actions, embedded programs), built with pypdf from a real PDF."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from tests.support.incoming import make_pdf

__all__ = ["with_active_content"]


def _launch(program: str) -> DictionaryObject:
    return DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject(program)})


def _script(code: str) -> DictionaryObject:
    return DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(code)})


def with_active_content(kind: str, pages: int = 1) -> bytes:
    """``make_pdf(pages)`` plus one kind of active content.

    ``js_names`` (document JavaScript), ``js_open`` (/OpenAction), ``js_annotation`` (a link's action chain
    ending in a script), ``launch_open`` (/OpenAction /Launch), ``launch_page`` (a page's /AA), ``exe``
    (an embedded ``setup.exe``), ``pdf_attachment`` (an embedded PDF: harmless).
    """
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(pages))))
    root = writer._root_object
    page = writer.pages[0]
    if kind == "js_names":
        tree = DictionaryObject({NameObject("/Names"): ArrayObject([
            TextStringObject("in"), writer._add_object(_script("this.print({bUI:false});"))])})
        names = root.get("/Names")
        names = names.get_object() if names is not None else DictionaryObject()
        names[NameObject("/JavaScript")] = writer._add_object(tree)
        root[NameObject("/Names")] = names
    elif kind == "js_open":
        root[NameObject("/OpenAction")] = writer._add_object(_script("app.alert('Xin chào');"))
    elif kind == "js_annotation":
        uri = DictionaryObject({NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("https://x.vn"),
                                NameObject("/Next"): writer._add_object(_script("app.launchURL('https://x.vn');"))})
        link = DictionaryObject({NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
                                 NameObject("/Rect"): ArrayObject([]), NameObject("/A"): uri})
        page[NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    elif kind == "launch_open":
        root[NameObject("/OpenAction")] = _launch("cmd.exe")
    elif kind == "launch_page":
        page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): _launch("/bin/sh")})
    elif kind == "exe":
        writer.add_attachment("setup.exe", b"MZ\x90\x00 chuong trinh")
    elif kind == "pdf_attachment":
        writer.add_attachment("phu-luc.pdf", make_pdf(1))
    else:
        raise ValueError(kind)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
