"""The paper-copy match (domain.md §22): a listed document type, or a keyword inside the summary."""

from __future__ import annotations

import pytest

from backend.db.models import DocumentType, DocumentTypeCategory
from backend.domain.outgoing.paper_copy import KeywordRule, PaperCopyMatch, TypeRule, paper_copy_required

DECISION = DocumentType(code="quyet_dinh", name="Quyết định (cá biệt)", abbreviation="QĐ",
                        category=DocumentTypeCategory.ADMINISTRATIVE)
LETTER = DocumentType(code="cong_van", name="Công văn", abbreviation="", category=DocumentTypeCategory.ADMINISTRATIVE)


@pytest.mark.parametrize(
    ("rules", "doc_type", "summary", "expected"),
    [
        ((TypeRule("quyet_dinh"),), DECISION, "V/v phê duyệt kế hoạch", True),
        ((TypeRule("quyet_dinh"),), LETTER, "V/v phê duyệt kế hoạch", False),
        ((KeywordRule("bổ nhiệm"),), LETTER, "V/v BO NHIEM cán bộ", True),  # accent- and case-insensitive
        ((KeywordRule("Ngân sách"),), LETTER, "Về dự toán ngân sách năm 2027", True),
        ((KeywordRule("ngân sách"),), LETTER, "Về chuyển đổi số", False),
        ((TypeRule("quyet"),), DECISION, "Quyết định khen thưởng", False),  # a type code is matched whole
        ((), DECISION, "Bổ nhiệm", False),
        ((KeywordRule(""),), LETTER, "Bất kỳ", False),  # an empty keyword never matches everything
    ],
)
def test_paper_copy_required_matches_types_and_keywords(
    rules: tuple[PaperCopyMatch, ...], doc_type: DocumentType, summary: str, expected: bool
) -> None:
    assert paper_copy_required(rules, doc_type, summary) is expected
