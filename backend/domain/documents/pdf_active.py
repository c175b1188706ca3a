"""Active content in an uploaded PDF: JavaScript, Launch actions and embedded executables (ISO 32000-1).

A document management system hands PDFs on to every reader's viewer, so it looks for what a viewer
could run, in the places ISO 32000-1 lets a PDF declare it:

* actions (§12.6) — the catalog's ``/OpenAction`` and ``/AA``, each page's ``/AA``, each annotation's
  ``/A`` and ``/AA``, each form field's ``/A`` and ``/AA`` (with ``/Kids``), following ``/Next`` chains:
  ``/S /JavaScript`` (or a ``/JS`` entry, as renditions carry) is JavaScript, ``/S /Launch`` starts a
  program or opens a file outside the PDF;
* the document-level JavaScript name tree (``/Names /JavaScript``, §7.7.4);
* embedded files (``/Names /EmbeddedFiles`` and file-attachment annotations' ``/FS``, §7.11): a file
  whose name ends in an executable or script extension (:data:`EXECUTABLE_SUFFIXES`).

What happens then is the caller's policy (:mod:`backend.domain.documents.pdf`): a Launch action or an
executable is refused, JavaScript is accepted with a warning shown on the document (signed PDFs from
some tools carry harmless form-calculation scripts). The walk visits each object once and stops after
:data:`MAX_OBJECTS`, counting a PDF too large to walk as containing JavaScript (a warning, not a refusal).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

__all__ = ["EXECUTABLE_SUFFIXES", "MAX_OBJECTS", "ActiveContent", "find_active_content"]

EXECUTABLE_SUFFIXES = frozenset({
    "exe", "com", "scr", "pif", "bat", "cmd", "msi", "msp", "dll", "cpl", "sys", "jar", "js", "jse", "vbs", "vbe",
    "wsf", "wsh", "ps1", "psm1", "hta", "lnk", "reg", "inf", "sh", "bash", "run", "bin", "app", "apk", "dmg", "deb",
    "rpm", "elf", "py", "pl",
})
"""File-name extensions of programs and scripts an operating system or its shell would run."""
MAX_OBJECTS = 50_000


@dataclass(slots=True)
class ActiveContent:
    """What was found; ``executables`` lists the embedded files' names."""

    javascript: bool = False
    launch: bool = False
    executables: list[str] = field(default_factory=list)


class _Walk:
    def __init__(self) -> None:
        self.found = ActiveContent()
        self.seen: set[tuple[int, int]] = set()
        self.budget = MAX_OBJECTS

    def resolve(self, value: Any) -> Any:
        """The object behind ``value``; ``None`` for one already visited (cycles) or past the budget."""
        if isinstance(value, IndirectObject):
            ref = (value.idnum, value.generation)
            if ref in self.seen:
                return None
            self.seen.add(ref)
            value = value.get_object()
        self.budget -= 1
        if self.budget < 0:
            self.found.javascript = True  # too large to walk: warn rather than vouch for it
            return None
        return value

    def action(self, value: Any) -> None:
        """An action dictionary or an array of them (``/Next``)."""
        value = self.resolve(value)
        if isinstance(value, ArrayObject):
            for item in value:
                self.action(item)
            return
        if not isinstance(value, DictionaryObject):
            return
        kind = value.get("/S")
        if kind == "/JavaScript" or "/JS" in value:
            self.found.javascript = True
        if kind == "/Launch":
            self.found.launch = True
        if "/Next" in value:
            self.action(value["/Next"])

    def actions(self, value: Any) -> None:
        """An additional-actions dictionary (``/AA``): trigger name → action."""
        value = self.resolve(value)
        if isinstance(value, DictionaryObject):
            for trigger in list(value.values()):
                self.action(trigger)

    def holder(self, value: Any) -> None:
        """A page, annotation or form field: its ``/A`` and ``/AA``; an attached file's name."""
        value = self.resolve(value)
        if not isinstance(value, DictionaryObject):
            return
        if "/A" in value:
            self.action(value["/A"])
        if "/AA" in value:
            self.actions(value["/AA"])
        if "/FS" in value:
            self.file_spec(value["/FS"])
        kids = self.resolve(value.get("/Kids"))
        if isinstance(kids, ArrayObject):
            for kid in kids:
                self.holder(kid)

    def file_spec(self, value: Any) -> None:
        value = self.resolve(value)
        if isinstance(value, DictionaryObject):
            name = str(value.get("/UF") or value.get("/F") or "")
        else:
            name = str(value or "")
        suffix = name.rsplit(".", 1)[-1].strip().lower() if "." in name else ""
        if suffix in EXECUTABLE_SUFFIXES:
            self.found.executables.append(name[:200])

    def name_tree(self, value: Any, on_value: Any) -> None:
        """Every value of a name tree (``/Names`` pairs, ``/Kids`` subtrees)."""
        node = self.resolve(value)
        if not isinstance(node, DictionaryObject):
            return
        pairs = self.resolve(node.get("/Names"))
        if isinstance(pairs, ArrayObject):
            for item in list(pairs)[1::2]:
                on_value(item)
        kids = self.resolve(node.get("/Kids"))
        if isinstance(kids, ArrayObject):
            for kid in kids:
                self.name_tree(kid, on_value)


def _any_script(walk: _Walk, _value: Any) -> None:
    walk.found.javascript = True


def find_active_content(reader: PdfReader) -> ActiveContent:
    """JavaScript, Launch actions and executable attachments declared by the PDF ``reader`` opened (blocking)."""
    walk = _Walk()
    catalog = reader.trailer["/Root"].get_object()
    if not isinstance(catalog, DictionaryObject):
        return walk.found
    if "/OpenAction" in catalog:
        walk.action(catalog["/OpenAction"])
    if "/AA" in catalog:
        walk.actions(catalog["/AA"])
    names = walk.resolve(catalog.get("/Names"))
    if isinstance(names, DictionaryObject):
        if "/JavaScript" in names:
            walk.name_tree(names["/JavaScript"], lambda value: _any_script(walk, value))
        if "/EmbeddedFiles" in names:
            walk.name_tree(names["/EmbeddedFiles"], walk.file_spec)
    form = walk.resolve(catalog.get("/AcroForm"))
    if isinstance(form, DictionaryObject):
        fields = walk.resolve(form.get("/Fields"))
        if isinstance(fields, ArrayObject):
            for item in fields:
                walk.holder(item)
    for page in reader.pages:
        walk.holder(page)
        annotations = walk.resolve(page.get("/Annots"))
        if isinstance(annotations, ArrayObject):
            for annotation in annotations:
                walk.holder(annotation)
    return walk.found
