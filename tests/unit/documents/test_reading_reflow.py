"""The reading view's reflow of ``pdftotext`` output (pages, blocks, paragraph ends)."""

from __future__ import annotations

from backend.domain.documents.reading import ReadingPage, reflow


def test_lines_of_a_block_join_until_a_short_line_ends_the_paragraph() -> None:
    text = ("ỦY BAN NHÂN DÂN TỈNH\n\n"
            "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về việc chủ động ứng phó\n"
            "với mưa lũ, sạt lở đất trong mùa mưa bão, đề nghị các xã khẩn trương\n"
            "rà soát các khu dân cư.\n"
            "Nơi nhận:\n\f"
            "Trang hai   có   khoảng trắng\n\f")
    assert reflow(text) == [
        ReadingPage(1, ("ỦY BAN NHÂN DÂN TỈNH",
                        "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về việc chủ động ứng phó với mưa lũ, sạt lở "
                        "đất trong mùa mưa bão, đề nghị các xã khẩn trương rà soát các khu dân cư.",
                        "Nơi nhận:")),
        ReadingPage(2, ("Trang hai có khoảng trắng",)),
    ]


def test_a_page_without_text_has_no_paragraphs() -> None:
    assert reflow("\f\f") == [ReadingPage(1, ()), ReadingPage(2, ())]
    assert reflow("") == []
