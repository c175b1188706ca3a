"""Active content is found wherever ISO 32000 lets a PDF declare it; a plain PDF has none."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from backend.domain.documents.pdf_active import find_active_content
from tests.support.active_pdf import with_active_content
from tests.support.incoming import make_pdf


@pytest.mark.parametrize(("kind", "javascript", "launch", "executables"), [
    ("js_names", True, False, []),
    ("js_open", True, False, []),
    ("js_annotation", True, False, []),
    ("launch_open", False, True, []),
    ("launch_page", False, True, []),
    ("exe", False, False, ["setup.exe"]),
    ("pdf_attachment", False, False, []),
])
def test_active_content_is_found_where_it_is_declared(kind: str, javascript: bool, launch: bool,
                                                      executables: list[str]) -> None:
    found = find_active_content(PdfReader(io.BytesIO(with_active_content(kind))))
    assert (found.javascript, found.launch, found.executables) == (javascript, launch, executables)


def test_a_plain_pdf_has_no_active_content() -> None:
    found = find_active_content(PdfReader(io.BytesIO(make_pdf(3))))
    assert not found.javascript and not found.launch and not found.executables
